package dev.ferry.trainer.finetune;

import dev.ferry.trainer.NamedChoice;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/** How the trained layers open: all at once, or one more per epoch from the top down. */
public enum UnfreezeSchedule implements NamedChoice {
  /** The {@code unfreeze} top layers train from the first epoch. */
  FIXED,
  /**
   * Epoch 1 trains the head alone; each later epoch opens the next layer down, until {@code
   * unfreeze} layers train.
   */
  GRADUAL;

  /** The schedule named {@code id}; the error lists the names. */
  public static UnfreezeSchedule fromId(String id) {
    return NamedChoice.fromId(UnfreezeSchedule.class, "unfreeze schedule", id);
  }

  /** Layers open in {@code epoch} (1-based) of a run that trains {@code unfreeze} at most. */
  int open(int epoch, int unfreeze) {
    return this == FIXED ? unfreeze : Math.min(epoch - 1, unfreeze);
  }

  /**
   * Per encoder parameter (or adapter) that this schedule opens after epoch n > 0, that n; empty
   * for the fixed schedule, where everything trains from the first step.
   */
  Map<String, Integer> opensAfter(FineTuneGraphs.Spec spec) {
    Map<String, Integer> out = new HashMap<>();
    if (this == GRADUAL) {
      for (int n = 1; n <= spec.unfreeze(); n++) {
        for (String p : spec.withOpen(n).openParameters()) {
          out.putIfAbsent(p, n);
        }
      }
    }
    return out;
  }

  /**
   * The AdamW step-count group of parameters opened after {@code n} epochs ("" from the start): a
   * layer that opens later counts its own steps from there, as an optimizer with a step count per
   * parameter does.
   */
  static String group(int n) {
    return n == 0 ? "" : "opened_after_epoch_" + n;
  }

  /** Per parameter that opens later, its step-count group. */
  static Map<String, String> groups(Map<String, Integer> opensAfter) {
    Map<String, String> out = new HashMap<>();
    opensAfter.forEach((p, n) -> out.put(p, group(n)));
    return out;
  }

  /**
   * The distinct opening epochs among the trained parameters (0 for those trained from the start).
   */
  static SortedSet<Integer> groupStarts(List<String> trained, Map<String, Integer> opensAfter) {
    SortedSet<Integer> out = new TreeSet<>();
    for (String p : trained) {
      out.add(opensAfter.getOrDefault(p, 0));
    }
    return out;
  }
}
