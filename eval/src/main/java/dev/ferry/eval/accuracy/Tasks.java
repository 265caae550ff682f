package dev.ferry.eval.accuracy;

import dev.ferry.eval.accuracy.Task.TrainRun;
import dev.ferry.eval.baseline.Baselines;
import dev.ferry.eval.baseline.Baselines.LabeledTexts;
import dev.ferry.eval.baseline.Baselines.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The four tasks of the accuracy suite, read from the shared data folder ({@code ../shared/data},
 * see its README):
 *
 * <ul>
 *   <li>{@value #REUTERS}: Reuters grain/corn/other, heavily imbalanced; the train split is the
 *       pool, the test split the test set; the full training set is also trained on.
 *   <li>{@value #SPAM}: SpamAssassin ham/spam, long raw emails. The file has no split: a fixed
 *       stratified subset ({@link #SPAM_TEST_SEED}, {@code spamTestSize} emails) is the test set
 *       and the other emails are the pool.
 *   <li>{@value #MOVIES}: movie-review sentiment, one-sentence snippets; train split → test split;
 *       also 250 reviews per class trained as {@code ferry train} trains (the figure the default
 *       encoder was questioned on), 3 seeds.
 *   <li>{@value #TREC}: TREC question type, 6 classes, one rare ({@code ABBR}); train split → test
 *       split; the full training set is also trained on.
 * </ul>
 */
public final class Tasks {
  /** Reuters grain/corn/other. */
  public static final String REUTERS = "reuters-grain";

  /** SpamAssassin ham/spam. */
  public static final String SPAM = "spamassassin";

  /** Movie-review sentiment. */
  public static final String MOVIES = "movie-reviews";

  /** TREC question type. */
  public static final String TREC = "trec-questions";

  /** Every task, in the order the results list them. */
  public static final List<String> ALL = List.of(REUTERS, SPAM, MOVIES, TREC);

  /** Seed of the stratified SpamAssassin test subset. */
  public static final long SPAM_TEST_SEED = 0;

  /** Reviews per class of the movie-review run trained as {@code ferry train} does. */
  public static final int MOVIES_RUN_PER_CLASS = 250;

  /** Seeds of that run. */
  public static final int MOVIES_RUN_SEEDS = 3;

  private static final String SPAM_FILE = "spamassassin.jsonl.gz";

  private Tasks() {}

  /** The files a task reads, in the data folder. */
  static List<String> files(String task) {
    return switch (task) {
      case SPAM -> List.of(SPAM_FILE);
      case REUTERS, MOVIES, TREC -> List.of(task + "-train.jsonl.gz", task + "-test.jsonl.gz");
      default ->
          throw new IllegalArgumentException(
              "unknown task '" + task + "': expected one of " + String.join(", ", ALL));
    };
  }

  /**
   * Reads the named tasks.
   *
   * @param dir the shared data folder
   * @param ids task ids, from {@link #ALL}
   * @param spamTestSize emails in the SpamAssassin test subset
   * @throws IOException naming the first missing or unreadable file and how to point at the folder
   */
  public static List<Task> read(Path dir, List<String> ids, int spamTestSize) throws IOException {
    for (String id : ids) {
      for (String f : files(id)) {
        if (!Files.isRegularFile(dir.resolve(f))) {
          throw new IOException(
              "no "
                  + f
                  + " in "
                  + dir.toAbsolutePath().normalize()
                  + "; the accuracy"
                  + " suite reads the shared data folder (see its README): pass --data DIR or set"
                  + " -Dferry.shared.data=DIR, or leave the task out with --tasks");
        }
      }
    }
    List<Task> tasks = new ArrayList<>();
    for (String id : ids) {
      tasks.add(
          switch (id) {
            case SPAM -> spam(Baselines.read(dir.resolve(SPAM_FILE)), spamTestSize);
            case REUTERS ->
                split(id, "Reuters grain/corn/other", dir, List.of(TrainRun.wholePool()));
            case MOVIES ->
                split(
                    id,
                    "Movie-review sentiment",
                    dir,
                    List.of(TrainRun.perClass(MOVIES_RUN_PER_CLASS, MOVIES_RUN_SEEDS)));
            case TREC -> split(id, "TREC question type", dir, List.of(TrainRun.wholePool()));
            default -> throw new IllegalArgumentException("unknown task '" + id + "'");
          });
    }
    return tasks;
  }

  /** A task whose files come split: train is the pool, test the test set. */
  private static Task split(String id, String title, Path dir, List<TrainRun> runs)
      throws IOException {
    List<String> f = files(id);
    LabeledTexts train = Baselines.read(dir.resolve(f.get(0)));
    LabeledTexts test = Baselines.read(dir.resolve(f.get(1)));
    return new Task(
        id,
        title,
        train,
        test,
        runs,
        String.format(
            Locale.ROOT,
            "pool: the train split, %s; test: the test split, %s",
            counts(train),
            counts(test)));
  }

  /** SpamAssassin: a stratified subset is the test set, the rest the pool. */
  static Task spam(LabeledTexts all, int testSize) {
    if (testSize < 2 || testSize >= all.size()) {
      throw new IllegalArgumentException(
          "the SpamAssassin test subset must hold 2 to "
              + (all.size() - 1)
              + " emails, was "
              + testSize);
    }
    Split s = Baselines.stratifiedSplit(all, testSize, SPAM_TEST_SEED);
    return new Task(
        SPAM,
        "SpamAssassin ham/spam",
        s.test(),
        s.train(),
        List.of(),
        String.format(
            Locale.ROOT,
            "test: a stratified %s of the %,d emails (seed %d); pool: the other %s",
            counts(s.train()),
            all.size(),
            SPAM_TEST_SEED,
            counts(s.test())));
  }

  /** {@code 1,554 (corn 45, grain 59, other 1,450)}. */
  static String counts(LabeledTexts t) {
    Map<String, Long> byLabel =
        t.labels().stream()
            .collect(Collectors.groupingBy(l -> l, TreeMap::new, Collectors.counting()));
    return String.format(
        Locale.ROOT,
        "%,d (%s)",
        t.size(),
        byLabel.entrySet().stream()
            .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%,d", e.getValue()))
            .collect(Collectors.joining(", ")));
  }
}
