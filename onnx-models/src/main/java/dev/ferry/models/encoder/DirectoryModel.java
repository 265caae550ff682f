package dev.ferry.models.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A BERT-family export in a directory: the ONNX file, its {@code tokenizer.json}, and the model's
 * conventions read from the sentence-transformers files when they are there ({@code
 * 1_Pooling/config.json}, {@code sentence_bert_config.json}, {@code modules.json}, {@code
 * config_sentence_transformers.json}) or from {@code config.json}.
 *
 * <p>{@code declaredHiddenSize} is 0 when no {@code config.json} states it; the descriptor's
 * dimension is then a placeholder that the model's output shape replaces at load.
 */
record DirectoryModel(
    Path model, Path tokenizer, int declaredHiddenSize, EncoderDescriptor descriptor) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FALLBACK_MAX_LENGTH = 512;

  static DirectoryModel load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new EncoderLoadException(
          "encoder directory "
              + dir
              + " does not exist; expected a"
              + " directory with model.onnx and tokenizer.json, or a built-in name ("
              + BuiltinEncoder.ids()
              + ")");
    }
    Path model = pick(dir, "model.onnx", ".onnx", "an ONNX file (model.onnx)");
    Path tokenizer = pick(dir, "tokenizer.json", "tokenizer.json", "tokenizer.json");
    JsonNode config = read(dir.resolve("config.json"));
    JsonNode pooling = read(dir.resolve("1_Pooling").resolve("config.json"));
    JsonNode sbert = read(dir.resolve("sentence_bert_config.json"));
    JsonNode modules = read(dir.resolve("modules.json"));
    JsonNode st = read(dir.resolve("config_sentence_transformers.json"));
    JsonNode tokenizerConfig = read(dir.resolve("tokenizer_config.json"));

    Pooling pool =
        pooling.path("pooling_mode_cls_token").asBoolean(false) ? Pooling.CLS : Pooling.MEAN;
    int maxLength = sbert.path("max_seq_length").asInt(0);
    if (maxLength <= 0) {
      int fromTokenizer = tokenizerConfig.path("model_max_length").asInt(0);
      maxLength =
          fromTokenizer > 0 && fromTokenizer <= 100_000
              ? fromTokenizer
              : config.path("max_position_embeddings").asInt(FALLBACK_MAX_LENGTH);
    }
    boolean normalize = modules.isMissingNode() || modules.toString().contains("Normalize");
    JsonNode prompts = st.path("prompts");
    String query = prompts.path("query").asText("");
    String document =
        prompts.has("document")
            ? prompts.path("document").asText("")
            : prompts.path("passage").asText("");
    int declaredHidden = config.path("hidden_size").asInt(0);
    String sha;
    try {
      sha = BuiltinModelCache.sha256(model);
    } catch (IOException e) {
      throw new EncoderLoadException("cannot read " + model + ": " + e.getMessage(), e);
    }
    Path name = dir.toAbsolutePath().normalize().getFileName();
    EncoderDescriptor descriptor =
        new EncoderDescriptor(
            name == null ? "encoder" : name.toString(),
            dir.toAbsolutePath().normalize().toString(),
            sha,
            pool,
            normalize,
            maxLength,
            declaredHidden > 0 ? declaredHidden : 1,
            query,
            document);
    return new DirectoryModel(model, tokenizer, declaredHidden, descriptor);
  }

  private static Path pick(Path dir, String preferred, String suffix, String what) {
    for (Path candidate : List.of(dir.resolve(preferred), dir.resolve("onnx").resolve(preferred))) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    List<Path> matches;
    try (Stream<Path> files = Files.list(dir)) {
      matches = files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new EncoderLoadException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    throw new EncoderLoadException(
        "encoder directory "
            + dir
            + " needs "
            + what
            + "; found "
            + (matches.isEmpty()
                ? "none"
                : matches.size()
                    + " candidates "
                    + matches.stream()
                        .map(p -> p.getFileName().toString())
                        .collect(Collectors.joining(", "))
                    + " (name the right one "
                    + preferred
                    + ")")
            + ". Directory holds: "
            + listing(dir));
  }

  private static String listing(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .sorted()
          .collect(Collectors.joining(", ", "[", "]"));
    } catch (IOException e) {
      return "(unreadable)";
    }
  }

  private static JsonNode read(Path file) {
    if (!Files.isRegularFile(file)) {
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new EncoderLoadException("cannot parse " + file + ": " + e.getMessage(), e);
    }
  }
}
