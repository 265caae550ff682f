package dev.ferry.eval.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.eval.accuracy.AccuracyBenchmark.Config;
import dev.ferry.eval.accuracy.AccuracyBenchmark.CurvePoint;
import dev.ferry.eval.accuracy.AccuracyBenchmark.Result;
import dev.ferry.eval.accuracy.AccuracyBenchmark.Score;
import dev.ferry.eval.accuracy.AccuracyBenchmark.Timing;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark end to end on small generated data sets with a fake encoder (hashed words), so it
 * needs neither the shared data nor a model; and the Markdown it prints.
 */
class AccuracyBenchmarkTest {
  @TempDir Path dir;

  private static final Map<String, String> TOPIC =
      Map.of(
          "other",
          "shares profit quarter dividend",
          "grain",
          "wheat tonnes harvest export",
          "corn",
          "corn maize acreage bushels",
          "ham",
          "meeting lunch project thanks",
          "spam",
          "free offer click viagra money");
  private static final String[] NOISE = "the a of and to in for on with said it was".split(" ");

  /**
   * Writes {@code name} as gzipped JSONL: per label, that many texts made of its topic words and
   * noise.
   */
  private void write(String name, Map<String, Integer> counts, long seed) throws IOException {
    Random random = new Random(seed);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve(name)));
        Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8)) {
      int id = 0;
      for (var e : counts.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
        String[] topic = TOPIC.get(e.getKey()).split(" ");
        for (int i = 0; i < e.getValue(); i++) {
          StringBuilder text = new StringBuilder(name + " " + id++);
          for (int j = 0; j < 12; j++) {
            text.append(' ')
                .append(
                    random.nextInt(3) == 0
                        ? topic[random.nextInt(topic.length)]
                        : NOISE[random.nextInt(NOISE.length)]);
          }
          w.write("{\"text\": \"" + text + "\", \"label\": \"" + e.getKey() + "\"}\n");
        }
      }
    }
  }

  /** Hashes each word into one of 16 dimensions; unit length, like the real encoders' vectors. */
  private static float[] fakeEmbedding(String text) {
    float[] v = new float[16];
    for (String word : text.split(" ")) {
      if (!word.chars().allMatch(Character::isDigit) && !word.contains("jsonl")) {
        v[Math.floorMod(word.hashCode(), 16)] += 1;
      }
    }
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    for (int i = 0; i < v.length; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }

  @Test
  void anEncoderEntryNamesHowTextsAreRead() {
    assertThat(AccuracyBenchmark.chunking("all-minilm-l6-v2-q")).isEqualTo(Chunking.DEFAULT);
    assertThat(AccuracyBenchmark.encoderId("all-minilm-l6-v2-q")).isEqualTo("all-minilm-l6-v2-q");
    assertThat(AccuracyBenchmark.chunking("m/first-window")).isEqualTo(Chunking.FIRST_WINDOW);
    assertThat(AccuracyBenchmark.encoderId("m/first-window")).isEqualTo("m");
    assertThat(AccuracyBenchmark.chunking("m/token_weighted_mean"))
        .isEqualTo(Chunking.DEFAULT.withPooling(ChunkPooling.TOKEN_WEIGHTED_MEAN));
    assertThat(AccuracyBenchmark.encoderId("m/first_and_mean")).isEqualTo("m");
    // A model directory is a path, not a pooling.
    assertThat(AccuracyBenchmark.chunking("/models/tickets-encoder")).isEqualTo(Chunking.DEFAULT);
    assertThat(AccuracyBenchmark.encoderId("/models/tickets-encoder"))
        .isEqualTo("/models/tickets-encoder");
  }

  @Test
  void runsEveryMeasurementAndWritesTheReport() throws IOException {
    write("reuters-grain-train.jsonl.gz", Map.of("other", 24, "grain", 8, "corn", 3), 1);
    write("reuters-grain-test.jsonl.gz", Map.of("other", 12, "grain", 4, "corn", 3), 2);
    write("spamassassin.jsonl.gz", Map.of("ham", 40, "spam", 20), 3);
    Config config =
        Config.defaults(dir)
            .withEncoders(List.of("fake-a", "fake-b"))
            .withSeeds(2)
            .withShots(List.of(4, 2))
            .withSpamTrainSize(20)
            .withCurveEpochs(5)
            .withTimingExamples(30);
    List<String> calls = new ArrayList<>();
    List<String> progress = new ArrayList<>();
    Result r =
        AccuracyBenchmark.run(
            config,
            (encoder, texts, p) -> {
              calls.add(encoder + " " + texts.size());
              return texts.stream()
                  .map(AccuracyBenchmarkTest::fakeEmbedding)
                  .toArray(float[][]::new);
            },
            progress::add);

    // Each encoder embeds every distinct text once: 35 + 19 + 60.
    assertThat(calls).containsExactly("fake-a 114", "fake-b 114");
    assertThat(progress).isNotEmpty();

    // Tasks: 2 baselines + 2 encoders x 3 heads, on each of the two tasks.
    assertThat(r.scores()).hasSize(16);
    Score linear =
        r.scores().stream()
            .filter(
                s ->
                    s.task().equals(AccuracyBenchmark.REUTERS)
                        && "fake-a".equals(s.encoder())
                        && s.method().equals("linear"))
            .findFirst()
            .orElseThrow();
    assertThat(linear.train() + linear.valid()).isEqualTo(35);
    assertThat(linear.valid()).isEqualTo(8); // 20% of each label, rounded: 5 + 2 + 1
    assertThat(linear.metrics().examples()).isEqualTo(19);
    assertThat(linear.metrics().labels()).containsExactly("corn", "grain", "other");
    Score spamNb =
        r.scores().stream()
            .filter(
                s ->
                    s.task().equals(AccuracyBenchmark.SPAM)
                        && s.method().equals(AccuracyBenchmark.NAIVE_BAYES))
            .findFirst()
            .orElseThrow();
    assertThat(spamNb.train()).isEqualTo(20);
    assertThat(spamNb.metrics().examples()).isEqualTo(40);
    // The topic words separate the classes: every method does far better than chance.
    assertThat(r.scores()).allSatisfy(s -> assertThat(s.metrics().macroF1()).isGreaterThan(0.5));

    // Curves: (2 baselines + 2 x 3 heads) x 2 sizes x 2 data sets, each over 2 seeds.
    assertThat(r.curve()).hasSize(32).allSatisfy(p -> assertThat(p.macroF1()).hasSize(2));
    CurvePoint reuters4 =
        r.curve().stream()
            .filter(p -> p.dataset().equals(AccuracyBenchmark.REUTERS) && p.k() == 4)
            .findFirst()
            .orElseThrow();
    assertThat(reuters4.capped()).containsExactly(Map.entry("corn", 3));
    assertThat(reuters4.train()).isEqualTo(11);
    CurvePoint spam2 =
        r.curve().stream()
            .filter(p -> p.dataset().equals(AccuracyBenchmark.SPAM) && p.k() == 2)
            .findFirst()
            .orElseThrow();
    assertThat(spam2.train()).isEqualTo(4);
    assertThat(spam2.capped()).isEmpty();

    assertThat(r.timings())
        .hasSize(6)
        .extracting(Timing::head)
        .containsExactly("linear", "mlp", "centroid", "linear", "mlp", "centroid");
    assertThat(r.timings().get(0).train() + r.timings().get(0).valid()).isEqualTo(30);
    assertThat(r.timings()).allSatisfy(t -> assertThat(t.seconds()).isPositive());

    String md = AccuracyBenchmark.markdown(r);
    assertThat(md)
        .contains(
            "### Reuters grain/corn/other",
            "### SpamAssassin-20",
            "| method | encoder | accuracy | macro-F1 | F1 corn | F1 grain | F1 other | ECE |",
            "| method | encoder | k=2 | k=4 |",
            "k=4: 11 training examples per sample; fewer than k, so all taken: corn (3)",
            "| fake-b | centroid | 24 + 6 | — |",
            "Target accuracy ≥ 0.97");

    Path index = AccuracyBenchmark.writeReport(r, dir.resolve("report"));
    assertThat(Files.readString(index))
        .contains(
            "<table>",
            "learning-curve-reuters-grain.png",
            "learning-curve-spamassassin.png",
            "linear");
    assertThat(dir.resolve("report/learning-curve-reuters-grain.png")).isNotEmptyFile();
    assertThat(dir.resolve("report/learning-curve-spamassassin.png")).isNotEmptyFile();

    // The SpamAssassin split, written out for ferry train and ferry eval: the benchmark's own.
    List<Path> split = AccuracyBenchmark.writeSpamSplit(config, dir.resolve("report"));
    assertThat(split)
        .extracting(p -> p.getFileName().toString())
        .containsExactly("spamassassin-20-train.jsonl", "spamassassin-20-test.jsonl");
    List<String> train = Files.readAllLines(split.get(0));
    List<String> test = Files.readAllLines(split.get(1));
    assertThat(train).hasSize(20).doesNotContainAnyElementsOf(test);
    assertThat(test).hasSize(40);
    assertThat(train.stream().filter(l -> l.endsWith("\"label\":\"spam\"}")))
        .hasSize(7); // 20 × 20/60, rounded
    assertThat(train.get(0)).startsWith("{\"text\":\"spamassassin.jsonl.gz ");
  }

  @Test
  void formatsTheTablesAsMarkdown() {
    List<String> labels = List.of("ham", "spam");
    ClassificationMetrics m =
        ClassificationMetrics.compute(
            labels,
            new int[] {0, 0, 1, 1},
            new float[][] {{0.9f, 0.1f}, {0.8f, 0.2f}, {0.3f, 0.7f}, {0.6f, 0.4f}});
    Config config = Config.defaults(dir).withShots(List.of(8, 16)).withSeeds(3);
    Result r =
        new Result(
            config,
            LocalDate.of(2026, 11, 22),
            "test machine",
            Map.of(AccuracyBenchmark.SPAM, "4 emails"),
            List.of(
                new Score(
                    AccuracyBenchmark.SPAM, null, AccuracyBenchmark.TFIDF_LR, m, 500, 0, "", 1.234),
                new Score(
                    AccuracyBenchmark.SPAM,
                    "all-minilm-l6-v2",
                    "linear",
                    m,
                    400,
                    100,
                    "57 (37)",
                    0.5)),
            List.of(
                new CurvePoint(
                    AccuracyBenchmark.SPAM,
                    null,
                    AccuracyBenchmark.TFIDF_LR,
                    8,
                    16,
                    Map.of(),
                    new double[] {0.7, 0.8, 0.9})),
            List.of(new Timing("all-minilm-l6-v2", "linear", 800, 200, 57, 37, 1.5)));
    assertThat(AccuracyBenchmark.scoreTable(r, AccuracyBenchmark.SPAM).markdown())
        .isEqualTo(
            """
        | method | encoder | accuracy | macro-F1 | F1 ham | F1 spam | ECE | trained on | epochs (best) | train s |
        |---|---|---:|---:|---:|---:|---:|---:|---:|---:|
        | TF-IDF + LR | — | 0.750 | 0.733 | 0.800 | 0.667 | 0.150 | 500 | — | 1.23 |
        | linear | all-minilm-l6-v2 | 0.750 | 0.733 | 0.800 | 0.667 | 0.150 | 400 + 100 valid, refit | 57 (37) | 0.50 |
        """);
    assertThat(AccuracyBenchmark.curveTable(r, AccuracyBenchmark.SPAM).markdown())
        .isEqualTo(
            """
        | method | encoder | k=8 | k=16 |
        |---|---|---:|---:|
        | TF-IDF + LR | — | 0.800 ± 0.100 | — |
        """);
    assertThat(AccuracyBenchmark.timingTable(r).markdown())
        .isEqualTo(
            """
        | encoder | head | train + valid | epochs run (best) | seconds |
        |---|---|---:|---:|---:|
        | all-minilm-l6-v2 | linear | 800 + 200 | 57 (37) | 1.50 |
        """);
    assertThat(AccuracyBenchmark.comparison(r, AccuracyBenchmark.SPAM))
        .isEqualTo(
            "Best head per encoder"
                + " against TF-IDF + LR (macro-F1 0.733): all-minilm-l6-v2 linear head 0.733 (+0.000).");
    assertThat(AccuracyBenchmark.spamTarget(r))
        .isEqualTo(
            "Target accuracy ≥ 0.97: met by none; missed by TF-IDF + LR, linear (all-minilm-l6-v2).");
  }

  @Test
  void saysWhereTheDataIsMissing() {
    assertThatThrownBy(
            () ->
                AccuracyBenchmark.run(
                    Config.defaults(dir.resolve("nowhere")),
                    (e, t, p) -> new float[0][],
                    line -> {}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no reuters-grain-train.jsonl.gz in")
        .hasMessageContaining("--data DIR");
  }
}
