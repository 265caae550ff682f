package dev.ferry.eval.accuracy;

import java.util.Arrays;
import java.util.Locale;

/**
 * Mean and sample standard deviation (n − 1; 0 for one value).
 *
 * @param n number of values
 */
public record MeanSd(double mean, double sd, int n) {
  /** The mean and sd of {@code values}; NaN for none. */
  public static MeanSd of(double... values) {
    int n = values.length;
    if (n == 0) {
      return new MeanSd(Double.NaN, Double.NaN, 0);
    }
    double mean = Arrays.stream(values).sum() / n;
    double squares = 0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    return new MeanSd(mean, n == 1 ? 0 : Math.sqrt(squares / (n - 1)), n);
  }

  /** {@code 0.812 ± 0.021}, or {@code 0.812} for a single value. */
  @Override
  public String toString() {
    return n == 1
        ? String.format(Locale.ROOT, "%.3f", mean)
        : String.format(Locale.ROOT, "%.3f ± %.3f", mean, sd);
  }
}
