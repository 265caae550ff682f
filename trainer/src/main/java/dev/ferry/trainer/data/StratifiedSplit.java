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
    // Groups of identical text, in order of first occurrence; each a list of input indices.
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < examples.size(); i++) {
      groups.computeIfAbsent(examples.get(i).text().trim(), t -> new ArrayList<>()).add(i);
    }
    // label -> its groups, labels in order of first occurrence
    Map<String, List<List<Integer>>> byLabel = new LinkedHashMap<>();
    for (List<Integer> group : groups.values()) {
      byLabel
          .computeIfAbsent(examples.get(group.get(0)).label(), l -> new ArrayList<>())
          .add(group);
    }
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

  /** A per-label seed: labels shuffle independently, and the same way on every run. */
  private static long mix(long seed, String label) {
    long h = seed ^ (0x9E3779B97F4A7C15L * (label.hashCode() + 1L));
    h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
    h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return h ^ (h >>> 33);
  }
}
