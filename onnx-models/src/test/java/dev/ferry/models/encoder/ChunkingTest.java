package dev.ferry.models.encoder;

import static dev.ferry.models.encoder.SharedEncoders.cosine;
import static dev.ferry.models.encoder.SharedEncoders.norm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Whole-document embeddings: windows over long texts, and the pooled document vector. */
class ChunkingTest {
  private static final String[] WORDS =
      ("wheat corn grain exports rose tonnes shipments farmers harvest "
              + "prices fell market traders soybean futures department agriculture weather drought rain crop "
              + "the a of to and in for on with by from at")
          .split(" ");

  private static Encoder encoder;
  private static TextTokenizer tokenizer;

  @BeforeAll
  static void open() {
    encoder = SharedEncoders.get(BuiltinEncoder.ALL_MINILM_L6_V2_Q);
    tokenizer = new TextTokenizer(encoder.tokenizerFile(), encoder.descriptor().maxLength());
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  static String words(int count, long seed) {
    Random random = new Random(seed);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < count; i++) {
      b.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
    }
    return b.toString();
  }

  @Test
  void aTextThatFitsIsOneChunkWithExactlyTheVectorOfEmbed() {
    String text = "  Wheat exports rose 5 pct in the week.  ";
    DocumentEmbedding doc = encoder.embedDocument(text, Chunking.DEFAULT);
    assertThat(doc.chunks()).hasSize(1);
    assertThat(doc.complete()).isTrue();
    assertThat(doc.vector()).containsExactly(encoder.embed(text));
    ChunkEmbedding chunk = doc.chunks().get(0);
    assertThat(text.substring(chunk.start(), chunk.end())).isEqualTo(text.strip());
    assertThat(chunk.tokens()).isEqualTo(encoder.tokenIds(text).length - 2);
  }

