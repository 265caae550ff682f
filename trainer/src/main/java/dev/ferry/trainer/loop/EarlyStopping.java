package dev.ferry.trainer.loop;

import dev.ferry.models.graph.HostTensor;
import dev.ferry.trainer.EpochMetrics;
import java.util.Map;

/**
 * Which epoch to keep, and when to stop: the rule both training loops (heads and fine-tuning)
 * follow. After each epoch the held-out macro-F1 decides (ties within {@value #TOLERANCE}: the
 * lower held-out loss); without held-out scores every epoch counts as better, so the last is kept.
 * Training stops after {@code patience} epochs without a better one (0: never).
 */
public final class EarlyStopping {
  /** Macro-F1 differences up to this are ties. */
  public static final double TOLERANCE = 1e-12;

  private final int patience;
  private Map<String, HostTensor> best;
  private int bestEpoch;
  private double bestF1 = -1;
  private double bestLoss = Double.POSITIVE_INFINITY;

  /** Nothing kept yet. */
  public EarlyStopping(int patience) {
    this.patience = patience;
  }

  /** Where a checkpoint left it: the kept epoch, its scores and parameters (null: none yet). */
  public EarlyStopping(
      int patience, int bestEpoch, double bestF1, double bestLoss, Map<String, HostTensor> best) {
    this(patience);
    this.bestEpoch = bestEpoch;
    this.bestF1 = bestF1;
    this.bestLoss = bestLoss;
    this.best = best;
  }

  /**
   * Scores an epoch; if it is the best so far, keeps its {@code parameters} and returns true.
   *
   * @param parameters the epoch's parameter values (kept as given, not copied)
   */
  public boolean improved(EpochMetrics epoch, Map<String, HostTensor> parameters) {
    double f1 = epoch.validMacroF1();
    boolean scored = !Double.isNaN(f1);
    boolean better =
        !scored
            || f1 > bestF1 + TOLERANCE
            || (Math.abs(f1 - bestF1) <= TOLERANCE && epoch.validLoss() < bestLoss);
    if (better) {
      best = parameters;
      bestEpoch = epoch.epoch();
      if (scored) {
        bestF1 = f1;
        bestLoss = epoch.validLoss();
      }
    }
    return better;
  }

  /** Whether {@code patience} epochs have passed since the kept one, as of {@code epoch}. */
  public boolean patienceRunOut(int epoch) {
    return patience > 0 && epoch - bestEpoch >= patience;
  }

  /**
   * The report's line about the epochs: "12 run of at most 100, best 9 (early stopping after 20
   * without improvement)".
   */
  public static String describe(int epochsRun, int maxEpochs, int bestEpoch, int patience) {
    return epochsRun
        + " run of at most "
        + maxEpochs
        + ", best "
        + bestEpoch
        + (patience > 0 ? " (early stopping after " + patience + " without improvement)" : "");
  }

  /** The kept epoch's parameters, or null before the first epoch. */
  public Map<String, HostTensor> best() {
    return best;
  }

  /** The kept epoch (1-based), or 0 before the first. */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** The kept epoch's held-out macro-F1 (-1 before any). */
  public double bestF1() {
    return bestF1;
  }

  /** The kept epoch's held-out loss (infinite before any). */
  public double bestLoss() {
    return bestLoss;
  }
}
