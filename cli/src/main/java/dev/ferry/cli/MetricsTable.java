package dev.ferry.cli;

import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.io.PrintWriter;
import java.util.Locale;

/** Prints classification metrics as plain-text tables. */
final class MetricsTable {
  private MetricsTable() {}

  static void print(PrintWriter out, ClassificationMetrics m) {
    out.printf(
        Locale.ROOT,
        "  accuracy %.4f   macro-F1 %.4f%s   calibration error (ECE) %.4f%n%n",
        m.accuracy(),
        m.macroF1(),
        m.macroF1Coverage(),
        m.expectedCalibrationError());
    int width = Math.max(5, m.labels().stream().mapToInt(String::length).max().orElse(5));
    out.printf(
        Locale.ROOT,
        "  %-" + width + "s  %9s  %9s  %9s  %7s%n",
        "label",
        "precision",
        "recall",
        "F1",
        "support");
    for (ClassificationMetrics.ClassMetrics c : m.perClass()) {
      out.printf(
          Locale.ROOT,
          "  %-" + width + "s  %9.4f  %9.4f  %9.4f  %7d%n",
          c.label(),
          c.precision(),
          c.recall(),
          c.f1(),
          c.support());
    }
    out.printf("%n  confusion matrix (rows: true label, columns: predicted)%n");
    int cell = Math.max(6, width);
    out.printf("  %-" + width + "s", "");
    for (String label : m.labels()) {
      out.printf(" %" + cell + "s", label);
    }
    out.println();
    for (int i = 0; i < m.labels().size(); i++) {
      out.printf("  %-" + width + "s", m.labels().get(i));
      for (int j = 0; j < m.labels().size(); j++) {
        out.printf(" %" + cell + "d", m.confusion()[i][j]);
      }
      out.println();
    }
  }
}
