package dev.ferry.autodiff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every gradient rule against central finite differences, in float64, on random inputs. The seed is
 * printed on failure so a case can be replayed.
 */
class GradientCheckTest {
  private static final long SEED = Long.getLong("ferry.test.seed", 20261122L);

  /** A forward computation: declares its inputs on the builder and returns a real tensor. */
  interface Forward extends Function<GraphBuilder, String> {}

  @Test
  void elementwiseBinaryOperatorsWithBroadcasting() {
    for (String op : List.of("Add", "Sub", "Mul", "Div", "Min", "Max")) {
      check(
          op,
          g -> {
            String a = g.input("a", 3, 4);
            String b = g.input("b", 4);
            return switch (op) {
              case "Add" -> g.add(a, b);
              case "Sub" -> g.sub(a, b);
              case "Mul" -> g.mul(a, b);
              case "Div" -> g.div(a, b);
              case "Min" -> g.min(a, b);
              case "Max" -> g.max(a, b);
              default -> throw new AssertionError();
            };
          },
          Map.of("a", random(false, 3, 4), "b", random(true, 4)),
          "a",
          "b");
    }
  }

  @Test
  void broadcastingOverMiddleAxisKeepsShapeOfOperand() {
    check(
        "Add [2,3,4] + [2,1,4]",
        g -> g.add(g.input("a", 2, 3, 4), g.input("b", 2, 1, 4)),
        Map.of("a", random(false, 2, 3, 4), "b", random(false, 2, 1, 4)),
        "a",
        "b");
  }

  @Test
  void powWithRespectToBaseAndExponent() {
    check(
        "Pow",
        g -> g.pow(g.input("a", 2, 3), g.input("b", 3)),
        Map.of("a", random(true, 2, 3), "b", random(false, 3)),
        "a",
        "b");
  }

  @ParameterizedTest
  @ValueSource(doubles = {1, 2, 3, 0.5})
  void powWithAConstantExponent(double exponent) {
    check(
        "Pow " + exponent,
        g -> g.pow(g.input("a", 2, 3), g.scalar(exponent)),
        Map.of("a", random(true, 2, 3)),
        "a");
  }

  @Test
  void unaryOperators() {
    Map<String, Function<GraphBuilder, Function<String, String>>> ops = new LinkedHashMap<>();
    ops.put("Neg", g -> g::neg);
    ops.put("Relu", g -> g::relu);
    ops.put("Tanh", g -> g::tanh);
    ops.put("Exp", g -> g::exp);
    ops.put("Log", g -> g::log);
    ops.put("Sqrt", g -> g::sqrt);
    ops.put("Identity", g -> g::identity);
    ops.put("Softmax", g -> g::softmax);
    ops.put("LogSoftmax", g -> g::logSoftmax);
    for (var e : ops.entrySet()) {
      boolean positive = e.getKey().equals("Log") || e.getKey().equals("Sqrt");
      check(
          e.getKey(),
          g -> e.getValue().apply(g).apply(g.input("x", 3, 5)),
          Map.of("x", random(positive, 3, 5)),
          "x");
    }
  }

  @Test
  void erfAndCastInFloat() {
    // ONNX Runtime has no float64 Erf kernel; the exports run it in float32, so check it there
    // (through Cast, which the exports also use) with a step and tolerance fit for float32.
    tolerance = 2e-4;
    step = 1e-3;
    check(
        "Erf",
        g -> g.cast(g.erf(g.cast(g.input("x", 3, 5), ElementType.FLOAT)), ElementType.DOUBLE),
        Map.of("x", random(false, 3, 5)),
        "x");
  }

  @Test
  void reductions() {
    check(
        "ReduceSum keepdims",
        g -> g.reduceSum(g.input("x", 2, 3, 4), true, 1),
        Map.of("x", random(false, 2, 3, 4)),
        "x");
    check(
        "ReduceSum no keepdims",
        g -> g.reduceSum(g.input("x", 2, 3, 4), false, 0, 2),
        Map.of("x", random(false, 2, 3, 4)),
        "x");
    check(
        "ReduceMean",
        g -> g.reduceMean(g.input("x", 2, 3, 4), false, 2),
        Map.of("x", random(false, 2, 3, 4)),
        "x");
    check(
        "ReduceMean keepdims",
        g -> g.reduceMean(g.input("x", 2, 3, 4), true, 1, 2),
        Map.of("x", random(false, 2, 3, 4)),
        "x");
    check(
        "ReduceMax",
        g -> g.reduceMax(g.input("x", 2, 3, 4), false, 1),
        Map.of("x", random(false, 2, 3, 4)),
        "x");
    check(
        "ReduceMax keepdims",
        g -> g.reduceMax(g.input("x", 2, 3, 4), true, 0, 2),
        Map.of("x", random(false, 2, 3, 4)),
        "x");
    // Ties (a chunk gathered into two slots): the copies share the gradient, so it adds up to one
    // element's, as the finite difference through the gather sees it.
    check(
        "ReduceMax of a gather with repeats",
        g -> g.reduceMax(g.gather(g.input("x", 3, 4), g.ints(0, 2, 0), 0), false, 0),
        Map.of("x", random(false, 3, 4)),
        "x");
  }

