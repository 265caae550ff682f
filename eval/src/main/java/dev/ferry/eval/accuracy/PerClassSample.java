package dev.ferry.eval.accuracy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A few-shot training sample: {@code k} examples of each class drawn at random from a pool, as in
 * few-shot papers (SetFit and others). A class with fewer than {@code k} examples gives all of them
 * and is reported in {@link #capped()}.
 *
 * <p>Each class's examples are shuffled with a generator seeded from the seed and the class name,
 * and the first {@code k} are taken. So a seed always gives the same sample, different seeds give
 * different samples, and for one seed the sample of a smaller {@code k} is part of the sample of a
 * larger one (the learning curve adds examples rather than redrawing them).
 *
 * @param k examples asked for per class
 * @param seed the seed it was drawn with
 * @param indices positions in the pool, in pool order
 * @param taken examples taken per class, classes sorted
 * @param capped classes with fewer than {@code k} examples in the pool, and how many they have
 */
public record PerClassSample(
    int k, long seed, int[] indices, Map<String, Integer> taken, Map<String, Integer> capped) {

  /** Copies the maps. */
  public PerClassSample {
    taken = Collections.unmodifiableMap(new TreeMap<>(taken));
    capped = Collections.unmodifiableMap(new TreeMap<>(capped));
  }

  /**
   * Draws {@code k} examples of each class.
   *
   * @param labels the label of each example in the pool
   * @param k examples per class, at least 1
   * @param seed seeds the draw
   */
  public static PerClassSample draw(List<String> labels, int k, long seed) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, was " + k);
    }
    Map<String, List<Integer>> byClass = new TreeMap<>();
    for (int i = 0; i < labels.size(); i++) {
      byClass.computeIfAbsent(labels.get(i), l -> new ArrayList<>()).add(i);
    }
    boolean[] chosen = new boolean[labels.size()];
    Map<String, Integer> taken = new TreeMap<>();
    Map<String, Integer> capped = new TreeMap<>();
    byClass.forEach(
        (label, members) -> {
          List<Integer> shuffled = new ArrayList<>(members);
          Collections.shuffle(shuffled, new Random(mix(seed, label)));
          int n = Math.min(k, shuffled.size());
          shuffled.subList(0, n).forEach(i -> chosen[i] = true);
          taken.put(label, n);
          if (members.size() < k) {
            capped.put(label, members.size());
          }
        });
    int[] indices = new int[taken.values().stream().mapToInt(Integer::intValue).sum()];
    int at = 0;
    for (int i = 0; i < chosen.length; i++) {
      if (chosen[i]) {
        indices[at++] = i;
      }
    }
    return new PerClassSample(k, seed, indices, taken, capped);
  }

  /** Number of examples in the sample. */
  public int size() {
    return indices.length;
  }

  @Override
  public int[] indices() {
    return indices.clone();
  }

  /** A per-class seed, so that classes are drawn independently of each other and of k. */
  private static long mix(long seed, String label) {
    long h = seed * 0x9E3779B97F4A7C15L + label.hashCode();
    h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
    h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return h ^ (h >>> 33);
  }
}