  @Test
  void chunkTextsAreThePiecesEmbedDocumentsEmbedsAndRetokenizeToTheirChunks() {
    String text = words(700, 5);
    Chunking chunking = new Chunking(64, 8, 0, ChunkPooling.TOKEN_WEIGHTED_MEAN);
    List<String> pieces = encoder.chunkTexts(text, chunking);
    DocumentEmbedding doc = encoder.embedDocument(text, chunking);
    assertThat(pieces).hasSize(doc.chunks().size()).hasSizeGreaterThan(10);
    for (int i = 0; i < pieces.size(); i++) {
      ChunkEmbedding c = doc.chunks().get(i);
      assertThat(pieces.get(i)).isEqualTo(text.substring(c.start(), c.end()));
      // Whole words here, so tokenizing the piece again gives the chunk's tokens and [CLS]/[SEP].
      assertThat(encoder.tokenIds(pieces.get(i))).hasSize(c.tokens() + 2);
    }
    assertThat(encoder.chunkTexts(text, Chunking.FIRST_WINDOW))
        .singleElement()
        .satisfies(first -> assertThat(text).startsWith(first));
    assertThat(encoder.chunkTexts("", chunking)).containsExactly("");
    assertThatThrownBy(() -> encoder.chunkTexts(null, chunking))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void theFirstWindowIsWhatEmbedReadsAndFirstWindowChunkingStopsThere() {
    String text = words(900, 1);
    TextTokenizer.Windows windows = tokenizer.windows(text, new long[0], 256, 32, 0);
    assertThat(windows.windows().get(0).ids()).containsExactly(tokenizer.ids(text));

    DocumentEmbedding first = encoder.embedDocument(text, Chunking.FIRST_WINDOW);
    assertThat(first.chunks()).hasSize(1);
    assertThat(first.complete()).isFalse();
    assertThat(first.vector()).containsExactly(encoder.embed(text));
  }

  @Test
  void windowsAreFullOverlapAndCoverEveryToken() {
    String text = words(700, 2);
    long[] all = tokenizer.bareIds(text);
    int room = 256 - 2;
    List<TextTokenizer.Window> windows = tokenizer.windows(text, new long[0], 256, 32, 0).windows();
    // 0, 222, 444, then the last moved back to end at the end.
    int expected = 1 + (int) Math.ceil((all.length - room) / (double) (room - 32));
    assertThat(windows).hasSize(expected);
    int start = 0;
    for (int i = 0; i < windows.size(); i++) {
      TextTokenizer.Window w = windows.get(i);
      assertThat(w.ids()).hasSize(256);
      assertThat(w.ids()[0]).isEqualTo(101L); // [CLS]
      assertThat(w.ids()[255]).isEqualTo(102L); // [SEP]
      int from = i == windows.size() - 1 ? all.length - room : start;
      assertThat(Arrays.copyOfRange(w.ids(), 1, 255))
          .as("window %d", i)
          .containsExactly(Arrays.copyOfRange(all, from, from + room));
      start += room - 32;
    }
    assertThat(windows.get(0).start()).isZero();
    assertThat(windows.get(windows.size() - 1).end()).isEqualTo(text.length());
    for (int i = 1; i < windows.size(); i++) {
      assertThat(windows.get(i).start())
          .as("window %d overlaps the one before", i)
          .isLessThan(windows.get(i - 1).end())
          .isGreaterThan(windows.get(i - 1).start());
    }
  }

  @Test
  void theDocumentVectorIsTheTokenWeightedMeanOfItsChunksNormalized() {
    String text = words(600, 3);
    DocumentEmbedding doc = encoder.embedDocument(text, Chunking.DEFAULT);
    assertThat(doc.chunks()).hasSizeGreaterThan(1);
    assertThat(doc.complete()).isTrue();
    double[] sum = new double[encoder.dimension()];
    for (ChunkEmbedding c : doc.chunks()) {
      assertThat(norm(c.vector())).isCloseTo(1.0, within(1e-4));
      for (int k = 0; k < sum.length; k++) {
        sum[k] += c.tokens() * c.vector()[k];
      }
    }
    float[] mean = new float[sum.length];
    for (int k = 0; k < sum.length; k++) {
      mean[k] = (float) sum[k];
    }
    assertThat(norm(doc.vector())).isCloseTo(1.0, within(1e-5));
    assertThat(cosine(doc.vector(), mean)).isCloseTo(1.0, within(1e-6));
    // A chunk embeds exactly as the same ids would on their own.
    ChunkEmbedding second = doc.chunks().get(1);
    assertThat(second.index()).isEqualTo(1);
    assertThat(cosine(second.vector(), encoder.embed(text.substring(second.start(), second.end()))))
        .isGreaterThan(0.98);
  }

  @Test
  void theChunkLimitReadsFromTheStartAndSaysTheDocumentIsIncomplete() {
    String text = words(2000, 4);
    Chunking three = new Chunking(128, 16, 3, ChunkPooling.TOKEN_WEIGHTED_MEAN);
    DocumentEmbedding doc = encoder.embedDocument(text, three);
    assertThat(doc.chunks()).hasSize(3);
    assertThat(doc.complete()).isFalse();
    assertThat(doc.chunks().get(0).start()).isZero();
    List<TextTokenizer.Window> unlimited =
        tokenizer.windows(text, new long[0], 128, 16, 0).windows();
    for (int i = 0; i < 3; i++) {
      assertThat(doc.chunks().get(i).start()).isEqualTo(unlimited.get(i).start());
      assertThat(doc.chunks().get(i).end()).isEqualTo(unlimited.get(i).end());
    }
  }

  @Test
  void aHugeTextIsPreCutYetGivesTheSameWindows() {
    String text = words(200_000, 5); // about 1.3 MB
    TextTokenizer.Windows capped = tokenizer.windows(text, new long[0], 256, 32, 4);
    TextTokenizer.Windows whole = tokenizer.windows(text, new long[0], 256, 32, 0);
    assertThat(capped.complete()).isFalse();
    assertThat(whole.complete()).isTrue();
    for (int i = 0; i < 4; i++) {
      assertThat(capped.windows().get(i).ids()).containsExactly(whole.windows().get(i).ids());
      assertThat(capped.windows().get(i).end()).isEqualTo(whole.windows().get(i).end());
    }
  }

  @Test
  void emptyTextIsOneChunkWithNoTokensAndTheVectorOfEmbed() {
    DocumentEmbedding doc = encoder.embedDocument("", Chunking.DEFAULT);
    assertThat(doc.chunks())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.tokens()).isZero();
              assertThat(c.start()).isZero();
              assertThat(c.end()).isZero();
            });
    assertThat(doc.vector()).containsExactly(encoder.embed(""));
  }

  @Test
  void documentsBatchedTogetherGetTheirOwnChunksInOrder() {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      texts.add(words(i % 3 == 0 ? 500 : 40 + i, 100 + i));
    }
    // fp32: int8 models quantize activations per batch, so batch partners move their vectors.
    Encoder fp32 = SharedEncoders.get(BuiltinEncoder.ALL_MINILM_L6_V2);
    List<DocumentEmbedding> together = fp32.embedDocuments(texts, Chunking.DEFAULT);
    assertThat(together).hasSize(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      DocumentEmbedding alone = fp32.embedDocument(texts.get(i), Chunking.DEFAULT);
      assertThat(together.get(i).chunks()).as("text %d", i).hasSameSizeAs(alone.chunks());
      assertThat(cosine(together.get(i).vector(), alone.vector()))
          .as("text %d", i)
          .isCloseTo(1.0, within(1e-5));
    }
  }

  @Test
  void aPrefixIsPutInEveryWindow() {
    long[] prefix = tokenizer.bareIds("passage:");
    String text = words(400, 6);
    List<TextTokenizer.Window> windows = tokenizer.windows(text, prefix, 256, 0, 0).windows();
    assertThat(windows).hasSizeGreaterThan(1);
    for (TextTokenizer.Window w : windows) {
      assertThat(w.ids()).hasSizeLessThanOrEqualTo(256);
      assertThat(Arrays.copyOfRange(w.ids(), 1, 1 + prefix.length)).containsExactly(prefix);
      assertThat(w.tokens()).isEqualTo(w.ids().length - 2 - prefix.length);
    }
  }

  @Test
  void badSettingsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> new Chunking(64, 32, 0, ChunkPooling.TOKEN_WEIGHTED_MEAN))
        .hasMessageContaining("less than half");
    assertThatThrownBy(() -> new Chunking(4, 0, 0, ChunkPooling.TOKEN_WEIGHTED_MEAN))
        .hasMessageContaining("at least 8");
    assertThatThrownBy(() -> new Chunking(0, -1, 0, ChunkPooling.TOKEN_WEIGHTED_MEAN))
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> new Chunking(0, 0, -2, ChunkPooling.TOKEN_WEIGHTED_MEAN))
        .hasMessageContaining("max chunks");
    assertThat(Chunking.DEFAULT.effectiveMaxTokens(256)).isEqualTo(256);
    assertThat(new Chunking(512, 0, 0, ChunkPooling.TOKEN_WEIGHTED_MEAN).effectiveMaxTokens(256))
        .isEqualTo(256);
  }
}
