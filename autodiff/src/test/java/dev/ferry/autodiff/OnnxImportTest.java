package dev.ferry.autodiff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fp32 MiniLM export imported into a GraphBuilder computes what the original computes. */
class OnnxImportTest {
  private static final List<String> SENTENCES =
      List.of(
          "The weather is lovely today.",
          "Wheat exports rose sharply in the third quarter, the ministry said.",
          "Is my invoice wrong?");

  private static Encoder encoder;
  private static OnnxImport model;
  private static Map<String, HostTensor> batch;
  private static HostTensor reference;

  @BeforeAll
  static void importMiniLm() throws Exception {
    encoder = Encoder.open(BuiltinEncoder.ALL_MINILM_L6_V2, EncoderOptions.defaults());
    model = OnnxImport.read(encoder.modelFile());
    batch = tokenBatch(encoder, SENTENCES);
    try (GraphSession original = new GraphSession(Files.readAllBytes(encoder.modelFile()), 1)) {
      reference = original.run(batch).get("last_hidden_state");
    }
  }

  @AfterAll
  static void close() {
    encoder.close();
  }

  /** input_ids, attention_mask (right-padded) and token_type_ids for a few texts. */
  static Map<String, HostTensor> tokenBatch(Encoder encoder, List<String> texts) {
    long[][] ids = texts.stream().map(encoder::tokenIds).toArray(long[][]::new);
    int width = 0;
    for (long[] row : ids) {
      width = Math.max(width, row.length);
    }
    long[] flat = new long[ids.length * width];
    long[] mask = new long[ids.length * width];
    for (int r = 0; r < ids.length; r++) {
      for (int t = 0; t < ids[r].length; t++) {
        flat[r * width + t] = ids[r][t];
        mask[r * width + t] = 1;
      }
    }
    Map<String, HostTensor> feed = new LinkedHashMap<>();
    feed.put("input_ids", HostTensor.of(flat, ids.length, width));
    feed.put("attention_mask", HostTensor.of(mask, ids.length, width));
    feed.put("token_type_ids", HostTensor.of(new long[flat.length], ids.length, width));
    return feed;
  }

  @Test
  void findsTheSixLayersByParameterAndNodeNames() {
    assertThat(model.opset()).isEqualTo(11);
    assertThat(model.layerCount()).isEqualTo(6);
    // Ten named tensors per layer plus six unnamed MatMul weights (q, k, v, out, up, down).
    for (int layer = 0; layer < 6; layer++) {
      assertThat(model.layerParameters(layer))
          .as("layer " + layer)
          .hasSize(16)
          .contains("encoder.layer." + layer + ".attention.self.query.bias");
    }
    assertThat(model.topLayerParameters(2))
        .hasSize(32)
        .containsAll(model.layerParameters(4))
        .containsAll(model.layerParameters(5));
    assertThat(model.shape(model.layerOutput(3))).containsExactly(-1, -1, 384);
    assertThatThrownBy(() -> model.layerParameters(6)).hasMessageContaining("layers 0..5");
  }

  @Test
  void importedGraphComputesTheSameHiddenStates() {
    GraphBuilder g = new GraphBuilder("minilm", ElementType.FLOAT);
    String hidden = model.addTo(g, Set.of()).get("last_hidden_state");
    g.output(hidden, "hidden");
    try (GraphSession session = new GraphSession(g.toBytes(), 1)) {
      HostTensor imported = session.run(batch).get("hidden");
      assertThat(imported.shape()).isEqualTo(reference.shape());
      double diff = maxAbsDiff(imported, reference);
      System.out.println("imported MiniLM vs original: max abs diff " + diff);
      assertThat(diff).isLessThan(1e-4);
    }
  }

  @Test
  void cutAtALayerComputesTheTopFromCachedHiddenStates() {
    // Lower four layers once (what the trainer caches), then the top two from that value.
    String cut = model.layerOutput(3);
    GraphBuilder lower = new GraphBuilder("lower", ElementType.FLOAT);
    lower.output(model.addTo(lower, Set.of(), null, List.of(cut)).get(cut), "cut");
    GraphBuilder upper = new GraphBuilder("upper", ElementType.FLOAT);
    Set<String> trainable = Set.copyOf(model.topLayerParameters(2));
    upper.output(
        model.addTo(upper, trainable, cut, List.of("last_hidden_state")).get("last_hidden_state"),
        "hidden");
    assertThat(upper.inputNames())
        .contains(cut, "attention_mask")
        .doesNotContain("input_ids")
        .containsAll(trainable);
    try (GraphSession first = new GraphSession(lower.toBytes(), 1);
        GraphSession second = new GraphSession(upper.toBytes(), 1)) {
      Map<String, HostTensor> feed = new LinkedHashMap<>();
      feed.put(cut, first.run(batch).get("cut"));
      feed.put("attention_mask", batch.get("attention_mask"));
      for (String p : trainable) {
        feed.put(p, model.parameter(p));
      }
      double diff = maxAbsDiff(second.run(feed).get("hidden"), reference);
      System.out.println("lower + upper MiniLM vs original: max abs diff " + diff);
      assertThat(diff).isLessThan(1e-4);
    }
  }

  @Test
  void quantizedExportIsRefusedByName() throws Exception {
    try (Encoder q = Encoder.open(BuiltinEncoder.ALL_MINILM_L6_V2_Q, EncoderOptions.defaults())) {
      assertThatThrownBy(() -> OnnxImport.read(q.modelFile()))
          .hasMessageContaining("DynamicQuantizeLinear")
          .hasMessageContaining("fine-tune the fp32 export");
    }
  }

  static double maxAbsDiff(HostTensor a, HostTensor b) {
    double max = 0;
    for (int i = 0; i < a.size(); i++) {
      max = Math.max(max, Math.abs(a.get(i) - b.get(i)));
    }
    return max;
  }
}
