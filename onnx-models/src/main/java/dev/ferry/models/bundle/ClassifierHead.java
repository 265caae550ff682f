package dev.ferry.models.bundle;

import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A bundle's {@code head.onnx}: embeddings in, label probabilities out, without the encoder. This
 * is what relabels stored vectors. Thread-safe; close it to free the native session.
 */
public final class ClassifierHead implements AutoCloseable {
  /** The head's input: float [batch, dimension], the encoder's embeddings. */
  public static final String INPUT = "embedding";

  /** The head's output: float [batch, labels], each row summing to 1. */
  public static final String OUTPUT = "probabilities";

  private final GraphSession session;
  private final List<String> labels;
  private final int dimension;

  ClassifierHead(byte[] onnx, List<String> labels, int dimension) {
    this.session = new GraphSession(onnx, 1);
    this.labels = List.copyOf(labels);
    this.dimension = dimension;
  }

  /**
   * The width of the embeddings {@code head.onnx} declares it takes, or -1 if it leaves it open.
   */
  long declaredWidth() {
    long[] shape = session.inputShape(INPUT);
    return shape.length == 2 ? shape[1] : -2;
  }

  /** Class names, in the order of the probabilities. */
  public List<String> labels() {
    return labels;
  }

  /** Width of the embeddings the head takes. */
  public int dimension() {
    return dimension;
  }

  /** Probabilities for a batch of embeddings, one row per embedding. */
  public float[][] probabilities(float[][] embeddings) {
    if (embeddings.length == 0) {
      return new float[0][];
    }
    float[] flat = new float[embeddings.length * dimension];
    for (int i = 0; i < embeddings.length; i++) {
      if (embeddings[i].length != dimension) {
        throw new IllegalArgumentException(
            "embedding "
                + i
                + " has "
                + embeddings[i].length
                + " dimensions; this head takes "
                + dimension);
      }
      System.arraycopy(embeddings[i], 0, flat, i * dimension, dimension);
    }
    HostTensor out =
        session
            .run(Map.of(INPUT, HostTensor.of(flat, embeddings.length, dimension)), Set.of(OUTPUT))
            .get(OUTPUT);
    int classes = labels.size();
    long[] shape = out.shape();
    if (shape.length != 2 || shape[0] != embeddings.length || shape[1] != classes) {
      throw new IllegalStateException(
          "gives "
              + (shape.length == 2 ? shape[1] : java.util.Arrays.toString(shape))
              + " probabilities per text but the manifest has "
              + classes
              + " labels");
    }
    float[][] rows = new float[embeddings.length][classes];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(out.floats(), i * classes, rows[i], 0, classes);
    }
    return rows;
  }

  /** Predictions for a batch of embeddings. */
  public List<Prediction> predict(float[][] embeddings) {
    float[][] p = probabilities(embeddings);
    List<Prediction> out = new ArrayList<>(p.length);
    for (float[] row : p) {
      out.add(Prediction.of(labels, row));
    }
    return out;
  }

  @Override
  public void close() {
    session.close();
  }
}
