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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** How the encoder behaves on real models: batching, odd input, threads, lifecycle. */
class EncoderBehaviourTest {
  private static final long SEED = Long.getLong("tests.seed", System.nanoTime());

  private static Encoder miniLm() {
    return SharedEncoders.get(BuiltinEncoder.ALL_MINILM_L6_V2);
  }

  /** Texts from 1 to a few hundred words, in random order. */
  static List<String> mixedLengthTexts(Random random, int count) {
    String[] words =
        ("the grain harvest exports rose wheat corn soviet union tonnes agriculture"
                + " department said prices market week report trade shipment quarter earnings company"
                + " shares dividend email offer free click money")
            .split(" ");
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = 1 + (int) Math.pow(random.nextDouble(), 3) * 300;
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w < n; w++) {
        sb.append(words[random.nextInt(words.length)]).append(w % 12 == 11 ? ". " : " ");
      }
      texts.add(sb.toString().trim());
    }
    return texts;
  }

  @Test
  void bucketedBatchingGivesTheSameVectorsAsPaddingToMaxLengthInInputOrder() {
    Random random = new Random(SEED);
    List<String> texts = mixedLengthTexts(random, 40);
    float[][] bucketed = miniLm().embed(texts);
    try (Encoder naive =
        Encoder.open(
            BuiltinEncoder.ALL_MINILM_L6_V2,
            EncoderOptions.defaults()
                .withBatching(Batching.PAD_TO_MAX_LENGTH)
                .withMaxBatchSize(8))) {
      float[][] padded = naive.embed(texts);
      for (int i = 0; i < texts.size(); i++) {
        assertThat(cosine(bucketed[i], padded[i]))
            .as("text %d (seed %d)", i, SEED)
            .isGreaterThan(0.99999);
      }
      EncoderStats stats = naive.stats();
      assertThat(stats.paddedTokens()).isEqualTo(40L * 256);
    }
  }

  @Test
  void aTextEmbedsTheSameAloneAsInABatch() {
    List<String> texts = mixedLengthTexts(new Random(SEED), 12);
    float[][] batch = miniLm().embed(texts);
    for (int i = 0; i < texts.size(); i += 5) {
      assertThat(cosine(miniLm().embed(texts.get(i)), batch[i]))
          .as("seed %d", SEED)
          .isGreaterThan(0.99999);
    }
  }

  @Test
  void bucketingRespectsTheTokenBudgetAndReducesPadding() {
    List<String> texts = mixedLengthTexts(new Random(SEED), 64);
    EncoderStats before = miniLm().stats();
    miniLm().embed(texts);
    EncoderStats spent = miniLm().stats().since(before);
    assertThat(spent.texts()).isEqualTo(64);
    assertThat(spent.paddingFraction()).as("seed %d", SEED).isLessThan(0.25);
    assertThat(spent.tokenizeNanos()).isPositive();
    assertThat(spent.inferenceNanos()).isPositive();
  }

  @Test
  void oddInputGivesFiniteUnitVectors() {
    String megabyte = "All work and no play makes Jack a dull boy. ".repeat(1 << 20 / 44);
    List<String> odd =
        List.of(
            "",
            "   \t\n  ",
            "\u0000\u0001\u0007 bell and nul",
            "\uD800 lone high",
            "lone low \uDC00",
            "\uDBFF",
            "emoji 🙂 and 中文 text",
            "\u202Eright-to-left override",
            megabyte,
            "x".repeat(1 << 20));
    float[][] v = miniLm().embed(odd);
    for (int i = 0; i < odd.size(); i++) {
      assertThat(v[i]).as("input %d", i).hasSize(384);
      for (float x : v[i]) {
        assertThat(Float.isFinite(x)).as("input %d", i).isTrue();
      }
      assertThat(norm(v[i])).as("input %d", i).isCloseTo(1.0, within(1e-4));
    }
  }

  @Test
  void emptyAndWhitespaceTextAreJustClsAndSep() {
    assertThat(miniLm().tokenIds("")).containsExactly(101, 102);
    assertThat(miniLm().tokenIds(" \n\t ")).containsExactly(101, 102);
  }

  @Test
  void megabyteTextIsTruncatedExactlyAsIfTokenizedWhole() {
    String page = "Grain exports rose in the third quarter, the department said. ";
    String longText = page.repeat(20_000);
    long[] ids = miniLm().tokenIds(longText);
    assertThat(ids).hasSize(256);
    assertThat(ids[255]).isEqualTo(102);
    // A text just long enough to be truncated, short enough not to be pre-cut, gives the same ids.
    String justOver = page.repeat(30);
    assertThat(justOver.length()).isLessThan(256 * TextTokenizer.CHARS_PER_TOKEN_BOUND);
    assertThat(ids).containsExactly(miniLm().tokenIds(justOver));
  }

  @Test
  void preCutNeverChangesTheIdsOfRealEmails() throws java.io.IOException {
    java.nio.file.Path spam =
        java.nio.file.Path.of(
            System.getProperty("ferry.shared.data", "../shared/data"), "spamassassin.jsonl.gz");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.nio.file.Files.exists(spam), "no ../shared/data");
    int checked = 0;
    try (TextTokenizer whole =
            new TextTokenizer(
                BuiltinModelCache.defaultCache()
                    .materialize(BuiltinEncoder.ALL_MINILM_L6_V2)
                    .tokenizer(),
                256);
        dev.ferry.models.data.JsonlReader reader = dev.ferry.models.data.JsonlReader.open(spam)) {
      for (dev.ferry.models.data.JsonlLine line : reader) {
        if (line instanceof dev.ferry.models.data.TextRecord r && checked++ < 600) {
          assertThat(miniLm().tokenIds(r.text()))
              .as("line %d", r.lineNumber())
              .containsExactly(whole.idsWithoutPreCut(r.text()));
        }
      }
    }
  }

  @Test
  void longTokensThatDoNotFillTheWindowFromTheCutAreTokenizedWhole() {
    // Runs of random letters split into many pieces (or [UNK] past 100 chars); a cut prefix
    // that does not fill the window must fall back to the whole text, never change the ids.
    Random random = new Random(SEED);
    try (TextTokenizer whole =
        new TextTokenizer(
            BuiltinModelCache.defaultCache()
                .materialize(BuiltinEncoder.ALL_MINILM_L6_V2)
                .tokenizer(),
            256)) {
      for (int round = 0; round < 8; round++) {
        StringBuilder sb = new StringBuilder();
        int wordLength = 5 + random.nextInt(60);
        while (sb.length() < 20_000) {
          for (int i = 0; i < wordLength; i++) {
            sb.append((char) ('a' + random.nextInt(26)));
          }
          sb.append(random.nextInt(3) == 0 ? "" : " ");
        }
        String text = sb.toString();
        assertThat(miniLm().tokenIds(text))
            .as("seed %d, round %d", SEED, round)
            .containsExactly(whole.idsWithoutPreCut(text));
      }
    }
  }

  @Test
  void supplementaryCharactersSurviveTheTripToNativeCodeAndLoneSurrogatesAreReplaced() {
    long[] withEmoji = miniLm().tokenIds("a \uD83D\uDE42 b");
    assertThat(withEmoji).containsExactly(101, 1037, 100, 1038, 102); // emoji is [UNK] here
    // A lone surrogate becomes U+FFFD, which the BERT normalizer drops, as it drops NUL.
    assertThat(miniLm().tokenIds("a \uD800 b")).containsExactly(101, 1037, 1038, 102);
    assertThat(miniLm().tokenIds("a \u0000 b")).containsExactly(101, 1037, 1038, 102);
  }

  @Test
  void concurrentCallersGetTheSameVectorsAsOne() throws Exception {
    List<String> texts = mixedLengthTexts(new Random(SEED), 24);
    float[][] expected = miniLm().embed(texts);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[][]>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> miniLm().embed(texts)));
      }
      for (Future<float[][]> f : results) {
        float[][] got = f.get();
        for (int i = 0; i < texts.size(); i++) {
          assertThat(cosine(got[i], expected[i])).isGreaterThan(0.99999);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aReleasedSessionOpensAgainAtTheNextEmbeddingWithTheSameVectors() throws Exception {
    List<String> texts = mixedLengthTexts(new Random(SEED), 12);
    try (Encoder encoder =
        Encoder.open(BuiltinEncoder.ALL_MINILM_L6_V2, EncoderOptions.defaults())) {
      float[][] before = encoder.embed(texts);
      encoder.releaseSession();
      encoder.releaseSession(); // twice is harmless
      // Tokenizing needs no session.
      assertThat(encoder.tokenIds(texts.get(0))).isNotEmpty();
      // Several callers reopen it at once: one session, the same vectors for each.
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        List<Future<float[][]>> results = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
          results.add(pool.submit(() -> encoder.embed(texts)));
        }
        for (Future<float[][]> f : results) {
          float[][] got = f.get();
          for (int i = 0; i < texts.size(); i++) {
            assertThat(got[i]).as("text %d", i).isEqualTo(before[i]);
          }
        }
      } finally {
        pool.shutdownNow();
      }
      encoder.releaseSession();
      encoder.close();
      encoder.releaseSession(); // after close: nothing to free, no error
      assertThatThrownBy(() -> encoder.embed(texts)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void bgeAddsItsQueryPrefixToQueriesOnly() {
    Encoder bge = SharedEncoders.get(BuiltinEncoder.BGE_SMALL_EN_V15);
    assertThat(bge.descriptor().queryPrefix()).startsWith("Represent this sentence");
    String q = "wheat exports";
    float[] asQuery = bge.embed(List.of(q), TextRole.QUERY)[0];
    float[] asDocument = bge.embed(List.of(q), TextRole.DOCUMENT)[0];
    float[] prefixedByHand = bge.embed(bge.descriptor().queryPrefix() + q);
    assertThat(cosine(asQuery, prefixedByHand)).isGreaterThan(0.99999);
    assertThat(cosine(asQuery, asDocument)).isLessThan(0.999);
    // MiniLM has no prefixes: both roles give the same vector.
    assertThat(cosine(miniLm().embed(List.of(q), TextRole.QUERY)[0], miniLm().embed(q)))
        .isGreaterThan(0.99999);
  }

  @Test
  void cudaRequestOnACpuOnlyBuildFallsBackToCpu() {
    try (Encoder encoder =
        Encoder.open(
            "all-minilm-l6-v2-q",
            EncoderOptions.defaults().withExecutionProvider(ExecutionProvider.CUDA))) {
      assertThat(encoder.executionProvider()).isEqualTo(ExecutionProvider.CPU);
      assertThat(encoder.embed("still works")).hasSize(384);
    }
  }

  @Test
  void optionsOverrideTheModelsConventions() {
    try (Encoder cls =
        Encoder.open(
            "all-minilm-l6-v2-q",
            EncoderOptions.defaults().withPooling(Pooling.CLS).withMaxLength(16))) {
      assertThat(cls.descriptor().pooling()).isEqualTo(Pooling.CLS);
      assertThat(cls.tokenIds("word ".repeat(100))).hasSize(16);
      Encoder mean = SharedEncoders.get(BuiltinEncoder.ALL_MINILM_L6_V2_Q);
      assertThat(cosine(cls.embed("hello world"), mean.embed("hello world"))).isLessThan(0.99);
    }
  }

  @Test
  void aClosedEncoderRefusesWorkAndNullTextsAreNamed() {
    Encoder encoder = Encoder.open("all-minilm-l6-v2-q");
    assertThatThrownBy(() -> encoder.embed(Arrays.asList("fine", null)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("index 1");
    encoder.close();
    encoder.close();
    assertThatThrownBy(() -> encoder.embed("late"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void unknownNamesSayWhatExists() {
    assertThatThrownBy(() -> Encoder.open("no-such-model"))
        .isInstanceOf(EncoderLoadException.class)
        .hasMessageContaining("all-minilm-l6-v2")
        .hasMessageContaining("bge-small-en-v1.5-q")
        .hasMessageContaining("tokenizer.json");
  }
}
