package dev.ferry.trainer.head;

/**
 * Temperature scaling (Guo et al. 2017): the factor T that, multiplying a head's logits, minimizes
 * the mean cross-entropy on held-out examples. It changes no prediction, only the confidences: a
 * strongly regularized linear head is right but timid (confidences near 1 / classes), and T > 1
 * brings them in line with how often it is right.
 */
final class TemperatureFit {
  /** T is searched in [MIN, MAX]. */
  static final double MIN = 0.05;

  static final double MAX = 200;

  private TemperatureFit() {}

  /**
   * The minimizing T for held-out log-probabilities (any constant shift per row is fine: they are
   * treated as logits). The cross-entropy is convex in T, so a golden-section search on log T finds
   * it.
   */
  static double fit(double[][] logits, int[] truth) {
    if (logits.length == 0) {
      return 1;
    }
    double lo = Math.log(MIN);
    double hi = Math.log(MAX);
    double ratio = (Math.sqrt(5) - 1) / 2;
    double a = hi - ratio * (hi - lo);
    double b = lo + ratio * (hi - lo);
    double fa = loss(logits, truth, Math.exp(a));
    double fb = loss(logits, truth, Math.exp(b));
    for (int i = 0; i < 80; i++) {
      if (fa <= fb) {
        hi = b;
        b = a;
        fb = fa;
        a = hi - ratio * (hi - lo);
        fa = loss(logits, truth, Math.exp(a));
      } else {
        lo = a;
        a = b;
        fa = fb;
        b = lo + ratio * (hi - lo);
        fb = loss(logits, truth, Math.exp(b));
      }
    }
    return Math.exp((lo + hi) / 2);
  }

  /** Mean cross-entropy of softmax(t · logits). */
  static double loss(double[][] logits, int[] truth, double t) {
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (double z : logits[i]) {
        max = Math.max(max, t * z);
      }
      double norm = 0;
      for (double z : logits[i]) {
        norm += Math.exp(t * z - max);
      }
      sum += max + Math.log(norm) - t * logits[i][truth[i]];
    }
    return sum / logits.length;
  }
}
