package dev.ferry.trainer.head;

import dev.ferry.autodiff.AdamW;
import dev.ferry.autodiff.Autodiff;
import dev.ferry.autodiff.GraphBuilder;
import dev.ferry.models.bundle.ClassifierHead;
import dev.ferry.models.graph.ElementType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The ONNX graphs of the trainable heads: one training step (forward, weighted cross-entropy,
 * gradients, AdamW), evaluation (parameters as inputs), and inference (parameters baked in; what
 * {@code head.onnx} holds).
 */
final class HeadGraphs {
  /**
   * Training input: per example and class, its share of the batch loss (one-hot × weight / Σ
   * weight).
   */
  static final String TARGET = "target";

  /** Training input: per example and hidden unit, 0 (dropped) or 1 / (1 − p) (kept). */
  static final String DROPOUT_MASK = "dropout_mask";

  /** Training output: the batch's weighted mean cross-entropy. */
  static final String LOSS = "loss";

  /** Objective input: the L2 penalty's strength λ, a scalar. */
  static final String L2 = "l2";

  /** Objective output: weighted mean cross-entropy + λ/2 · Σ weight² (biases are not penalized). */
  static final String OBJECTIVE = "objective";

  /**
   * Objective output: the gradient of {@link #OBJECTIVE} with respect to parameter {@code name}.
   */
  static String gradient(String name) {
    return "gradient." + name;
  }

  /** A trainable tensor. */
  record Parameter(String name, long[] shape, boolean decayed) {
    int size() {
      int n = 1;
      for (long d : shape) {
        n *= (int) d;
      }
      return n;
    }
  }

  /** Shapes of a head. */
  record Shape(HeadKind kind, int dimension, int hidden, int classes) {
    boolean hasHiddenLayer() {
      return kind == HeadKind.MLP;
    }

    List<Parameter> parameters() {
      List<Parameter> out = new ArrayList<>();
      int in = dimension;
      if (hasHiddenLayer()) {
        out.add(new Parameter("hidden.weight", new long[] {dimension, hidden}, true));
        out.add(new Parameter("hidden.bias", new long[] {hidden}, false));
        in = hidden;
      }
      out.add(new Parameter("output.weight", new long[] {in, classes}, true));
      out.add(new Parameter("output.bias", new long[] {classes}, false));
      return out;
    }
  }

  private HeadGraphs() {}

  /** Logits of the head; dropout applies when {@code dropoutMask} is not null. */
  private static String logits(
      GraphBuilder g, Shape s, String x, Map<String, String> p, String dropoutMask) {
    String h = x;
    if (s.hasHiddenLayer()) {
      h = g.relu(g.add(g.matMul(x, p.get("hidden.weight")), p.get("hidden.bias")));
      if (dropoutMask != null) {
        h = g.mul(h, dropoutMask);
      }
    }
    return g.add(g.matMul(h, p.get("output.weight")), p.get("output.bias"));
  }

  /**
   * One AdamW step on a batch: inputs batch + parameters + optimizer state, outputs loss and the
   * next state.
   */
  static byte[] trainingStep(Shape s, AdamW.Settings optimizer, boolean dropout) {
    GraphBuilder g = new GraphBuilder("ferry-head-train-step", ElementType.FLOAT);
    String x = g.input(ClassifierHead.INPUT, GraphBuilder.UNKNOWN, s.dimension());
    String target = g.input(TARGET, GraphBuilder.UNKNOWN, s.classes());
    String mask =
        dropout && s.hasHiddenLayer()
            ? g.input(DROPOUT_MASK, GraphBuilder.UNKNOWN, s.hidden())
            : null;
    Map<String, String> params = declareParameters(g, s);
    String logProbabilities = g.logSoftmax(logits(g, s, x, params, mask));
    String loss = g.neg(g.sumAll(g.mul(target, logProbabilities)));
    g.output(loss, LOSS);
    Map<String, String> gradients = Autodiff.gradients(g, loss, params.keySet());
    Set<String> decayed =
        s.parameters().stream()
            .filter(Parameter::decayed)
            .map(Parameter::name)
            .collect(Collectors.toSet());
    AdamW.append(g, gradients, decayed, optimizer);
    return g.toBytes();
  }

  /**
   * The regularized objective and its gradients over a whole training set, parameters and λ as
   * inputs: what {@link LinearHeadFit} minimizes.
   */
  static byte[] objective(Shape s) {
    GraphBuilder g = new GraphBuilder("ferry-head-objective", ElementType.FLOAT);
    String x = g.input(ClassifierHead.INPUT, GraphBuilder.UNKNOWN, s.dimension());
    String target = g.input(TARGET, GraphBuilder.UNKNOWN, s.classes());
    String l2 = g.input(L2);
    Map<String, String> params = declareParameters(g, s);
    String logProbabilities = g.logSoftmax(logits(g, s, x, params, null));
    String objective = g.neg(g.sumAll(g.mul(target, logProbabilities)));
    for (Parameter p : s.parameters()) {
      if (p.decayed()) {
        String w = params.get(p.name());
        String penalty = g.mul(g.mul(g.scalar(0.5), l2), g.sumAll(g.mul(w, w)));
        objective = g.add(objective, penalty);
      }
    }
    g.output(objective, OBJECTIVE);
    Autodiff.gradients(g, objective, params.keySet())
        .forEach((name, gradient) -> g.output(gradient, gradient(name)));
    return g.toBytes();
  }

  /**
   * Probabilities with the parameters as inputs: to score the training and validation sets each
   * epoch.
   */
  static byte[] evaluation(Shape s) {
    GraphBuilder g = new GraphBuilder("ferry-head-eval", ElementType.FLOAT);
    String x = g.input(ClassifierHead.INPUT, GraphBuilder.UNKNOWN, s.dimension());
    Map<String, String> params = declareParameters(g, s);
    g.output(g.softmax(logits(g, s, x, params, null)), ClassifierHead.OUTPUT);
    return g.toBytes();
  }

  /** The inference graph with the trained values baked in: {@code head.onnx}. */
  static byte[] inference(Shape s, Map<String, float[]> values) {
    GraphBuilder g = new GraphBuilder("ferry-head-" + s.kind().id(), ElementType.FLOAT);
    String x = g.input(ClassifierHead.INPUT, GraphBuilder.UNKNOWN, s.dimension());
    g.describe(x, "embeddings from the bundle's encoder, float [batch, " + s.dimension() + "]");
    Map<String, String> params = new LinkedHashMap<>();
    for (Parameter p : s.parameters()) {
      params.put(p.name(), g.initializer(p.name(), values.get(p.name()), p.shape()));
    }
    String out = g.output(g.softmax(logits(g, s, x, params, null)), ClassifierHead.OUTPUT);
    g.describe(
        out,
        "class probabilities, float [batch, "
            + s.classes()
            + "], columns in the manifest's label order");
    return g.toBytes();
  }

  private static Map<String, String> declareParameters(GraphBuilder g, Shape s) {
    Map<String, String> params = new LinkedHashMap<>();
    for (Parameter p : s.parameters()) {
      params.put(p.name(), g.input(p.name(), p.shape()));
    }
    return params;
  }
}
