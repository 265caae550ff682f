package dev.ferry.models.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import dev.ferry.models.encoder.TinyGraphs.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model that is not a BERT encoder fails at load, and the error lists what it has. */
class ModelValidationTest {
  @TempDir Path dir;

  private void tokenizer() throws IOException {
    // Any tokenizer will do: validation fails on the model before the tokenizer matters.
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
  }

  @Test
  void imageModelIsRejectedWithItsRealSignature() throws IOException {
    TinyGraphs.identity(
        dir.resolve("model.onnx"),
        new Tensor[] {new Tensor("pixels", DataType.FLOAT, -1, 3, 224, 224)},
        new Tensor[] {new Tensor("logits", DataType.FLOAT, -1, 3, 224, 224)});
    tokenizer();
    assertThatThrownBy(() -> Encoder.open(dir, EncoderOptions.defaults()))
        .isInstanceOf(EncoderLoadException.class)
        .hasMessageContaining("is not a BERT-family encoder")
        .hasMessageContaining("missing input input_ids")
        .hasMessageContaining("unexpected input pixels FLOAT[?,3,224,224]")
        .hasMessageContaining("outputs [logits FLOAT[?,3,224,224]]");
  }

  @Test
  void pooledSentenceEmbeddingOutputIsRejected() throws IOException {
    TinyGraphs.identity(
        dir.resolve("model.onnx"),
        new Tensor[] {
          new Tensor("input_ids", DataType.INT64, -1, -2),
          new Tensor("attention_mask", DataType.INT32, -1, -2)
        },
        new Tensor[] {
          new Tensor("sentence_embedding", DataType.INT64, -1, -2),
          new Tensor("unused", DataType.INT32, -1, -2)
        });
    tokenizer();
    assertThatThrownBy(() -> Encoder.open(dir, EncoderOptions.defaults()))
        .isInstanceOf(EncoderLoadException.class)
        .hasMessageContaining("input attention_mask INT32[?,?] should be INT64[batch,sequence]")
        .hasMessageContaining("no output FLOAT[batch,sequence,hidden]")
        .hasMessageContaining("sentence_embedding INT64[?,?]");
  }

  @Test
  void hiddenSizeThatContradictsConfigIsRejected() throws IOException {
    TinyGraphs.identity(
        dir.resolve("model.onnx"),
        new Tensor[] {
          new Tensor("input_ids", DataType.FLOAT, -1, -2, 768),
          new Tensor("attention_mask", DataType.INT64, -1, -2)
        },
        new Tensor[] {new Tensor("last_hidden_state", DataType.FLOAT, -1, -2, 768)});
    tokenizer();
    Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 384}");
    assertThatThrownBy(() -> Encoder.open(dir, EncoderOptions.defaults()))
        .isInstanceOf(EncoderLoadException.class)
        .hasMessageContaining("has hidden size 768, but the encoder's descriptor says 384");
  }

  @Test
  void missingFilesAreNamedWithWhatTheDirectoryHolds() throws IOException {
    Files.writeString(dir.resolve("README.md"), "hello");
    assertThatThrownBy(() -> Encoder.open(dir, EncoderOptions.defaults()))
        .isInstanceOf(EncoderLoadException.class)
        .hasMessageContaining("needs an ONNX file (model.onnx)")
        .hasMessageContaining("[README.md]");
  }

  @Test
  void garbageModelFileGivesAClearError() throws IOException {
    Files.writeString(dir.resolve("model.onnx"), "not a protobuf");
    tokenizer();
    assertThatThrownBy(() -> Encoder.open(dir, EncoderOptions.defaults()))
        .isInstanceOf(EncoderLoadException.class)
        .hasMessageContaining("ONNX Runtime cannot load")
        .hasMessageContaining("model.onnx");
  }

  @Test
  void directoryExportLoadsWithSentenceTransformersConventions() throws IOException {
    // The MiniLM files as a user would export them, with sentence-transformers' config files.
    BuiltinModelCache.Extracted files =
        BuiltinModelCache.defaultCache().materialize(BuiltinEncoder.ALL_MINILM_L6_V2_Q);
    Files.copy(files.model(), dir.resolve("model.onnx"));
    Files.copy(files.tokenizer(), dir.resolve("tokenizer.json"));
    Files.createDirectories(dir.resolve("1_Pooling"));
    Files.writeString(
        dir.resolve("1_Pooling/config.json"),
        "{\"word_embedding_dimension\": 384, \"pooling_mode_cls_token\": false,"
            + " \"pooling_mode_mean_tokens\": true}");
    Files.writeString(dir.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 256}");
    Files.writeString(
        dir.resolve("modules.json"), "[{\"type\": \"sentence_transformers.models.Normalize\"}]");
    Files.writeString(
        dir.resolve("config_sentence_transformers.json"),
        "{\"prompts\": {\"query\": \"query: \", \"passage\": \"passage: \"}}");
    try (Encoder fromDir = Encoder.open(dir.toString())) {
      EncoderDescriptor d = fromDir.descriptor();
      assertThat(d.pooling()).isEqualTo(Pooling.MEAN);
      assertThat(d.maxLength()).isEqualTo(256);
      assertThat(d.dimension()).isEqualTo(384);
      assertThat(d.normalize()).isTrue();
      assertThat(d.queryPrefix()).isEqualTo("query: ");
      assertThat(d.documentPrefix()).isEqualTo("passage: ");
      assertThat(d.modelSha256()).isEqualTo(files.modelSha256());
      Encoder builtin = SharedEncoders.get(BuiltinEncoder.ALL_MINILM_L6_V2_Q);
      float[] viaDir = fromDir.embed(java.util.List.of("hello world"), TextRole.QUERY)[0];
      float[] viaBuiltin = builtin.embed("query: hello world");
      assertThat(SharedEncoders.cosine(viaDir, viaBuiltin)).isGreaterThan(0.99999);
    }
  }
}
