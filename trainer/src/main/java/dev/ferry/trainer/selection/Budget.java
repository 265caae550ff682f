package dev.ferry.trainer.selection;

import dev.ferry.models.encoder.BuiltinEncoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Which candidates a time budget leaves out: the slowest first, until the estimated embedding time
 * of the rest fits. A candidate whose texts are all cached costs nothing and is never left out; at
 * least one candidate always stays.
 */
final class Budget {
  private Budget() {}

  /**
   * One candidate's estimated cost.
   *
   * @param encoder the candidate
   * @param textsPerSecond its measured speed on the probe
   * @param uncached distinct texts it would have to embed (the cache holds the rest)
   */
  record Estimate(BuiltinEncoder encoder, double textsPerSecond, int uncached) {
    double seconds() {
      return uncached == 0 ? 0 : uncached / textsPerSecond;
    }
  }

  /**
   * The candidates to leave out so that the others' embedding fits in {@code seconds}, slowest
   * first.
   *
   * @param budget the whole budget, for the message
   * @throws BudgetTooSmallException if even the fastest candidate alone does not fit
   */
  static List<BuiltinEncoder> leaveOut(List<Estimate> estimates, double seconds, Duration budget) {
    List<Estimate> kept = new ArrayList<>(estimates);
    List<Estimate> slowestFirst = new ArrayList<>(estimates);
    slowestFirst.sort(Comparator.comparingDouble(Estimate::textsPerSecond));
    double total = estimates.stream().mapToDouble(Estimate::seconds).sum();
    List<BuiltinEncoder> out = new ArrayList<>();
    for (Estimate e : slowestFirst) {
      if (total <= seconds || kept.size() == 1) {
        break;
      }
      if (e.seconds() > 0) {
        kept.remove(e);
        out.add(e.encoder());
        total -= e.seconds();
      }
    }
    if (total > seconds) {
      Estimate fastest =
          kept.stream()
              .filter(e -> e.seconds() > 0)
              .max(Comparator.comparingDouble(Estimate::textsPerSecond))
              .orElseThrow();
      long need = (long) Math.ceil(fastest.seconds() + Math.max(0, budget.toSeconds() - seconds));
      throw new BudgetTooSmallException(
          String.format(
              Locale.ROOT,
              "budget %s is too small for even the fastest candidate: %s needs about %d s to embed"
                  + " %,d texts (%.1f texts/s, measured on your texts); give a budget of at least"
                  + " %s, or no budget",
              Durations.format(budget),
              fastest.encoder().id(),
              (long) Math.ceil(fastest.seconds()),
              fastest.uncached(),
              fastest.textsPerSecond(),
              Durations.format(Duration.ofSeconds(need))),
          Duration.ofSeconds(need));
    }
    return out;
  }
}
