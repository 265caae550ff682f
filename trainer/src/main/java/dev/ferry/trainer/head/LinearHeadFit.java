package dev.ferry.trainer.head;

import dev.ferry.autodiff.Lbfgs;
import dev.ferry.models.bundle.ClassifierHead;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import dev.ferry.models.graph.NativeState;
import dev.ferry.trainer.loop.CrossEntropy;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits the linear head exactly: the minimum of the class-weighted mean cross-entropy plus λ/2 ·
 * ‖W‖² (the bias is not penalized), found by {@link Lbfgs}. One run of an ONNX graph ({@link
 * HeadGraphs#objective}) gives the objective and its gradient over all the examples. The objective
 * is convex, so the head depends on λ alone: no learning rate, epochs or seed. λ = regularization /
 * n, as scikit-learn's {@code C = 1 / regularization}.
 *
 * <p>Parameters are one vector: the weight [dimension × classes] row by row, then the bias.
 */
final class LinearHeadFit implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LinearHeadFit.class);

  /** L-BFGS stops after this many steps. */
  static final int MAX_ITERATIONS = 200;

  /** Stop when no gradient component exceeds this. */
  private static final double GRADIENT_TOLERANCE = 1e-6;

  /** Stop when a step lowers the objective by less than this share (its float precision). */
  private static final double VALUE_TOLERANCE = 1e-6;

  private final HeadGraphs.Shape shape;
  private final GraphSession session;
  private final NativeState data;
  private final int examples;

  /** Holds {@code train} (with its class weights) in native memory, ready to score parameters. */
  LinearHeadFit(LabeledVectors train, int classes, boolean balanceClasses) {
    int dimension = train.vectors()[0].length;
    shape = new HeadGraphs.Shape(HeadKind.LINEAR, dimension, 1, classes);
    examples = train.size();
    float[] x = new float[examples * dimension];
    for (int i = 0; i < examples; i++) {
      System.arraycopy(train.vectors()[i], 0, x, i * dimension, dimension);
    }
    double[] classWeight = CrossEntropy.classWeights(train.labels(), classes, balanceClasses);
    data =
        new NativeState(
            Map.of(
                ClassifierHead.INPUT,
                HostTensor.of(x, examples, dimension),
                HeadGraphs.TARGET,
                CrossEntropy.target(train.labels(), classes, classWeight)));
    try {
      session = new GraphSession(HeadGraphs.objective(shape), 1);
    } catch (RuntimeException e) {
      data.close();
      throw e;
    }
  }

  /** Number of parameters: the length of what {@link #fit} takes and returns. */
  int parameters() {
    return (shape.dimension() + 1) * shape.classes();
  }

  /**
   * The parameters that minimize the objective at {@code regularization}, from {@code start} (zero
   * for a first fit; the last solution along a regularization path).
   */
  double[] fit(double regularization, double[] start) {
    HostTensor l2 = HostTensor.of(new float[] {(float) (regularization / examples)});
    Lbfgs.Objective objective =
        (theta, gradient) -> {
          Map<String, HostTensor> feed = new HashMap<>();
          Map<String, float[]> values = values(theta, shape.classes(), 1);
          feed.put("output.weight", HostTensor.of(values.get("output.weight"), weightShape()));
          feed.put("output.bias", HostTensor.of(values.get("output.bias"), shape.classes()));
          feed.put(HeadGraphs.L2, l2);
          Map<String, HostTensor> out = session.run(feed, data, Map.of(), session.outputNames());
          double[] w = out.get(HeadGraphs.gradient("output.weight")).toDoubles();
          double[] b = out.get(HeadGraphs.gradient("output.bias")).toDoubles();
          System.arraycopy(w, 0, gradient, 0, w.length);
          System.arraycopy(b, 0, gradient, w.length, b.length);
          return out.get(HeadGraphs.OBJECTIVE).get(0);
        };
    Lbfgs.Result result =
        Lbfgs.minimize(objective, start, MAX_ITERATIONS, GRADIENT_TOLERANCE, VALUE_TOLERANCE);
    log.debug(
        "regularization {} on {} examples: objective {} after {} iterations (converged: {})",
        regularization,
        examples,
        result.value(),
        result.iterations(),
        result.converged());
    return result.x();
  }

  /**
   * The inference graph's parameter values for {@code theta} (laid out as {@link #fit} gives it),
   * every one multiplied by {@code scale}: a temperature scales the logits.
   */
  static Map<String, float[]> values(double[] theta, int classes, double scale) {
    int weights = theta.length - classes;
    float[] weight = new float[weights];
    float[] bias = new float[classes];
    for (int i = 0; i < weights; i++) {
      weight[i] = (float) (theta[i] * scale);
    }
    for (int c = 0; c < classes; c++) {
      bias[c] = (float) (theta[weights + c] * scale);
    }
    return Map.of("output.weight", weight, "output.bias", bias);
  }

  private long[] weightShape() {
    return new long[] {shape.dimension(), shape.classes()};
  }

  @Override
  public void close() {
    session.close();
    data.close();
  }
}
