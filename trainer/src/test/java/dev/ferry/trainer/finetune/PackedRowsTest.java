package dev.ferry.trainer.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.models.encoder.ExecutionProvider;
import dev.ferry.models.encoder.Pooling;
import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Short texts packed side by side into rows ({@link Batches#packed}): each keeps to its own tokens,
 * so the trained layers give it the vector the encoder gives it alone.
 */
class PackedRowsTest extends MiniLmTest {

  @Test
  void examplesFillRowsLongestFirstAndSeeOnlyThemselves() {
    FineTuneGraphs.Spec spec = spec(Pooling.MEAN);
    int dim = spec.dimension();
    // Lengths 5, 2, 3, 4 tokens; each token's values are its example's number.
    int[] lengths = {5, 2, 3, 4};
    float[][] cached = new float[lengths.length][];
    for (int i = 0; i < lengths.length; i++) {
      cached[i] = new float[lengths[i] * dim];
      java.util.Arrays.fill(cached[i], i + 1);
    }
    // Rows of 5: [0], [3], [2, 1] (the longest first, each into the first row it fits).
    Map<String, HostTensor> in = Batches.packed(spec, cached, new int[] {0, 1, 2, 3});
    HostTensor hidden = in.get(spec.cut());
    assertThat(hidden.shape()).isEqualTo(new long[] {3, 5, dim});
    assertThat(tokenValues(hidden, dim))
        .containsExactly(1, 1, 1, 1, 1, 4, 4, 4, 4, 0, 3, 3, 3, 2, 2);
    assertThat(Batches.rowsAndWidth(spec, in)).containsExactly(3, 5);

    HostTensor bias = in.get(FineTuneGraphs.ATTENTION_BIAS);
    assertThat(bias.shape()).isEqualTo(new long[] {3, 1, 5, 5});
    // Row 2: example 2 (tokens 0-2) and example 1 (tokens 3-4) do not see each other.
    assertThat(bias.get((2 * 5 + 1) * 5 + 2)).isEqualTo(0);
    assertThat(bias.get((2 * 5 + 1) * 5 + 3)).isLessThan(-1e8f);
    assertThat(bias.get((2 * 5 + 4) * 5 + 3)).isEqualTo(0);
    // Row 1's padding token sees only itself, and example 3 not it.
    assertThat(bias.get((5 + 4) * 5 + 4)).isEqualTo(0);
    assertThat(bias.get((5 + 4) * 5 + 3)).isLessThan(-1e8f);
    assertThat(bias.get((5 + 3) * 5 + 4)).isLessThan(-1e8f);

    HostTensor pooling = in.get(FineTuneGraphs.TOKEN_POOLING);
    assertThat(pooling.shape()).isEqualTo(new long[] {4, 15});
    // Example 1 (in the order given) is tokens 3-4 of row 2: flat 13 and 14, half each.
    for (int t = 0; t < 15; t++) {
      assertThat(pooling.get(15 + t)).isEqualTo(t == 13 || t == 14 ? 0.5f : 0f);
    }
    Map<String, HostTensor> cls = Batches.packed(spec(Pooling.CLS), cached, new int[] {0, 1, 2, 3});
    assertThat(cls.get(FineTuneGraphs.TOKEN_POOLING).get(15 + 13)).isEqualTo(1);
    assertThat(cls.get(FineTuneGraphs.TOKEN_POOLING).get(15 + 14)).isEqualTo(0);
  }

  @Test
  void packedTextsGetTheVectorsTheEncoderGivesThemAlone() {
    List<String> texts = new ArrayList<>(FineTuneTest.TEXTS);
    texts.add("Rain.");
    texts.add("Fog.");
    texts.add("Markets were calm.");
    FineTuneGraphs.Spec spec = spec(encoder.descriptor().pooling());
    long[][] ids = Batches.tokenize(encoder, texts, 256);
    float[][] cached = FrozenLayers.run(spec, ids, ExecutionProvider.CPU, 1);
    int[] rows = IntStream.range(0, texts.size()).toArray();
    Map<String, HostTensor> feed = new HashMap<>(Batches.examples(spec, ids, cached, rows));
    assertThat(Batches.rowsAndWidth(spec, feed)[0]).as("rows").isLessThan(texts.size());
    for (String p : spec.encoderParameters()) {
      feed.put(p, model.parameter(p));
    }
    feed.put(
        FineTuneGraphs.HEAD_WEIGHT, HostTensor.zeros(ElementType.FLOAT, spec.headWeightShape()));
    feed.put(FineTuneGraphs.HEAD_BIAS, HostTensor.zeros(ElementType.FLOAT, 2));
    float[] packed;
    try (GraphSession evaluation = new GraphSession(FineTuneGraphs.evaluation(spec), 1)) {
      packed = evaluation.run(feed).get(FineTuneGraphs.EMBEDDING).floats();
    }
    float[][] alone = encoder.embed(texts);
    int dim = spec.dimension();
    for (int i = 0; i < texts.size(); i++) {
      for (int d = 0; d < dim; d++) {
        assertThat(packed[i * dim + d])
            .as("text %d, dimension %d", i, d)
            .isCloseTo(alone[i][d], within(2e-5f));
      }
    }
  }

  /** The top 2 layers train, from the cached output of the 4 below. */
  private static FineTuneGraphs.Spec spec(Pooling pooling) {
    return new FineTuneGraphs.Spec(model, 2, 2, pooling, encoder.descriptor().normalize());
  }

  /** The first value of each token, the rows laid end to end. */
  private static float[] tokenValues(HostTensor hidden, int dim) {
    float[] all = hidden.floats();
    float[] out = new float[all.length / dim];
    for (int t = 0; t < out.length; t++) {
      out[t] = all[t * dim];
    }
    return out;
  }
}
