package dev.ferry.trainer.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Holds out a validation set with the same label proportions as the whole, without letting a text
 * leak from one side to the other.
 *
 * <p>Examples with the same text (after trimming) form a group that goes to one side as a whole; a
 * group counts toward the label of its first example. For each label, its groups are shuffled with
 * a generator seeded from {@code seed} and the label, and groups are moved to the validation side,
 * in that order, while they fit within {@code round(validFraction × count)} examples. That target
 * is at least 1 for a label with 2 or more examples and at most {@code count - 1}, so every label
 * keeps an example for training; a label with one example, or whose examples all share one text,
 * stays in training entirely. When no group fits the target (all groups of the label are larger),
 * the smallest group goes to validation if another group remains for training.
 *
 * <p>The split depends only on the examples (in input order), the fraction and the seed. Each side
 * keeps the input order.
 */
public final class StratifiedSplit {
  private StratifiedSplit() {}

  /**
   * The two sides of a split.
   *
   * @param train examples to train on, in input order
   * @param valid examples held out for validation, in input order
   */
  public record Split(List<LabeledExample> train, List<LabeledExample> valid) {
    /** Copies the lists (unmodifiable). */
    public Split {
      train = List.copyOf(train);
      valid = List.copyOf(valid);
    }
  }

  /**
   * Splits {@code examples}, holding out about {@code validFraction} of each label.
   *
   * @param validFraction share of each label to hold out, strictly between 0 and 1
   * @param seed seeds the shuffles; the same input and seed always give the same split
   * @throws IllegalArgumentException if {@code validFraction} is not strictly between 0 and 1
   */
  public static Split split(List<LabeledExample> examples, double validFraction, long seed) {
    if (!(validFraction > 0 && validFraction < 1)) {
      throw new IllegalArgumentException(
          "the validation fraction must be greater than 0 and less"
              + " than 1 (0.2 holds out a fifth of each label), was "
              + validFraction);
    }
    Map<String, List<List<Integer>>> byLabel = groupsByLabel(examples);
    boolean[] valid = new boolean[examples.size()];
    byLabel.forEach(
        (label, labelGroups) -> chooseValid(label, labelGroups, validFraction, seed, valid));

    List<LabeledExample> train = new ArrayList<>();
    List<LabeledExample> held = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      (valid[i] ? held : train).add(examples.get(i));
    }
    return new Split(train, held);
  }

  private static void chooseValid(
      String label, List<List<Integer>> groups, double fraction, long seed, boolean[] valid) {
    int count = groups.stream().mapToInt(List::size).sum();
    if (count < 2 || groups.size() < 2) {
      return;
    }
    int target = (int) Math.max(1, Math.min(count - 1, Math.round(fraction * count)));
    List<List<Integer>> shuffled = new ArrayList<>(groups);
    Collections.shuffle(shuffled, new Random(mix(seed, label)));
    int taken = 0;
    for (List<Integer> group : shuffled) {
      if (taken + group.size() <= target) {
        group.forEach(i -> valid[i] = true);
        taken += group.size();
        if (taken == target) {
          break;
        }
      }
    }
    if (taken == 0) {
      // Every group is larger than the target: hold out the smallest one (the first in shuffled
      // order among equals); at least one other group stays in training.
      List<Integer> smallest = shuffled.get(0);
      for (List<Integer> group : shuffled) {
        if (group.size() < smallest.size()) {
          smallest = group;
        }
      }
      smallest.forEach(i -> valid[i] = true);
    }
  }

  /**
   * The number of folds {@link #folds} uses when asked for {@code k}: {@code k}, or fewer when the
   * smallest label has fewer distinct texts, but at least 2.
   */
  public static int foldCount(List<LabeledExample> examples, int k) {
    if (k < 2) {
      throw new IllegalArgumentException("folds must be at least 2, was " + k);
    }
    Map<String, java.util.Set<String>> texts = new LinkedHashMap<>();
    for (LabeledExample e : examples) {
      texts.computeIfAbsent(e.label(), l -> new java.util.HashSet<>()).add(e.text().trim());
    }
    int smallest = texts.values().stream().mapToInt(java.util.Set::size).min().orElse(k);
    return Math.max(2, Math.min(k, smallest));
  }

  /**
   * Assigns each example to one of {@link #foldCount foldCount(examples, k)} folds for stratified
   * k-fold cross-validation: each label's examples spread as evenly as they can over the folds, and
   * examples with the same text (after trimming) share a fold, so no text is scored by a head that
   * trained on it. A label's groups of identical text are shuffled with a generator seeded from
   * {@code seed} and the label, and each goes to the fold holding fewest of that label (ties:
   * fewest examples in all, then the lowest fold).
   *
   * @return the fold of each example, in input order, from 0
   */
  public static int[] folds(List<LabeledExample> examples, int k, long seed) {
    int count = foldCount(examples, k);
    Map<String, List<List<Integer>>> byLabel = groupsByLabel(examples);
    int[] fold = new int[examples.size()];
    int[] total = new int[count];
    byLabel.forEach(
        (label, labelGroups) -> {
          List<List<Integer>> shuffled = new ArrayList<>(labelGroups);
          Collections.shuffle(shuffled, new Random(mix(seed, label)));
          int[] ofLabel = new int[count];
          for (List<Integer> group : shuffled) {
            int best = 0;
            for (int f = 1; f < count; f++) {
              if (ofLabel[f] < ofLabel[best]
                  || (ofLabel[f] == ofLabel[best] && total[f] < total[best])) {
                best = f;
              }
            }
            for (int i : group) {
              fold[i] = best;
            }
            ofLabel[best] += group.size();
            total[best] += group.size();
          }
        });
    return fold;
  }

  /** A per-label seed: labels shuffle independently, and the same way on every run. */
  private static long mix(long seed, String label) {
    long h = seed ^ (0x9E3779B97F4A7C15L * (label.hashCode() + 1L));
    h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
    h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return h ^ (h >>> 33);
  }

  /**
   * The examples' indices in groups of identical text (so that a duplicate never lands on both
   * sides of a split), grouped by label; labels and groups in order of first occurrence.
   */
  private static Map<String, List<List<Integer>>> groupsByLabel(List<LabeledExample> examples) {
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < examples.size(); i++) {
      groups.computeIfAbsent(examples.get(i).text().trim(), t -> new ArrayList<>()).add(i);
    }
    Map<String, List<List<Integer>>> byLabel = new LinkedHashMap<>();
    for (List<Integer> group : groups.values()) {
      byLabel
          .computeIfAbsent(examples.get(group.get(0)).label(), l -> new ArrayList<>())
          .add(group);
    }
    return byLabel;
  }
}