  @Test
  void matMulTwoAndThreeDimensional() {
    check(
        "MatMul 2-D",
        g -> g.matMul(g.input("a", 3, 4), g.input("b", 4, 2)),
        Map.of("a", random(false, 3, 4), "b", random(false, 4, 2)),
        "a",
        "b");
    check(
        "MatMul 3-D × 2-D",
        g -> g.matMul(g.input("a", 2, 3, 4), g.input("b", 4, 5)),
        Map.of("a", random(false, 2, 3, 4), "b", random(false, 4, 5)),
        "a",
        "b");
    check(
        "MatMul 4-D",
        g -> g.matMul(g.input("a", 2, 2, 3, 4), g.input("b", 2, 2, 4, 3)),
        Map.of("a", random(false, 2, 2, 3, 4), "b", random(false, 2, 2, 4, 3)),
        "a",
        "b");
  }

  @Test
  void transpose() {
    check(
        "Transpose",
        g -> g.transpose(g.input("x", 2, 3, 4), 2, 0, 1),
        Map.of("x", random(false, 2, 3, 4)),
        "x");
  }

  @Test
  void gatherScattersBackWithRepeatedAndNegativeIndices() {
    // Index 1 twice and -1 (= the last row): repeated rows must accumulate.
    HostTensor indices = HostTensor.of(new long[] {1, 3, 1, -1, 0, 2}, 2, 3);
    check(
        "Gather axis 0",
        g -> g.gather(g.input("data", 5, 4), g.input("idx", ElementType.INT64, 2, 3), 0),
        Map.of("data", random(false, 5, 4), "idx", indices),
        "data");
    check(
        "Gather axis 1",
        g -> g.gather(g.input("data", 2, 5, 3), g.input("idx", ElementType.INT64, 2, 3), 1),
        Map.of("data", random(false, 2, 5, 3), "idx", indices),
        "data");
    check(
        "Gather scalar index",
        g -> g.gather(g.input("data", 4, 3), g.intScalar(2), 0),
        Map.of("data", random(false, 4, 3)),
        "data");
  }

  @Test
  void reshapingOperators() {
    check(
        "Reshape",
        g -> {
          String x = g.input("x", 2, 3, 4);
          return g.tanh(g.reshape(x, g.ints(6, 4), 6, 4));
        },
        Map.of("x", random(false, 2, 3, 4)),
        "x");
    check(
        "Unsqueeze",
        g -> g.tanh(g.unsqueeze(g.input("x", 3, 4), 0, 2)),
        Map.of("x", random(false, 3, 4)),
        "x");
    check(
        "Squeeze",
        g -> g.tanh(g.squeeze(g.input("x", 3, 1, 4), 1)),
        Map.of("x", random(false, 3, 1, 4)),
        "x");
    check(
        "Expand",
        g -> {
          String x = g.input("x", 3, 1);
          return g.mul(g.expand(x, g.ints(2, 3, 4), 2, 3, 4), g.input("y", 2, 3, 4));
        },
        Map.of("x", random(false, 3, 1), "y", random(false, 2, 3, 4)),
        "x",
        "y");
  }

  @Test
  void whereRoutesTheGradientToTheChosenOperand() {
    check(
        "Where",
        g -> {
          String c = g.input("c", 3, 4);
          String condition = g.greater(c, g.scalar(0));
          return g.where(condition, g.mul(g.input("a", 3, 4), c), g.input("b", 4));
        },
        Map.of("c", random(false, 3, 4), "a", random(false, 3, 4), "b", random(false, 4)),
        "a",
        "b");
  }

