package dev.ferry.models.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.autodiff.AdamW;
import dev.ferry.autodiff.Autodiff;
import dev.ferry.autodiff.GraphBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * GraphSession's inputs through the direct buffers it keeps between runs, boolean tensors both
 * ways, and state updated in native memory. The graphs come from the autodiff module's builder,
 * which is why the test lives here.
 */
class GraphSessionTest {

  /** y = x * (kept ? 2 : 0), and whether each x is positive. */
  private static byte[] maskedDouble() {
    GraphBuilder g = new GraphBuilder("masked", ElementType.FLOAT);
    String x = g.input("x", GraphBuilder.UNKNOWN);
    String kept = g.input("kept", ElementType.BOOL, GraphBuilder.UNKNOWN);
    g.output(g.mul(x, g.mul(g.cast(kept, ElementType.FLOAT), g.scalar(2))), "y");
    g.output(g.greater(x, g.scalar(0)), "positive");
    return g.toBytes();
  }

  private static Map<String, HostTensor> inputs(int n, float offset) {
    float[] x = new float[n];
    byte[] kept = new byte[n];
    for (int i = 0; i < n; i++) {
      x[i] = i + offset;
      kept[i] = (byte) (i % 3 == 0 ? 0 : 1);
    }
    return Map.of("x", HostTensor.of(x, n), "kept", HostTensor.ofBools(kept, n));
  }

  private static void assertResult(Map<String, HostTensor> out, int n, float offset) {
    HostTensor y = out.get("y");
    HostTensor positive = out.get("positive");
    assertThat(y.shape()).containsExactly(n);
    assertThat(positive.type()).isEqualTo(ElementType.BOOL);
    for (int i = 0; i < n; i++) {
      assertThat(y.floats()[i]).isEqualTo(i % 3 == 0 ? 0 : 2 * (i + offset));
      assertThat(positive.bools()[i]).isEqualTo((byte) (i + offset > 0 ? 1 : 0));
    }
  }

  @Test
  void inputsGrowingAndShrinkingReuseTheirBuffersCorrectly() {
    try (GraphSession session = new GraphSession(maskedDouble(), 1)) {
      // Larger, smaller, then larger again than the kept buffer: every run sees only its values.
      for (int n : new int[] {3, 1000, 2, 7, 5000, 1}) {
        float offset = -n / 2f;
        assertResult(session.run(inputs(n, offset)), n, offset);
      }
    }
  }

  @Test
  void concurrentRunsEachSeeTheirOwnInputs() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (GraphSession session = new GraphSession(maskedDouble(), 1)) {
      List<Future<?>> runs = new ArrayList<>();
      for (int task = 0; task < 16; task++) {
        int n = 100 + 37 * task;
        float offset = task - 8;
        runs.add(pool.submit(() -> assertResult(session.run(inputs(n, offset)), n, offset)));
      }
      for (Future<?> run : runs) {
        run.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void stateIsUpdatedInNativeMemory() {
    GraphBuilder g = new GraphBuilder("count", ElementType.FLOAT);
    String w = g.input("w", 2, 3);
    String step = g.input("step");
    g.output(g.add(w, step), "w.next");
    g.output(g.sumAll(w), "sum");
    try (GraphSession session = new GraphSession(g.toBytes(), 1);
        NativeState state =
            new NativeState(Map.of("w", HostTensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)))) {
      for (int k = 1; k <= 3; k++) {
        HostTensor sum =
            session
                .run(
                    Map.of("step", HostTensor.of(new float[] {k})),
                    state,
                    Map.of("w.next", "w"),
                    Set.of("sum"))
                .get("sum");
        // Each run reads what the one before wrote: 21, then 21 + 6, then 21 + 6 + 12.
        assertThat(sum.get(0)).isEqualTo(21 + 6 * (k - 1) * k / 2.0);
      }
      assertThat(state.shape("w")).containsExactly(2, 3);
      assertThat(state.get("w").floats()).containsExactly(7, 8, 9, 10, 11, 12);
    }
  }

  /**
   * A least-squares fit by AdamW, its weights and moments written over themselves at each step: the
   * same values, bit for bit, as written into spare buffers, with and without clipping (the update
   * comes after every read of what it overwrites).
   */
  @ParameterizedTest
  @ValueSource(doubles = {0, 1})
  void adamWStepsWrittenInPlaceMatchStepsIntoSpareBuffers(double clipNorm) {
    GraphBuilder g = new GraphBuilder("fit", ElementType.FLOAT);
    String x = g.input("x", 4, 3);
    String y = g.input("y", 4, 2);
    String w = g.input("w", 3, 2);
    String b = g.input("b", 2);
    String error = g.sub(g.add(g.matMul(x, w), b), y);
    String loss = g.sumAll(g.mul(error, error));
    g.output(loss, "loss");
    Map<String, String> gradients = Autodiff.gradients(g, loss, List.of("w", "b"));
    AdamW.append(
        g, gradients, Set.of("w"), AdamW.Settings.defaults().withClipNorm(clipNorm), Map.of());
    byte[] step = g.toBytes();
    Map<String, HostTensor> start = new LinkedHashMap<>();
    start.put("w", HostTensor.of(new float[] {0.5f, -1, 2, 0.25f, -0.75f, 1}, 3, 2));
    start.put("b", HostTensor.of(new float[] {0.1f, -0.2f}, 2));
    Map<String, String> updates = new LinkedHashMap<>();
    for (String p : List.of("w", "b")) {
      for (String name : List.of(p, AdamW.firstMoment(p), AdamW.secondMoment(p))) {
        updates.put(AdamW.next(name), name);
      }
    }
    try (GraphSession session = new GraphSession(step, 1);
        NativeState spare = new NativeState(start);
        NativeState inPlace = NativeState.writtenInPlace(start)) {
      for (NativeState state : List.of(spare, inPlace)) {
        for (String p : List.of("w", "b")) {
          state.putZeros(AdamW.firstMoment(p), state.shape(p));
          state.putZeros(AdamW.secondMoment(p), state.shape(p));
        }
      }
      double firstLoss = Double.NaN;
      double lastLoss = Double.NaN;
      for (int t = 1; t <= 5; t++) {
        Map<String, HostTensor> feed = new HashMap<>();
        feed.put("x", HostTensor.of(new float[] {1, 2, 3, 0, 1, -1, 2, 0, 1, -2, 1, 0}, 4, 3));
        feed.put("y", HostTensor.of(new float[] {1, 0, 0, 1, 1, 1, -1, 2}, 4, 2));
        feed.put(AdamW.LEARNING_RATE, HostTensor.scalar(ElementType.FLOAT, 0.1));
        feed.put(
            AdamW.BIAS_CORRECTION1, HostTensor.scalar(ElementType.FLOAT, 1 - Math.pow(0.9, t)));
        feed.put(
            AdamW.BIAS_CORRECTION2, HostTensor.scalar(ElementType.FLOAT, 1 - Math.pow(0.999, t)));
        double a = session.run(feed, spare, updates, Set.of("loss")).get("loss").get(0);
        double c = session.run(feed, inPlace, updates, Set.of("loss")).get("loss").get(0);
        assertThat(c).as("loss at step %d", t).isEqualTo(a);
        firstLoss = t == 1 ? a : firstLoss;
        lastLoss = a;
      }
      assertThat(lastLoss).isLessThan(firstLoss);
      for (String name : updates.values()) {
        assertThat(inPlace.get(name).floats()).as(name).isEqualTo(spare.get(name).floats());
      }
      assertThat(inPlace.get(AdamW.secondMoment("w")).floats()).doesNotContain(0f);
    }
  }
}
