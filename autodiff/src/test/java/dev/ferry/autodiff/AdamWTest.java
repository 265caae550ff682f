package dev.ferry.autodiff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The AdamW graph against a plain-Java transcription of the published algorithm. */
class AdamWTest {

  @Test
  void threeStepsMatchTheReferenceWithClippingAndDecay() {
    AdamW.Settings settings = new AdamW.Settings(0.9, 0.999, 1e-8, 0.1, 0.5);
    // loss = sum(w * x) + sum(b * b): gradient of w is x, of b is 2b.
    GraphBuilder g = new GraphBuilder("step", ElementType.DOUBLE);
    String x = g.input("x", 3);
    String w = g.input("w", 3);
    String b = g.input("b", 2);
    String loss = g.add(g.sumAll(g.mul(w, x)), g.sumAll(g.mul(b, b)));
    g.output(loss, "loss");
    Map<String, String> grads = Autodiff.gradients(g, loss, List.of("w", "b"));
    AdamW.append(g, grads, Set.of("w"), settings);

    double[] xs = {0.3, -1.2, 2.0};
    double[] wRef = {0.5, -0.25, 1.0};
    double[] bRef = {0.8, -0.4};
    double[][] mRef = {new double[3], new double[2]};
    double[][] vRef = {new double[3], new double[2]};
    Map<String, HostTensor> state = new HashMap<>();
    state.put("w", HostTensor.of(wRef.clone(), 3));
    state.put("b", HostTensor.of(bRef.clone(), 2));
    for (String p : List.of("w", "b")) {
      state.put(AdamW.firstMoment(p), HostTensor.zeros(ElementType.DOUBLE, p.equals("w") ? 3 : 2));
      state.put(AdamW.secondMoment(p), HostTensor.zeros(ElementType.DOUBLE, p.equals("w") ? 3 : 2));
    }
    try (GraphSession session = new GraphSession(g.toBytes(), 1)) {
      for (int t = 1; t <= 3; t++) {
        double lr = 0.05 * t;
        Map<String, HostTensor> feed = new HashMap<>(state);
        feed.put("x", HostTensor.of(xs, 3));
        feed.put(AdamW.LEARNING_RATE, HostTensor.scalar(ElementType.DOUBLE, lr));
        feed.put(
            AdamW.BIAS_CORRECTION1, HostTensor.scalar(ElementType.DOUBLE, 1 - Math.pow(0.9, t)));
        feed.put(
            AdamW.BIAS_CORRECTION2, HostTensor.scalar(ElementType.DOUBLE, 1 - Math.pow(0.999, t)));
        Map<String, HostTensor> out = session.run(feed);

        // Reference step.
        double[] gw = xs.clone();
        double[] gb = {2 * bRef[0], 2 * bRef[1]};
        double norm = Math.sqrt(sq(gw) + sq(gb));
        double scale = Math.min(1, 0.5 / (norm + 1e-6));
        assertThat(out.get(AdamW.GRADIENT_NORM).get(0)).isCloseTo(norm, within(1e-12));
        reference(wRef, gw, mRef[0], vRef[0], scale, lr, t, 0.1);
        reference(bRef, gb, mRef[1], vRef[1], scale, lr, t, 0);

        assertThat(out.get(AdamW.next("w")).toDoubles()).containsExactly(wRef, within(1e-12));
        assertThat(out.get(AdamW.next("b")).toDoubles()).containsExactly(bRef, within(1e-12));
        for (String p : List.of("w", "b")) {
          state.put(p, out.get(AdamW.next(p)));
          state.put(AdamW.firstMoment(p), out.get(AdamW.next(AdamW.firstMoment(p))));
          state.put(AdamW.secondMoment(p), out.get(AdamW.next(AdamW.secondMoment(p))));
        }
      }
    }
  }

