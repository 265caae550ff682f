package dev.ferry.trainer;

/**
 * The range checks that training settings share. Each throws an {@link IllegalArgumentException}
 * whose message starts with the setting's name ("learning rate must be …"), so that a command line
 * can name its own flag for it. NaN and the infinities fail every check: a setting of {@code
 * Infinity} is no more a learning rate than {@code NaN} is.
 */
public final class SettingChecks {
  private SettingChecks() {}

  /** Requires a finite number above 0 (learning rates, scales). */
  public static void positive(String setting, double value) {
    if (!(Double.isFinite(value) && value > 0)) {
      throw new IllegalArgumentException(
          setting + " must be a finite number above 0, was " + value);
    }
  }

  /** Requires a finite number of at least 0 (weight decay, clipping norms). */
  public static void nonNegative(String setting, double value) {
    if (!(Double.isFinite(value) && value >= 0)) {
      throw new IllegalArgumentException(
          setting + " must be a finite number of at least 0, was " + value);
    }
  }

  /** Requires a share in [0, 1): 0 allowed, 1 not (dropout). */
  public static void probability(String setting, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(setting + " must be in [0, 1), was " + value);
    }
  }

  /** Requires a share strictly between 0 and 1 (a held-out fraction). */
  public static void fraction(String setting, double value) {
    if (!(value > 0 && value < 1)) {
      throw new IllegalArgumentException(
          setting + " must be between 0 and 1 (exclusive), was " + value);
    }
  }

  /** Requires a share in [0, 1] (warm-up). */
  public static void share(String setting, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(
          setting + " must be between 0 and 1 (inclusive), was " + value);
    }
  }
}