  @Test
  void concatSplitsTheGradientIntoSlabs() {
    check(
        "Concat static",
        g -> g.concat(1, g.input("a", 2, 1, 3), g.input("b", 2, 3, 3), g.input("c", 2, 2, 3)),
        Map.of(
            "a", random(false, 2, 1, 3), "b", random(false, 2, 3, 3), "c", random(false, 2, 2, 3)),
        "a",
        "b",
        "c");
    // A size known only at run time takes its slab bounds from the shapes.
    check(
        "Concat dynamic",
        g -> g.reshape(g.concat(0, g.input("a", -1, 3), g.input("b", 2, 3)), g.ints(6, 3), 6, 3),
        Map.of("a", random(false, 4, 3), "b", random(false, 2, 3)),
        "a",
        "b");
  }

  @Test
  void sliceWithNegativeClampedAndStridedBounds() {
    check(
        "Slice",
        g -> {
          String x = g.input("x", 4, 6, 5);
          // axis 1: from -5 to the end by 2 (positions 1, 3, 5); axis 2: 1 up to a clamped huge
          // end.
          return g.slice(
              x,
              g.ints(-5, 1),
              g.ints(Long.MAX_VALUE, 1000),
              new long[] {1, 2},
              g.ints(2, 1),
              4,
              3,
              4);
        },
        Map.of("x", random(false, 4, 6, 5)),
        "x");
    check(
        "Slice reversed",
        g -> {
          String x = g.input("x", 5, 3);
          return g.slice(x, g.ints(-1), g.ints(0), new long[] {0}, g.ints(-2), 2, 3);
        },
        Map.of("x", random(false, 5, 3)),
        "x");
  }

  @Test
  void valueUsedTwiceAccumulatesBothContributions() {
    check(
        "x*x + tanh(x)",
        g -> {
          String x = g.input("x", 4, 3);
          return g.add(g.mul(x, x), g.tanh(x));
        },
        Map.of("x", random(false, 4, 3)),
        "x");
  }

  @Test
  void mlpWithWeightedCrossEntropy() {
    check(
        "MLP cross-entropy",
        g -> {
          String x = g.input("x", 5, 6);
          String w1 = g.input("w1", 6, 4);
          String b1 = g.input("b1", 4);
          String w2 = g.input("w2", 4, 3);
          String b2 = g.input("b2", 3);
          String target = g.input("target", 5, 3);
          String hidden = g.relu(g.add(g.matMul(x, w1), b1));
          String logp = g.logSoftmax(g.add(g.matMul(hidden, w2), b2));
          return g.neg(g.sumAll(g.mul(target, logp)));
        },
        Map.of(
            "x",
            random(false, 5, 6),
            "w1",
            random(false, 6, 4),
            "b1",
            random(false, 4),
            "w2",
            random(false, 4, 3),
            "b2",
            random(false, 3),
            "target",
            HostTensor.of(new double[] {.2, 0, 0, 0, .2, 0, 0, 0, .2, .2, 0, 0, 0, .2, 0}, 5, 3)),
        "w1",
        "b1",
        "w2",
        "b2");
  }

  @Test
  void layerNormSpelledOutAsInTheBertExports() {
    // What the exports contain: (x - mean) / sqrt(mean((x - mean)^2) + eps) * gamma + beta
    check(
        "LayerNorm",
        g -> {
          String x = g.input("x", 2, 3, 8);
          String gamma = g.input("gamma", 8);
          String beta = g.input("beta", 8);
          String centered = g.sub(x, g.reduceMean(x, true, 2));
          String variance = g.reduceMean(g.pow(centered, g.scalar(2)), true, 2);
          String normed = g.div(centered, g.sqrt(g.add(variance, g.scalar(1e-12))));
          return g.add(g.mul(normed, gamma), beta);
        },
        Map.of("x", random(false, 2, 3, 8), "gamma", random(false, 8), "beta", random(false, 8)),
        "x",
        "gamma",
        "beta");
  }

  @Test
  void unrelatedParameterIsAClearError() {
    GraphBuilder g = new GraphBuilder("t", ElementType.DOUBLE);
    String x = g.input("x", 2);
    g.input("unused", 2);
    String loss = g.sumAll(g.mul(x, x));
    assertThatThrownBy(() -> Autodiff.gradients(g, loss, List.of("x", "unused")))
        .hasMessageContaining("does not depend on 'unused'");
  }

