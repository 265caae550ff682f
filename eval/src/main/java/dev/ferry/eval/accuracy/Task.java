package dev.ferry.eval.accuracy;

import dev.ferry.eval.baseline.Baselines.LabeledTexts;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One data set of the accuracy suite: a pool that training examples are drawn from, a fixed test
 * set that every method is scored on, and the training sets that are trained as {@code ferry train}
 * trains by default ({@link TrainRun}).
 *
 * @param id short name, as in the results ({@code movie-reviews})
 * @param title heading for the results
 * @param pool what the learning curve samples from and the runs train on
 * @param test scored on; never trained on
 * @param runs training sets trained as {@code ferry train} does; may be empty
 * @param split how pool and test came about, for the results (seeds, sizes)
 */
public record Task(
    String id,
    String title,
    LabeledTexts pool,
    LabeledTexts test,
    List<TrainRun> runs,
    String split) {

  /** Checks the fields. */
  public Task {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(test, "test");
    Objects.requireNonNull(split, "split");
    runs = List.copyOf(runs);
    if (pool.size() == 0 || test.size() == 0) {
      throw new IllegalArgumentException(id + ": the pool and the test set must not be empty");
    }
    List<String> unknown =
        test.labels().stream().distinct().filter(l -> !pool.labels().contains(l)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          id + ": test labels " + unknown + " never occur in the pool");
    }
  }

  /** The pool's labels, sorted: the classes every method predicts. */
  public List<String> labels() {
    return List.copyOf(new TreeSet<>(pool.labels()));
  }

  /**
   * A training set trained as {@code ferry train} trains by default: a stratified 20% held out for
   * early stopping, then a refit on all of it.
   *
   * @param name as in the results ({@code full training set}, {@code 250 per class})
   * @param perClass examples drawn per class ({@link PerClassSample}), or 0 for the whole pool
   * @param seeds samples drawn (seeds 1 .. seeds); 1 for the whole pool
   */
  public record TrainRun(String name, int perClass, int seeds) {
    /** Checks the fields. */
    public TrainRun {
      Objects.requireNonNull(name, "name");
      if (perClass < 0 || seeds < 1 || (perClass == 0 && seeds != 1)) {
        throw new IllegalArgumentException(
            "a run needs perClass >= 0 and at least one seed,"
                + " and the whole pool (perClass 0) is one sample");
      }
    }

    /** The whole pool, once. */
    public static TrainRun wholePool() {
      return new TrainRun("full training set", 0, 1);
    }

    /** {@code k} examples per class, drawn with seeds 1 .. {@code seeds}. */
    public static TrainRun perClass(int k, int seeds) {
      return new TrainRun(k + " per class", k, seeds);
    }

    /** The positions in {@code pool} of each sample, seed 1 first. */
    public List<int[]> samples(LabeledTexts pool) {
      List<int[]> out = new ArrayList<>(seeds);
      if (perClass == 0) {
        int[] all = new int[pool.size()];
        for (int i = 0; i < all.length; i++) {
          all[i] = i;
        }
        out.add(all);
        return out;
      }
      for (int seed = 1; seed <= seeds; seed++) {
        out.add(PerClassSample.draw(pool.labels(), perClass, seed).indices());
      }
      return out;
    }
  }
}
