package dev.ferry.trainer.head;

import java.util.Map;

/**
 * A linear head's values: what fine-tuning's head and the linear probe it may start from are.
 *
 * @param weight float [dimension × classes], row-major
 * @param bias float [classes]
 */
public record LinearWeights(float[] weight, float[] bias) {
  /**
   * The head's inference graph with its values baked in: embedding float [batch, dimension] →
   * softmax probabilities float [batch, classes], the contract of a bundle's {@code head.onnx}.
   */
  public byte[] onnx(int dimension, int classes) {
    if (weight.length != dimension * classes || bias.length != classes) {
      throw new IllegalArgumentException(
          "a linear head of "
              + dimension
              + " inputs and "
              + classes
              + " classes needs "
              + dimension * classes
              + " weights and "
              + classes
              + " biases, got "
              + weight.length
              + " and "
              + bias.length);
    }
    return HeadGraphs.inference(
        new HeadGraphs.Shape(HeadKind.LINEAR, dimension, 1, classes),
        Map.of("output.weight", weight, "output.bias", bias));
  }
}