  @Test
  void operatorWithoutRuleIsNamed() {
    GraphBuilder g = new GraphBuilder("t", ElementType.DOUBLE);
    String x = g.input("x", 2, 2);
    String y = g.node("Sin", List.of(x), new long[] {2, 2}, ElementType.DOUBLE);
    String loss = g.sumAll(y);
    assertThatThrownBy(() -> Autodiff.gradients(g, loss, List.of("x")))
        .hasMessageContaining("no gradient rule for Sin");
  }

  @Test
  void nonScalarLossIsRefused() {
    GraphBuilder g = new GraphBuilder("t", ElementType.DOUBLE);
    String x = g.input("x", 2, 2);
    assertThatThrownBy(() -> Autodiff.gradients(g, g.relu(x), List.of("x")))
        .hasMessageContaining("must be a scalar");
  }

  // ---- Harness ------------------------------------------------------------------------------

  private final Random random = new Random(SEED);
  private double tolerance = 1e-6;
  private double step = 1e-6;

  private HostTensor random(boolean positive, long... shape) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      // Away from 0 so Relu's kink and Min/Max ties are never within the finite-difference step.
      double magnitude = 0.2 + 0.8 * random.nextDouble();
      v[i] = positive || random.nextBoolean() ? magnitude : -magnitude;
    }
    return HostTensor.of(v, shape);
  }

  /**
   * Checks d(sum(forward * R))/d(wrt) from the gradient graph against central differences, with R a
   * fixed random tensor so every output element matters with a different weight.
   */
  private void check(String what, Forward forward, Map<String, HostTensor> inputs, String... wrt) {
    Map<String, HostTensor> feed = new LinkedHashMap<>(inputs);
    byte[] lossOnly = lossGraph(forward, feed, false);
    GraphBuilder withGradients = new GraphBuilder("grad", ElementType.DOUBLE);
    String loss = scalarLoss(withGradients, forward, feed);
    withGradients.output(loss, "loss");
    Map<String, String> grads = Autodiff.gradients(withGradients, loss, List.of(wrt));
    grads.forEach((w, grad) -> withGradients.output(grad, "grad." + w));

    try (GraphSession analytic = new GraphSession(withGradients.toBytes(), 1, false);
        GraphSession numeric = new GraphSession(lossOnly, 1, false)) {
      Map<String, HostTensor> result = analytic.run(feed);
      double base = numeric.run(feed).get("loss").get(0);
      assertThat(result.get("loss").get(0)).as(what + ": loss").isCloseTo(base, within(1e-9, base));
      List<String> failures = new ArrayList<>();
      for (String w : wrt) {
        HostTensor x = feed.get(w);
        HostTensor grad = result.get("grad." + w);
        assertThat(grad.shape()).as(what + ": shape of grad " + w).isEqualTo(x.shape());
        for (int i = 0; i < x.size(); i++) {
          double h = step;
          Map<String, HostTensor> plus = new LinkedHashMap<>(feed);
          plus.put(w, x.with(i, x.get(i) + h));
          Map<String, HostTensor> minus = new LinkedHashMap<>(feed);
          minus.put(w, x.with(i, x.get(i) - h));
          double fd =
              (numeric.run(plus).get("loss").get(0) - numeric.run(minus).get("loss").get(0))
                  / (2 * h);
          double an = grad.get(i);
          if (Math.abs(fd - an) > tolerance + 1e-5 * Math.abs(fd)) {
            failures.add(w + "[" + i + "]: analytic " + an + " vs numeric " + fd);
          }
        }
      }
      assertThat(failures).as(what + " (seed " + SEED + ")").isEmpty();
    }
  }

  private static org.assertj.core.data.Offset<Double> within(double abs, double scale) {
    return org.assertj.core.data.Offset.offset(abs + 1e-12 * Math.abs(scale));
  }

  private byte[] lossGraph(Forward forward, Map<String, HostTensor> feed, boolean unused) {
    GraphBuilder g = new GraphBuilder("loss", ElementType.DOUBLE);
    g.output(scalarLoss(g, forward, feed), "loss");
    return g.toBytes();
  }

  /** forward(g) reduced to a scalar with fixed random weights (seeded per graph shape). */
  private static String scalarLoss(GraphBuilder g, Forward forward, Map<String, HostTensor> feed) {
    String y = forward.apply(g);
    long[] shape = g.shape(y);
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    Random weights = new Random(n * 31L + shape.length);
    double[] r = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = weights.nextGaussian();
    }
    return g.sumAll(g.mul(y, g.initializer("weights_r", r, shape)));
  }
}
