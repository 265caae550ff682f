package dev.ferry.trainer.metrics;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one JSON shape of {@link ClassificationMetrics}, written by the manifest's {@code metrics},
 * the report's {@code metrics.json} and {@code ferry eval --json}: snake_case keys, numbers rounded
 * to 6 decimals, and {@code null} for a number that is not defined (the accuracy of no examples).
 *
 * <pre>{@code
 * {"examples": 150, "accuracy": 0.9, "macro_f1": 0.87, "expected_calibration_error": 0.04,
 *  "classes_without_examples": ["wheat"],        // only when some class has no example here
 *  "per_class": {"corn": {"precision": .., "recall": .., "f1": .., "support": 24}, ...},
 *  "confusion": {"corn": {"corn": 20, "grain": 3, "other": 1}, ...}}   // truth → predicted → count
 * }</pre>
 */
public final class MetricsJson {
  private MetricsJson() {}

  /** The metrics in the shape above. */
  public static ObjectNode of(ClassificationMetrics m) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("examples", m.examples());
    put(o, "accuracy", m.accuracy());
    put(o, "macro_f1", m.macroF1());
    put(o, "expected_calibration_error", m.expectedCalibrationError());
    if (!m.classesWithoutExamples().isEmpty()) {
      // macro_f1 says little about these: left out of it, or in it with F1 0 if predicted.
      m.classesWithoutExamples().forEach(o.putArray("classes_without_examples")::add);
    }
    ObjectNode perClass = o.putObject("per_class");
    for (ClassificationMetrics.ClassMetrics c : m.perClass()) {
      ObjectNode n = perClass.putObject(c.label());
      put(n, "precision", c.precision());
      put(n, "recall", c.recall());
      put(n, "f1", c.f1());
      n.put("support", c.support());
    }
    ObjectNode confusion = o.putObject("confusion");
    for (int i = 0; i < m.labels().size(); i++) {
      ObjectNode row = confusion.putObject(m.labels().get(i));
      for (int j = 0; j < m.labels().size(); j++) {
        row.put(m.labels().get(j), m.confusion()[i][j]);
      }
    }
    return o;
  }

  /**
   * A bundle's {@code metrics}: {@code validation} in the shape above, or, with no held-out
   * examples, {@code validation: null} and {@code no_validation_reason}.
   */
  public static ObjectNode bundleMetrics(
      ClassificationMetrics validation, String noValidationReason) {
    ObjectNode metrics = JsonNodeFactory.instance.objectNode();
    if (validation != null) {
      metrics.set("validation", of(validation));
    } else {
      metrics.putNull("validation");
      metrics.put("no_validation_reason", noValidationReason);
    }
    return metrics;
  }

  /**
   * A scored example: {@code {id, location, label, predicted, confidence}}, and {@code text} when
   * {@code withText}.
   */
  public static ObjectNode example(ScoredExample e, boolean withText) {
    ObjectNode x = JsonNodeFactory.instance.objectNode();
    x.put("id", e.id());
    x.put("location", e.location());
    x.put("label", e.truth());
    x.put("predicted", e.predicted());
    put(x, "confidence", e.confidence());
    if (withText) {
      x.put("text", e.text());
    }
    return x;
  }

  /** {@code value} rounded to 6 decimals, or null if it is not a finite number. */
  public static void put(ObjectNode into, String key, double value) {
    if (Double.isFinite(value)) {
      into.put(key, round(value));
    } else {
      into.putNull(key);
    }
  }

  /** Rounded to 6 decimals (NaN stays NaN). */
  public static double round(double v) {
    return Double.isNaN(v) ? v : Math.round(v * 1e6) / 1e6;
  }
}
