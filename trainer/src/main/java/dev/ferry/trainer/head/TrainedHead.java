package dev.ferry.trainer.head;

import dev.ferry.models.bundle.ClassifierHead;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import dev.ferry.trainer.EpochMetrics;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A trained head: its inference graph (what goes into {@code head.onnx}) and how training went.
 *
 * @param settings the hyperparameters it was trained with
 * @param dimension embedding width it takes
 * @param classes number of classes it scores
 * @param onnx the inference graph, {@value ClassifierHead#INPUT} → {@value ClassifierHead#OUTPUT}
 * @param history one entry per epoch run (empty for the centroid head)
 * @param bestEpoch the epoch whose parameters were kept (0 when there are no epochs)
 * @param temperature the scale of the logits fitted on held-out examples: the centroid head's, or
 *     the linear head's calibration ({@code NaN} for the MLP)
 * @param trainingSeconds wall time of training, including per-epoch scoring
 */
public record TrainedHead(
    HeadSettings settings,
    int dimension,
    int classes,
    byte[] onnx,
    List<EpochMetrics> history,
    int bestEpoch,
    double temperature,
    double trainingSeconds) {

  /** Class probabilities for embeddings, by running the inference graph. */
  public float[][] probabilities(float[][] vectors) {
    try (GraphSession session = new GraphSession(onnx, 1)) {
      return HeadTrainer.probabilities(session, Map.of(), vectors, dimension, classes);
    }
  }

  static float[][] run(
      GraphSession session,
      Map<String, HostTensor> params,
      float[] flat,
      int rows,
      int dimension,
      int classes) {
    java.util.HashMap<String, HostTensor> feed = new java.util.HashMap<>(params);
    feed.put(ClassifierHead.INPUT, HostTensor.of(flat, rows, dimension));
    float[] p =
        session.run(feed, Set.of(ClassifierHead.OUTPUT)).get(ClassifierHead.OUTPUT).floats();
    float[][] out = new float[rows][classes];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(p, i * classes, out[i], 0, classes);
    }
    return out;
  }
}
