package dev.ferry.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.autodiff.AdamW;
import dev.ferry.autodiff.GraphBuilder;
import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import dev.ferry.models.graph.NativeState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The update in Java against the graph's ({@link AdamW#append}, itself checked against the
 * published algorithm): the same parameters and moments after steps with clipping, decay of
 * matrices only, a rate factor and a group that started later, on one thread and on three.
 */
class InPlaceAdamWTest {
  private static final AdamW.Settings SETTINGS = new AdamW.Settings(0.9, 0.999, 1e-8, 0.1, 0.5);

  /** Parameter → shape: matrices and vectors, one longer than a block, one of a single element. */
  private static final Map<String, long[]> SHAPES = new LinkedHashMap<>();

  static {
    SHAPES.put("w", new long[] {5, 7});
    SHAPES.put("b", new long[] {7});
    SHAPES.put("long", new long[] {5000});
    SHAPES.put("scaled", new long[] {3, 4});
    SHAPES.put("one", new long[] {1});
  }

  private static final Map<String, Double> RATE_SCALE = Map.of("scaled", 0.5);
  private static final Map<String, String> GROUP = Map.of("b", "late", "one", "late");

  @Test
  void stepsMatchTheGraphsUpdateOnOneThreadAndOnThree() {
    Random random = new Random(7);
    Map<String, HostTensor> values = new LinkedHashMap<>();
    SHAPES.forEach((p, shape) -> values.put(p, randomTensor(shape, random, 1)));
    for (String p : SHAPES.keySet()) {
      values.put(AdamW.firstMoment(p), HostTensor.zeros(ElementType.FLOAT, SHAPES.get(p)));
      values.put(AdamW.secondMoment(p), HostTensor.zeros(ElementType.FLOAT, SHAPES.get(p)));
    }
    List<String> trained = List.copyOf(SHAPES.keySet());
    try (GraphSession graph = new GraphSession(updateGraph(), 1);
        NativeState one = NativeState.writtenInPlace(values);
        NativeState three = NativeState.writtenInPlace(values);
        InPlaceAdamW onOne = new InPlaceAdamW(SETTINGS, RATE_SCALE, GROUP, 1);
        InPlaceAdamW onThree = new InPlaceAdamW(SETTINGS, RATE_SCALE, GROUP, 3)) {
      Map<String, HostTensor> reference = new HashMap<>(values);
      for (int t = 1; t <= 3; t++) {
        double rate = 0.01 * t;
        Map<String, Integer> stepOfGroup = Map.of("", t + 2, "late", t);
        Map<String, HostTensor> gradients = new HashMap<>();
        // Large enough that clipping to 0.5 scales them.
        SHAPES.forEach((p, shape) -> gradients.put(p, randomTensor(shape, random, 0.1)));

        Map<String, HostTensor> feed = new HashMap<>(reference);
        gradients.forEach((p, g) -> feed.put(InPlaceAdamW.gradient(p), g));
        feed.put(AdamW.LEARNING_RATE, HostTensor.scalar(ElementType.FLOAT, rate));
        stepOfGroup.forEach(
            (group, step) -> {
              List<String> names = AdamW.biasCorrections(group);
              feed.put(names.get(0), scalar(1 - Math.pow(SETTINGS.beta1(), step)));
              feed.put(names.get(1), scalar(1 - Math.pow(SETTINGS.beta2(), step)));
            });
        Map<String, HostTensor> out = graph.run(feed);
        for (String p : trained) {
          for (String name : List.of(p, AdamW.firstMoment(p), AdamW.secondMoment(p))) {
            reference.put(name, out.get(AdamW.next(name)));
          }
        }

        for (NativeState state : List.of(one, three)) {
          gradients.forEach((p, g) -> state.put(InPlaceAdamW.gradient(p), g));
        }
        double norm = onOne.apply(one, trained, rate, stepOfGroup);
        assertThat(onThree.apply(three, trained, rate, stepOfGroup))
            .isCloseTo(norm, within(1e-6 * norm));
        assertThat(norm)
            .isCloseTo(out.get(AdamW.GRADIENT_NORM).get(0), within(1e-5 * norm))
            .isGreaterThan(SETTINGS.clipNorm());
        for (NativeState state : List.of(one, three)) {
          for (String p : trained) {
            for (String name : List.of(p, AdamW.firstMoment(p), AdamW.secondMoment(p))) {
              assertClose(state.get(name), reference.get(name), name + " at step " + t);
            }
            assertThat(state.get(InPlaceAdamW.gradient(p)).floats())
                .as("the gradient is left at zero")
                .containsOnly(0f);
          }
        }
      }
      // The steps moved the parameters.
      assertThat(one.get("long").floats()).isNotEqualTo(values.get("long").floats());
    }
  }

  @Test
  void aGroupWithoutAStepCountIsNamed() {
    Map<String, HostTensor> values = new LinkedHashMap<>();
    values.put("b", HostTensor.of(new float[] {1}, 1));
    values.put(AdamW.firstMoment("b"), HostTensor.of(new float[] {0}, 1));
    values.put(AdamW.secondMoment("b"), HostTensor.of(new float[] {0}, 1));
    values.put(InPlaceAdamW.gradient("b"), HostTensor.of(new float[] {1}, 1));
    try (NativeState state = NativeState.writtenInPlace(values);
        InPlaceAdamW adamW = new InPlaceAdamW(SETTINGS, Map.of(), GROUP, 1)) {
      assertThatThrownBy(() -> adamW.apply(state, List.of("b"), 0.1, Map.of("", 1)))
          .hasMessageContaining("'late'")
          .hasMessageContaining("b");
    }
  }

  /** {@link AdamW#append} over {@link #SHAPES}, each gradient an input. */
  private static byte[] updateGraph() {
    GraphBuilder g = new GraphBuilder("adamw", ElementType.FLOAT);
    Map<String, String> gradients = new LinkedHashMap<>();
    Set<String> decayed = new HashSet<>();
    SHAPES.forEach(
        (p, shape) -> {
          g.input(p, shape);
          gradients.put(p, g.input(InPlaceAdamW.gradient(p), shape));
          if (shape.length >= 2) {
            decayed.add(p);
          }
        });
    AdamW.append(g, gradients, decayed, SETTINGS, RATE_SCALE, GROUP);
    return g.toBytes();
  }

  private static void assertClose(HostTensor actual, HostTensor expected, String what) {
    float[] a = actual.floats();
    float[] e = expected.floats();
    assertThat(a).as(what).hasSameSizeAs(e);
    // Float rounding, relative to the element and (where a difference cancelled) to the tensor.
    float largest = 0;
    for (float x : e) {
      largest = Math.max(largest, Math.abs(x));
    }
    for (int i = 0; i < a.length; i++) {
      assertThat(a[i])
          .as("%s [%d]", what, i)
          .isCloseTo(e[i], within(1e-6f * largest + 1e-5f * Math.abs(e[i])));
    }
  }

  private static HostTensor randomTensor(long[] shape, Random random, double scale) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (random.nextGaussian() * scale);
    }
    return HostTensor.of(v, shape);
  }

  private static HostTensor scalar(double value) {
    return HostTensor.scalar(ElementType.FLOAT, value);
  }
}