  @Test
  void aGroupStartedLaterUsesItsOwnStepCount() {
    // b joins at step 3 of the run: its first update must be a step-1 update, not a step-3 one.
    AdamW.Settings settings = new AdamW.Settings(0.9, 0.999, 1e-8, 0, 0);
    GraphBuilder g = new GraphBuilder("groups", ElementType.DOUBLE);
    String w = g.input("w", 2);
    String b = g.input("b", 2);
    String loss = g.add(g.sumAll(g.mul(w, w)), g.sumAll(g.mul(b, b)));
    Map<String, String> grads = Autodiff.gradients(g, loss, List.of("w", "b"));
    AdamW.append(g, grads, Set.of(), settings, Map.of(), Map.of("b", "late"));
    assertThat(AdamW.biasCorrections("late"))
        .containsExactly("bias_correction1.late", "bias_correction2.late");
    double[] bRef = {0.8, -0.4};
    Map<String, HostTensor> feed = new HashMap<>();
    feed.put("w", HostTensor.of(new double[] {1, 2}, 2));
    feed.put("b", HostTensor.of(bRef.clone(), 2));
    for (String p : List.of("w", "b")) {
      feed.put(AdamW.firstMoment(p), HostTensor.zeros(ElementType.DOUBLE, 2));
      feed.put(AdamW.secondMoment(p), HostTensor.zeros(ElementType.DOUBLE, 2));
    }
    feed.put(AdamW.LEARNING_RATE, HostTensor.scalar(ElementType.DOUBLE, 0.1));
    feed.put(AdamW.BIAS_CORRECTION1, HostTensor.scalar(ElementType.DOUBLE, 1 - Math.pow(0.9, 3)));
    feed.put(AdamW.BIAS_CORRECTION2, HostTensor.scalar(ElementType.DOUBLE, 1 - Math.pow(0.999, 3)));
    feed.put("bias_correction1.late", HostTensor.scalar(ElementType.DOUBLE, 1 - 0.9));
    feed.put("bias_correction2.late", HostTensor.scalar(ElementType.DOUBLE, 1 - 0.999));
    try (GraphSession session = new GraphSession(g.toBytes(), 1)) {
      Map<String, HostTensor> out = session.run(feed);
      reference(bRef, new double[] {2 * 0.8, 2 * -0.4}, new double[2], new double[2], 1, 0.1, 1, 0);
      assertThat(out.get(AdamW.next("b")).toDoubles()).containsExactly(bRef, within(1e-12));
    }
  }

  private static void reference(
      double[] p,
      double[] grad,
      double[] m,
      double[] v,
      double scale,
      double lr,
      int t,
      double decay) {
    for (int i = 0; i < p.length; i++) {
      double gi = grad[i] * scale;
      m[i] = 0.9 * m[i] + 0.1 * gi;
      v[i] = 0.999 * v[i] + 0.001 * gi * gi;
      double mHat = m[i] / (1 - Math.pow(0.9, t));
      double vHat = v[i] / (1 - Math.pow(0.999, t));
      p[i] -= lr * (mHat / (Math.sqrt(vHat) + 1e-8) + decay * p[i]);
    }
  }

  private static double sq(double[] a) {
    double s = 0;
    for (double x : a) {
      s += x * x;
    }
    return s;
  }

  /**
   * Every next value is computed from the gradients' norm, so after every gradient and every read
   * of the values it replaces, with clipping and without: what lets a caller write the outputs over
   * the inputs ({@code NativeState.writtenInPlace}).
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(doubles = {0, 1})
  void everyNextValueComesAfterTheGradientNorm(double clipNorm) {
    GraphBuilder g = new GraphBuilder("order", ElementType.FLOAT);
    String x = g.input("x", 3);
    String w = g.input("w", 3);
    String b = g.input("b", 2);
    String loss = g.add(g.sumAll(g.mul(w, x)), g.sumAll(g.mul(b, b)));
    Map<String, String> grads = Autodiff.gradients(g, loss, List.of("w", "b"));
    AdamW.append(g, grads, Set.of("w"), AdamW.Settings.defaults().withClipNorm(clipNorm));
    Map<String, ai.onnx.proto.OnnxMl.NodeProto> producers = new HashMap<>();
    for (ai.onnx.proto.OnnxMl.NodeProto n : g.build().getGraph().getNodeList()) {
      n.getOutputList().forEach(o -> producers.put(o, n));
    }
    // The norm as computed; the output of that name is a copy of it.
    String norm = producers.get(AdamW.GRADIENT_NORM).getInput(0);
    for (String p : List.of("w", "b")) {
      for (String name : List.of(p, AdamW.firstMoment(p), AdamW.secondMoment(p))) {
        assertThat(ancestors(AdamW.next(name), producers))
            .as("inputs of %s", AdamW.next(name))
            .contains(norm);
      }
    }
  }

  /** Every value {@code value} is computed from, by the node outputs' names. */
  private static Set<String> ancestors(
      String value, Map<String, ai.onnx.proto.OnnxMl.NodeProto> producers) {
    Set<String> seen = new java.util.HashSet<>();
    java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of(value));
    while (!todo.isEmpty()) {
      ai.onnx.proto.OnnxMl.NodeProto n = producers.get(todo.pop());
      if (n == null) {
        continue;
      }
      for (String in : n.getInputList()) {
        if (seen.add(in)) {
          todo.push(in);
        }
      }
      seen.addAll(n.getOutputList());
    }
    return seen;
  }
}
