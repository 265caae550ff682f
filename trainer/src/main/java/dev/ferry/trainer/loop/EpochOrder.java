package dev.ferry.trainer.loop;

import java.util.Random;

/**
 * The order in which a training loop visits its examples: shuffled from the run's seed, so a seed
 * replays it.
 */
public final class EpochOrder {
  private EpochOrder() {}

  /** Shuffles in place (Fisher-Yates) with the run's random source. */
  public static void shuffle(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /**
   * The random source of one epoch, from the run's seed and the epoch alone, so that a run resumed
   * from a checkpoint replays the epochs after it without saved random state.
   */
  public static Random ofEpoch(long seed, int epoch) {
    return new Random(seed * 1_000_003L + epoch);
  }
}
