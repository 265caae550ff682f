package dev.ferry.eval.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.eval.accuracy.AccuracyBenchmark.CurvePoint;
import dev.ferry.eval.accuracy.AccuracyBenchmark.Result;
import dev.ferry.eval.accuracy.AccuracyBenchmark.Score;
import dev.ferry.eval.accuracy.AccuracyBenchmark.Timing;
import dev.ferry.eval.accuracy.AccuracyConfig.Step;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The suite end to end on small generated data sets with a fake encoder (hashed words), so it needs
 * neither the shared data nor a model.
 */
class AccuracyBenchmarkTest {
  @TempDir Path dir;

  /** Two fake encoders, every task, k = 2 (2 seeds) and 100 (1 seed: above 64), no cost step. */
  private AccuracyConfig config() throws IOException {
    GeneratedSuite.write(dir);
    return AccuracyConfig.builder(dir)
        .encoders(List.of("fake-a", "fake-b"))
        .steps(Set.of(Step.ACCURACY))
        .shots(List.of(100, 2))
        .seeds(2, 1)
        .spamTestSize(20)
        .curveEpochs(5)
        .timingExamples(30)
        .build();
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
  void runsEveryTaskAndWritesTheReport() throws IOException {
    AccuracyConfig config = config();
    List<String> calls = new ArrayList<>();
    List<String> progress = new ArrayList<>();
    Result r =
        AccuracyBenchmark.run(
            config,
            (encoder, texts, p) -> {
              calls.add(encoder + " " + texts.size() + " " + new LinkedHashSet<>(texts).size());
              return GeneratedSuite.fakeEmbeddings(texts);
            },
            progress::add);

    // Each encoder embeds the texts the run needs, each once, in one call. Here k=100 takes every
    // pool: Reuters 19 test + 35, SpamAssassin 20 + 40, movie reviews 16 + 40, TREC 10 + 23.
    assertThat(calls).containsExactly("fake-a 203 203", "fake-b 203 203");
    assertThat(r.embeddings())
        .extracting(AccuracyBenchmark.Embedding::texts)
        .containsExactly(203, 203);
    assertThat(progress).isNotEmpty();
    assertThat(r.tasks()).containsOnlyKeys(Tasks.ALL);
    assertThat(r.tasks().get(Tasks.SPAM).split())
        .isEqualTo(
            "test: a stratified 20 (ham 13, spam 7) of the 60"
                + " emails (seed 0); pool: the other 40 (ham 27, spam 13)");

    // Runs trained as ferry train trains: Reuters and TREC whole, movie reviews 250 per class
    // (capped at the 20 there are) with 3 seeds; 2 baselines + 2 encoders x 3 heads each.
    assertThat(r.scores()).hasSize(5 * 8);
    Score linear =
        r.scores().stream()
            .filter(
                s ->
                    s.task().equals(Tasks.REUTERS)
                        && "fake-a".equals(s.encoder())
                        && s.method().equals("linear"))
            .findFirst()
            .orElseThrow();
    assertThat(linear.run()).isEqualTo("full training set");
    assertThat(linear.train() + linear.valid()).isEqualTo(35);
    assertThat(linear.valid()).isEqualTo(8); // 20% of each label, rounded: 5 + 2 + 1
    assertThat(linear.metrics().examples()).isEqualTo(19);
    assertThat(linear.metrics().labels()).containsExactly("corn", "grain", "other");
    assertThat(
            r.scores().stream()
                .filter(
                    s ->
                        s.task().equals(Tasks.MOVIES)
                            && "fake-b".equals(s.encoder())
                            && s.method().equals("mlp")))
        .extracting(Score::seed)
        .containsExactly(1, 2, 3);
    assertThat(r.scores()).noneMatch(s -> s.task().equals(Tasks.SPAM));
    // The topic words separate the classes: every method does far better than chance.
    assertThat(r.scores()).allSatisfy(s -> assertThat(s.metrics().macroF1()).isGreaterThan(0.5));

    // Curves: 4 tasks x 2 sizes x 8 methods; 2 seeds at k=2, 1 above 64.
    assertThat(r.curve()).hasSize(64);
    assertThat(r.curve()).allSatisfy(p -> assertThat(p.macroF1()).hasSize(p.k() == 2 ? 2 : 1));
    CurvePoint reuters100 = point(r, Tasks.REUTERS, 100);
    assertThat(reuters100.capped())
        .containsExactly(Map.entry("corn", 3), Map.entry("grain", 8), Map.entry("other", 24));
    assertThat(reuters100.train()).isEqualTo(35);
    assertThat(point(r, Tasks.SPAM, 2).train()).isEqualTo(4);
    assertThat(point(r, Tasks.SPAM, 100).train()).isEqualTo(40);
    assertThat(point(r, Tasks.TREC, 2).train()).isEqualTo(6);

    // Head timing on the SpamAssassin test subset (20 < 30 asked for).
    assertThat(r.timings())
        .hasSize(6)
        .extracting(Timing::head)
        .containsExactly("linear", "mlp", "centroid", "linear", "mlp", "centroid");
    assertThat(r.timings().get(0).train() + r.timings().get(0).valid()).isEqualTo(20);

    String md = AccuracyReport.markdown(r);
    assertThat(md)
        .contains(
            "### Summary: macro-F1 averaged over tasks and k, per encoder (its best head)",
            "| encoder | best head | mean | reuters-grain | spamassassin | movie-reviews |"
                + " trec-questions |",
            "### Reuters grain/corn/other, full training set, trained as ferry train trains",
            "### Movie-review sentiment, 250 per class, trained as ferry train trains",
            "| method | encoder | accuracy | macro-F1 | F1 corn | F1 grain | F1 other | ECE |",
            "### Learning curve, trec-questions",
            "| method | encoder | k=2 | k=100 |",
            "k=100: 35 training examples per sample, 1 seed; fewer than k, so all taken: corn (3),"
                + " grain (8), other (24)",
            "k=2: 6 training examples per sample, 2 seeds",
            "Not applied: the cost step did not run",
            "Embedding (texts the run needs, through the cache): fake-a 203 texts");
    assertThat(md).doesNotContain("### Cost per encoder", "The same targets for today's default");

    Path index = AccuracyReport.writeHtml(r, dir.resolve("report"));
    assertThat(Files.readString(index))
        .contains(
            "<table>",
            "learning-curve-reuters-grain.png",
            "learning-curve-movie-reviews.png",
            "linear");
    for (String task : Tasks.ALL) {
      assertThat(dir.resolve("report/learning-curve-" + task + ".png")).isNotEmptyFile();
    }
  }

  @Test
  void embedsOnlyTheTextsARunNeeds() throws IOException {
    AccuracyConfig config =
        config().toBuilder().tasks(List.of(Tasks.SPAM)).shots(List.of(2)).build();
    List<List<String>> calls = new ArrayList<>();
    AccuracyBenchmark.run(
        config,
        (encoder, texts, p) -> {
          calls.add(texts);
          return GeneratedSuite.fakeEmbeddings(texts);
        },
        line -> {});
    // The 20 test emails and 2 seeds x 2 classes x 2 from the pool of 40, never the whole pool.
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0)).hasSizeBetween(22, 28).doesNotHaveDuplicates().isEqualTo(calls.get(1));
  }

  @Test
  void curveHeadsCanTrainAsFerryTrainTrains() throws IOException {
    AccuracyConfig config =
        config().toBuilder()
            .tasks(List.of(Tasks.MOVIES))
            .shots(List.of(8))
            .curveTraining(AccuracyConfig.CurveTraining.AS_FERRY_TRAIN)
            .build();
    Result r =
        AccuracyBenchmark.run(
            config, (encoder, texts, p) -> GeneratedSuite.fakeEmbeddings(texts), line -> {});
    assertThat(r.curve())
        .hasSize(8)
        .allSatisfy(p -> assertThat(p.summary().mean()).isGreaterThan(0.5));
    assertThat(AccuracyReport.markdown(r))
        .contains("the heads trained as ferry train trains (20% held out");
  }

  @Test
  void theEmbedStepOnlyFillsTheCache() throws IOException {
    AccuracyConfig config = config().toBuilder().steps(Set.of(Step.EMBED)).build();
    List<String> calls = new ArrayList<>();
    Result r =
        AccuracyBenchmark.run(
            config,
            (encoder, texts, p) -> {
              calls.add(encoder);
              return GeneratedSuite.fakeEmbeddings(texts);
            },
            line -> {});
    assertThat(calls).containsExactly("fake-a", "fake-b");
    assertThat(r.scores()).isEmpty();
    assertThat(r.curve()).isEmpty();
    assertThat(r.costs()).isEmpty();
    assertThat(AccuracyReport.markdown(r))
        .contains("fake-b 203 texts")
        .doesNotContain("### Summary");
  }

  @Test
  void costTextsAreShortTextsOfEveryTaskButSpamAndWholeEmails() throws IOException {
    AccuracyConfig config =
        config().toBuilder().cost(new AccuracyConfig.CostSettings(10, 3, 2, false)).build();
    List<Task> tasks = Tasks.read(dir, Tasks.ALL, 20);
    EncoderCost.Config cost = AccuracyBenchmark.costConfig(config, tasks);
    assertThat(cost.encoders()).containsExactly("fake-a", "fake-b");
    assertThat(cost.shortTexts())
        .hasSize(10)
        .noneMatch(t -> t.startsWith("spamassassin"))
        .anyMatch(t -> t.startsWith("movie-reviews-test"))
        .anyMatch(t -> t.startsWith("trec-questions-test"))
        .anyMatch(t -> t.startsWith("reuters-grain-test"));
    assertThat(cost.longDocuments())
        .hasSize(3)
        .allMatch(t -> tasks.get(1).test().texts().contains(t));
    assertThat(AccuracyBenchmark.costConfig(config, tasks)).isEqualTo(cost);
    assertThat(cost.rounds()).isEqualTo(2);
  }

  @Test
  void saysWhereTheDataIsMissingAndRefusesUnknownTasks() {
    assertThatThrownBy(
            () ->
                AccuracyBenchmark.run(
                    AccuracyConfig.defaults(dir.resolve("nowhere")),
                    (e, t, p) -> new float[0][],
                    line -> {}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no reuters-grain-train.jsonl.gz in")
        .hasMessageContaining("--data DIR");
    assertThatThrownBy(() -> AccuracyConfig.builder(dir).tasks(List.of("imdb")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown task 'imdb'")
        .hasMessageContaining("movie-reviews");
  }

  private static CurvePoint point(Result r, String task, int k) {
    return r.curve().stream()
        .filter(p -> p.task().equals(task) && p.k() == k)
        .findFirst()
        .orElseThrow();
  }
}
