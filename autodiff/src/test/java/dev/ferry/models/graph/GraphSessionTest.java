package dev.ferry.models.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.autodiff.GraphBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

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
}
