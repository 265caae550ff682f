package dev.ferry.trainer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A settings record as the run's provenance: every component, generated from the record itself, so
 * that a new setting is recorded in the manifest ({@code training.hyperparameters}), the report and
 * the checkpoints' fingerprint without being listed anywhere else. Keys are the components' names
 * in snake_case ({@code learningRate}: {@code learning_rate}) unless {@link Setting#key} says
 * otherwise; enums are recorded by their {@code id()} (the names the command line takes), other
 * values as they are.
 */
public final class Provenance {
  private Provenance() {}

  /**
   * A settings record whose components do not all apply at once (the linear head reads none of the
   * MLP's epochs and rates): provenance records only the ones it {@linkplain #uses uses}.
   */
  public interface SettingsInUse {
    /** Whether the setting recorded under {@code key} takes part in training. */
    boolean uses(String key);
  }

  /**
   * Each setting of {@code settings} in use ({@link SettingsInUse}), in declaration order: key →
   * value (a number, boolean or string).
   */
  public static Map<String, Object> of(Record settings) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent c : settings.getClass().getRecordComponents()) {
      Setting how = c.getAnnotation(Setting.class);
      String key = how != null && !how.key().isEmpty() ? how.key() : snakeCase(c.getName());
      Object value = value(settings, c);
      if (how != null && !how.max().isEmpty() && Integer.valueOf(Integer.MAX_VALUE).equals(value)) {
        value = how.max();
      }
      if (!(settings instanceof SettingsInUse partial) || partial.uses(key)) {
        out.put(key, value);
      }
    }
    return out;
  }

  /** Puts every setting of {@code settings} into {@code into}. */
  public static void put(ObjectNode into, Record settings) {
    of(settings)
        .forEach(
            (key, value) -> {
              switch (value) {
                case Integer i -> into.put(key, i);
                case Long l -> into.put(key, l);
                case Double d -> into.put(key, d);
                case Boolean b -> into.put(key, b);
                default -> into.put(key, String.valueOf(value));
              }
            });
  }

  /** The settings on one line, for a report: {@code learning_rate 0.0001 · batch_size 4 · …}. */
  public static String describe(Record settings) {
    List<String> parts = new ArrayList<>();
    of(settings).forEach((key, value) -> parts.add(key + " " + text(value)));
    return String.join(" · ", parts);
  }

  /** A setting's value as a person writes it: 0.0001, not 1.0E-4; 16, not 16.0. */
  public static String text(Object value) {
    if (value instanceof Double d && Double.isFinite(d)) {
      return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
    return String.valueOf(value);
  }

  private static Object value(Record settings, RecordComponent c) {
    try {
      Object value = c.getAccessor().invoke(settings);
      if (value instanceof Enum<?> e) {
        try {
          Method id = e.getDeclaringClass().getMethod("id");
          return id.invoke(e);
        } catch (NoSuchMethodException noId) {
          return e.name().toLowerCase(Locale.ROOT);
        }
      }
      return value;
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException(
          "cannot read setting " + c.getName() + " of " + settings.getClass(), e);
    }
  }

  private static String snakeCase(String name) {
    return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}
