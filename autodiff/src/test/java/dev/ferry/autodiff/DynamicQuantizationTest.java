package dev.ferry.autodiff;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The fp32 MiniLM quantized by {@link DynamicQuantization} has the operators of the built-in int8
 * export and computes what it computes.
 */
class DynamicQuantizationTest {
  private static final List<String> SENTENCES =
      List.of(
          "The weather is lovely today.",
          "Wheat exports rose sharply in the third quarter, the ministry said.",
          "Is my invoice wrong?");

  @Test
  void quantizesEveryWeightMatMulAsTheBuiltInInt8ExportDoes() throws Exception {
    try (Encoder fp32 = Encoder.open(BuiltinEncoder.ALL_MINILM_L6_V2, EncoderOptions.defaults());
        Encoder int8 = Encoder.open(BuiltinEncoder.ALL_MINILM_L6_V2_Q, EncoderOptions.defaults())) {
      byte[] original = Files.readAllBytes(fp32.modelFile());
      byte[] quantized = DynamicQuantization.quantize(original);
      Map<String, Integer> ops = opCounts(quantized);
      Map<String, Integer> builtIn = opCounts(Files.readAllBytes(int8.modelFile()));
      // Six weight matrices in each of six layers, one dynamic quantization per distinct input.
      assertThat(ops.get("MatMulInteger")).isEqualTo(36).isEqualTo(builtIn.get("MatMulInteger"));
      assertThat(ops.get("DynamicQuantizeLinear"))
          .isEqualTo(24)
          .isEqualTo(builtIn.get("DynamicQuantizeLinear"));
      assertThat(ops.get("MatMul")).isEqualTo(12).isEqualTo(builtIn.get("MatMul"));
      // The word, position and token-type tables.
      assertThat(ops.get("DequantizeLinear"))
          .isEqualTo(3)
          .isEqualTo(builtIn.get("DequantizeLinear"));
      assertThat(quantized.length).isLessThan(original.length * 3 / 10);

      Map<String, HostTensor> batch = OnnxImportTest.tokenBatch(fp32, SENTENCES);
      long[] mask = batch.get("attention_mask").longs();
      float[][] reference = sentences(hidden(original, batch), mask);
      float[][] ours = sentences(hidden(quantized, batch), mask);
      float[][] theirs = sentences(hidden(Files.readAllBytes(int8.modelFile()), batch), mask);
      for (int i = 0; i < SENTENCES.size(); i++) {
        double ourCosine = cosine(reference[i], ours[i]);
        double theirCosine = cosine(reference[i], theirs[i]);
        System.out.printf(
            "int8 MiniLM's sentence vector against fp32: cosine %.5f (the built-in -q: %.5f)%n",
            ourCosine, theirCosine);
        assertThat(ourCosine).isGreaterThan(0.98).isGreaterThanOrEqualTo(theirCosine - 0.005);
        assertThat(cosine(ours[i], theirs[i])).isGreaterThan(0.98);
      }
    }
  }

  private static Map<String, Integer> opCounts(byte[] model) throws Exception {
    Map<String, Integer> counts = new TreeMap<>();
    for (OnnxMl.NodeProto n : OnnxMl.ModelProto.parseFrom(model).getGraph().getNodeList()) {
      counts.merge(n.getOpType(), 1, Integer::sum);
    }
    return counts;
  }

  private static float[] hidden(byte[] model, Map<String, HostTensor> batch) {
    try (GraphSession s = new GraphSession(model, 1)) {
      return s.run(batch).get("last_hidden_state").floats();
    }
  }

  /**
   * Each sentence's mean over its tokens (the mask's 1s) of hidden states [sentences, tokens, 384].
   */
  private static float[][] sentences(float[] hidden, long[] mask) {
    int n = SENTENCES.size();
    int tokens = mask.length / n;
    int width = hidden.length / mask.length;
    float[][] out = new float[n][width];
    for (int s = 0; s < n; s++) {
      for (int t = 0; t < tokens; t++) {
        if (mask[s * tokens + t] == 1) {
          for (int d = 0; d < width; d++) {
            out[s][d] += hidden[(s * tokens + t) * width + d];
          }
        }
      }
    }
    return out;
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
