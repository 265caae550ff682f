package dev.ferry.eval.finetune;

import dev.ferry.eval.baseline.Baselines;
import dev.ferry.eval.baseline.Baselines.LabeledTexts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The accuracy suite's four tasks as fine-tuning is measured on them (the same pools and test sets
 * as {@code ferry bench accuracy}): Reuters grain/corn/other and TREC question type and
 * movie-review sentiment sample from their train split and test on their test split; SpamAssassin,
 * which has no split, tests on a fixed stratified subset (seed {@value #SPAM_TEST_SEED}) and
 * samples from the other emails.
 */
final class FineTuneTasks {
  static final String REUTERS = "reuters-grain";
  static final String SPAM = "spamassassin";
  static final String MOVIES = "movie-reviews";
  static final String TREC = "trec-questions";
  static final List<String> ALL = List.of(REUTERS, SPAM, MOVIES, TREC);

  /** The seed of the SpamAssassin test subset, as the accuracy suite draws it. */
  static final long SPAM_TEST_SEED = 0;

  private FineTuneTasks() {}

  /**
   * A task's pool (what samples are drawn from) and test set.
   *
   * @param description sizes and how the split came about
   */
  record Task(String id, LabeledTexts pool, LabeledTexts test, String description) {
    /** The pool's labels, sorted. */
    List<String> labels() {
      return List.copyOf(new TreeSet<>(pool.labels()));
    }
  }

  /**
   * Reads a task from the shared data folder.
   *
   * @param spamTest emails in the SpamAssassin test subset
   * @param testLimit above 0: at most this many test texts, a stratified subset (seed 0)
   */
  static Task read(Path dir, String id, int spamTest, int testLimit) throws IOException {
    LabeledTexts pool;
    LabeledTexts test;
    String how;
    switch (id) {
      case SPAM -> {
        LabeledTexts all = Baselines.read(dir.resolve("spamassassin.jsonl.gz"));
        Baselines.Split s = Baselines.stratifiedSplit(all, spamTest, SPAM_TEST_SEED);
        test = s.train();
        pool = s.test();
        how = "test: a stratified subset (seed " + SPAM_TEST_SEED + ")";
      }
      case REUTERS, MOVIES, TREC -> {
        pool = Baselines.read(dir.resolve(id + "-train.jsonl.gz"));
        test = Baselines.read(dir.resolve(id + "-test.jsonl.gz"));
        how = "the train split → the test split";
      }
      default ->
          throw new IllegalArgumentException(
              "unknown task '" + id + "'; expected one of " + String.join(", ", ALL));
    }
    if (testLimit > 0 && testLimit < test.size()) {
      test = Baselines.stratifiedSplit(test, testLimit, 0).train();
      how += ", a stratified " + testLimit + " of it (seed 0)";
    }
    return new Task(
        id,
        pool,
        test,
        String.format(Locale.ROOT, "pool %,d, test %,d (%s)", pool.size(), test.size(), how));
  }
}
