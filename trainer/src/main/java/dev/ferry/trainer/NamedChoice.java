package dev.ferry.trainer;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A setting that is one of a few named choices (a training mode, a head kind, a schedule): its name
 * on the command line and in the manifest is the constant's name in lower case.
 */
public interface NamedChoice {
  /** The name used on the command line and in the manifest. */
  default String id() {
    return ((Enum<?>) this).name().toLowerCase(Locale.ROOT);
  }

  /**
   * The constant of {@code type} named {@code id} (case and surrounding spaces ignored).
   *
   * @param what what the choice is, for the error: "unknown {@code what} 'x'; expected one of …"
   */
  static <E extends Enum<E> & NamedChoice> E fromId(Class<E> type, String what, String id) {
    String wanted = id == null ? "" : id.trim();
    for (E e : type.getEnumConstants()) {
      if (e.id().equalsIgnoreCase(wanted)) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        "unknown "
            + what
            + " '"
            + id
            + "'; expected one of "
            + Arrays.stream(type.getEnumConstants())
                .map(NamedChoice::id)
                .collect(Collectors.joining(", ")));
  }
}
