package dev.ferry.plugin.bundle;

import dev.ferry.models.bundle.BundleLoadException;
import java.util.regex.Pattern;

/**
 * What a bundle or alias may be called: letters, digits, {@code .}, {@code _} and {@code -}, at
 * most {@value #MAX_LENGTH} characters, so that a name is also a safe folder name. A name given to
 * a new bundle or alias must begin with a letter or a digit ({@code _} begins the API's own words,
 * {@code _alias}).
 */
public final class BundleNames {
  /** The longest name. */
  public static final int MAX_LENGTH = 100;

  private static final Pattern ANY =
      Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0," + (MAX_LENGTH - 1) + "}");
  private static final Pattern NEW =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (MAX_LENGTH - 1) + "}");

  private BundleNames() {}

  /** Whether {@code name} may name a bundle (in a pipeline, a query, or as a config folder). */
  public static boolean isValid(String name) {
    return name != null && ANY.matcher(name).matches();
  }

  /**
   * Refuses a name that may not name a bundle.
   *
   * @throws BundleLoadException saying which characters are allowed
   */
  public static void check(String name) {
    if (!isValid(name)) {
      throw new BundleLoadException(
          "bundle name '"
              + name
              + "' is not a valid name: use letters, digits, '.', '_' "
              + "and '-' only, at most "
              + MAX_LENGTH
              + " characters");
    }
  }

  /**
   * Refuses a name that may not be given to a new bundle or alias.
   *
   * @throws IllegalArgumentException saying which characters are allowed
   */
  public static void checkNew(String name, String what) {
    if (name == null || !NEW.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what
              + " name '"
              + name
              + "' is not valid: begin with a letter or a digit, "
              + "then letters, digits, '.', '_' and '-' only, at most "
              + MAX_LENGTH
              + " characters");
    }
  }
}
