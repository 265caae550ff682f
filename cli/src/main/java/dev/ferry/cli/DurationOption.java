package dev.ferry.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A duration as the command line takes it: 90s, 10m, 1h30m (hours, minutes, seconds). */
final class DurationOption {
  private static final Pattern FORMAT = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

  private DurationOption() {}

  /**
   * Parses {@code value} for {@code option}.
   *
   * @throws IllegalArgumentException naming the option and the form expected
   */
  static Duration parse(String option, String value) {
    Matcher m = FORMAT.matcher(value.trim().toLowerCase(java.util.Locale.ROOT));
    if (value.isBlank() || !m.matches()) {
      throw new IllegalArgumentException(
          option + " takes a duration such as 90s, 10m or 1h30m, found '" + value + "'");
    }
    Duration d =
        Duration.ofHours(number(m.group(1)))
            .plusMinutes(number(m.group(2)))
            .plusSeconds(number(m.group(3)));
    if (d.isZero()) {
      throw new IllegalArgumentException(
          option + " must be longer than 0 (such as 90s, 10m or 1h30m), found '" + value + "'");
    }
    return d;
  }

  private static long number(String digits) {
    return digits == null ? 0 : Long.parseLong(digits);
  }
}
