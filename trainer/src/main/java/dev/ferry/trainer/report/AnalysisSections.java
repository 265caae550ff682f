package dev.ferry.trainer.report;

import static dev.ferry.trainer.report.TrainingReport.esc;

import dev.ferry.trainer.metrics.ScoredExample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's sections for error analysis, as HTML: the misclassified examples of each class, a
 * reliability diagram and a confidence histogram (inline SVG, so they stay sharp and need no
 * script), and the training data's label distribution.
 */
final class AnalysisSections {
  /** Misclassified examples listed per true class, surest mistakes first. */
  static final int MISTAKES_PER_CLASS = 10;

  /** Characters of an example's text shown. */
  static final int TEXT_CHARS = 160;

  /** Equal-width confidence bins of the reliability diagram and the histogram. */
  static final int BINS = 10;

  private AnalysisSections() {}

  /**
   * The misclassified examples, grouped by their true class (the class with most mistakes first),
   * each group's surest mistakes first; a sentence when there are none.
   */
  static void mistakes(StringBuilder out, List<ScoredExample> scored, String scoredOn) {
    out.append("<section id=\"mistakes\">\n<h2>Misclassified examples</h2>\n");
    Map<String, List<ScoredExample>> byTruth = new LinkedHashMap<>();
    Map<String, Integer> totals = new LinkedHashMap<>();
    for (ScoredExample s : scored) {
      totals.merge(s.truth(), 1, Integer::sum);
      if (!s.correct()) {
        byTruth.computeIfAbsent(s.truth(), k -> new ArrayList<>()).add(s);
      }
    }
    if (byTruth.isEmpty()) {
      out.append("<p class=\"empty\">No example of ")
          .append(esc(scoredOn))
          .append(" was misclassified.</p>\n</section>\n");
      return;
    }
    int wrong = byTruth.values().stream().mapToInt(List::size).sum();
    out.append("<p>")
        .append(String.format(Locale.ROOT, "%,d of %,d examples of ", wrong, scored.size()))
        .append(esc(scoredOn))
        .append(" were misclassified. Each class lists the mistakes the model was surest of first")
        .append(": those are mislabeled examples, or what the model has not learned yet.</p>\n");
    List<Map.Entry<String, List<ScoredExample>>> groups = new ArrayList<>(byTruth.entrySet());
    groups.sort(
        Comparator.<Map.Entry<String, List<ScoredExample>>>comparingInt(e -> -e.getValue().size())
            .thenComparing(Map.Entry::getKey));
    for (Map.Entry<String, List<ScoredExample>> g : groups) {
      List<ScoredExample> list = new ArrayList<>(g.getValue());
      list.sort(Comparator.comparingDouble(ScoredExample::confidence).reversed());
      out.append("<h3 class=\"group\" data-label=\"")
          .append(esc(g.getKey()))
          .append("\">")
          .append(esc(g.getKey()))
          .append(" <span class=\"count\">")
          .append(
              String.format(
                  Locale.ROOT,
                  "%d of %d misclassified",
                  list.size(),
                  totals.getOrDefault(g.getKey(), 0)))
          .append(
              list.size() > MISTAKES_PER_CLASS
                  ? ", the " + MISTAKES_PER_CLASS + " surest shown"
                  : "")
          .append("</span></h3>\n");
      out.append(
          "<div class=\"scroll\">\n<table class=\"mistakes\">\n<thead><tr><th scope=\"col\">example"
              + "</th><th scope=\"col\">predicted</th><th scope=\"col\">confidence</th><th"
              + " scope=\"col\">text</th></tr></thead>\n<tbody>\n");
      for (ScoredExample s : list.subList(0, Math.min(MISTAKES_PER_CLASS, list.size()))) {
        out.append("<tr class=\"mistake\"><td class=\"name\" title=\"")
            .append(esc(s.location()))
            .append("\">")
            .append(esc(s.shortName()))
            .append("</td><td class=\"predicted\">")
            .append(esc(s.predicted()))
            .append("</td><td class=\"confidence\">")
            .append(String.format(Locale.ROOT, "%.2f", s.confidence()))
            .append("</td><td class=\"text\">")
            .append(esc(s.textStart(TEXT_CHARS)))
            .append("</td></tr>\n");
      }
      out.append("</tbody>\n</table>\n</div>\n");
    }
    out.append("</section>\n");
  }

  /** The reliability diagram and the confidence histogram side by side, with the ECE. */
  static void confidence(
      StringBuilder out, List<ScoredExample> scored, double ece, String scoredOn) {
    out.append("<section id=\"confidence\">\n<h2>Confidence</h2>\n");
    if (scored.isEmpty()) {
      out.append("<p class=\"empty\">No scored examples, so there is nothing to show.</p>\n")
          .append("</section>\n");
      return;
    }
    out.append("<p>How far the model's confidence can be trusted on ")
        .append(esc(scoredOn))
        .append(". Expected calibration error (ECE): ")
        .append(Double.isFinite(ece) ? String.format(Locale.ROOT, "%.3f", ece) : "—")
        .append(
            ", the gap between confidence and accuracy, averaged over the examples (0 is"
                + " perfect).</p>\n<div class=\"plots\">\n");
    Bins bins = Bins.of(scored);
    out.append("<figure class=\"svgchart\" id=\"reliability\">\n<h3>Reliability diagram</h3>\n")
        .append(Svg.reliability(bins))
        .append(
            "<figcaption>Accuracy of the examples in each confidence bin, with how many there"
                + " are above each bar. On the dashed diagonal the model is as often right as it"
                + " is confident; bars below it are over-confident.</figcaption>\n</figure>\n");
    out.append("<figure class=\"svgchart\" id=\"histogram\">\n<h3>Confidence histogram</h3>\n")
        .append(Svg.histogram(bins))
        .append(
            "<figcaption>Examples per confidence bin, correct (green) and misclassified (red)."
                + " Confident mistakes are the first to check.</figcaption>\n</figure>\n");
    out.append("</div>\n</section>\n");
  }

  /** The training data's examples per label, as bars. */
  static void labelDistribution(StringBuilder out, Map<String, Integer> counts) {
    if (counts.isEmpty()) {
      return;
    }
    int total = counts.values().stream().mapToInt(Integer::intValue).sum();
    int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(1);
    int min = counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    out.append("<section id=\"labels\">\n<h2>Training labels</h2>\n<p>")
        .append(String.format(Locale.ROOT, "%,d examples in %d classes", total, counts.size()))
        .append(
            max > 0 && min * 2 < max
                ? String.format(
                    Locale.ROOT,
                    "; the largest class has %.1f× the examples of the smallest.",
                    (double) max / Math.max(1, min))
                : ".")
        .append("</p>\n<div class=\"scroll\">\n<table class=\"dist\">\n<tbody>\n");
    counts.forEach(
        (label, n) ->
            out.append("<tr><th scope=\"row\">")
                .append(esc(label))
                .append("</th><td class=\"n\">")
                .append(String.format(Locale.ROOT, "%,d", n))
                .append("</td><td class=\"share\"><span class=\"track\"><span class=\"bar\"")
                .append(String.format(Locale.ROOT, " style=\"width:%.1f%%\"", 100.0 * n / max))
                .append("></span></span>")
                .append(String.format(Locale.ROOT, "%.1f%%", 100.0 * n / Math.max(1, total)))
                .append("</td></tr>\n"));
    out.append("</tbody>\n</table>\n</div>\n</section>\n");
  }

  /** Examples per equal-width confidence bin: how many, how many correct, their mean confidence. */
  record Bins(int[] count, int[] correct, double[] confidenceSum) {
    static Bins of(List<ScoredExample> scored) {
      int[] count = new int[BINS];
      int[] correct = new int[BINS];
      double[] sum = new double[BINS];
      for (ScoredExample s : scored) {
        int b = Math.max(0, Math.min(BINS - 1, (int) (s.confidence() * BINS)));
        count[b]++;
        sum[b] += s.confidence();
        if (s.correct()) {
          correct[b]++;
        }
      }
      return new Bins(count, correct, sum);
    }

    double accuracy(int b) {
      return count[b] == 0 ? Double.NaN : (double) correct[b] / count[b];
    }

    double meanConfidence(int b) {
      return count[b] == 0 ? Double.NaN : confidenceSum[b] / count[b];
    }
  }

  /** Inline SVG charts: a fixed view box, scaled by CSS to the column's width. */
  static final class Svg {
    static final int W = 400;
    static final int H = 280;
    private static final int LEFT = 52;
    private static final int RIGHT = 14;
    private static final int TOP = 12;
    private static final int BOTTOM = 44;

    private Svg() {}

    static String reliability(Bins bins) {
      StringBuilder s = open("Accuracy per confidence bin");
      grid(s, 1.0, "0.0", "0.5", "1.0", "accuracy");
      double pw = W - LEFT - RIGHT;
      double ph = H - TOP - BOTTOM;
      // The diagonal: accuracy equal to confidence.
      s.append(
          String.format(
              Locale.ROOT,
              "<line class=\"diag\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%d\"/>\n",
              LEFT,
              TOP + ph,
              LEFT + pw,
              TOP));
      for (int b = 0; b < BINS; b++) {
        if (bins.count()[b] == 0) {
          continue;
        }
        double acc = bins.accuracy(b);
        double x = LEFT + pw * b / BINS + 1.5;
        double w = pw / BINS - 3;
        double h = ph * acc;
        s.append(
                String.format(
                    Locale.ROOT,
                    "<rect class=\"acc\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">",
                    x,
                    TOP + ph - h,
                    w,
                    Math.max(h, 0.5)))
            .append(
                String.format(
                    Locale.ROOT,
                    "<title>confidence %.1f–%.1f: %d examples, accuracy %.2f, mean confidence"
                        + " %.2f</title></rect>\n",
                    (double) b / BINS,
                    (double) (b + 1) / BINS,
                    bins.count()[b],
                    acc,
                    bins.meanConfidence(b)));
        // How many examples the bar stands for: a bar of 2 says less than a bar of 200.
        s.append(
            String.format(
                Locale.ROOT,
                "<text class=\"n\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>\n",
                x + w / 2,
                Math.max(TOP + 10, TOP + ph - h - 4),
                bins.count()[b]));
      }
      xAxis(s, "confidence");
      return s.append("</svg>\n").toString();
    }

    static String histogram(Bins bins) {
      int max = 1;
      for (int c : bins.count()) {
        max = Math.max(max, c);
      }
      int top = niceCeiling(max);
      StringBuilder s = open("Examples per confidence bin");
      grid(s, top, "0", Integer.toString(top / 2), Integer.toString(top), "examples");
      double pw = W - LEFT - RIGHT;
      double ph = H - TOP - BOTTOM;
      for (int b = 0; b < BINS; b++) {
        int n = bins.count()[b];
        if (n == 0) {
          continue;
        }
        int right = bins.correct()[b];
        int wrong = n - right;
        double x = LEFT + pw * b / BINS + 1.5;
        double w = pw / BINS - 3;
        double hRight = ph * right / top;
        double hWrong = ph * wrong / top;
        String tip =
            String.format(
                Locale.ROOT,
                "<title>confidence %.1f–%.1f: %d correct, %d misclassified</title>",
                (double) b / BINS,
                (double) (b + 1) / BINS,
                right,
                wrong);
        s.append(
            String.format(
                Locale.ROOT,
                "<rect class=\"right\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">%s"
                    + "</rect>\n",
                x,
                TOP + ph - hRight,
                w,
                hRight,
                tip));
        if (wrong > 0) {
          s.append(
              String.format(
                  Locale.ROOT,
                  "<rect class=\"wrong\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">%s"
                      + "</rect>\n",
                  x,
                  TOP + ph - hRight - hWrong,
                  w,
                  hWrong,
                  tip));
        }
      }
      xAxis(s, "confidence");
      return s.append("</svg>\n").toString();
    }

    /**
     * The axis top for a largest count {@code n}: the smallest even number of the form 1, 1.2, 1.5,
     * 2, 2.5, 3, 4, 5, 6 or 8 × 10^k at or above it (109 → 120, not 200), so that its half is a
     * whole number too.
     */
    static int niceCeiling(int n) {
      double[] steps = {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8};
      for (long p = 1; ; p *= 10) {
        for (double m : steps) {
          long top = Math.round(m * p);
          if (top >= n && top % 2 == 0) {
            return (int) top;
          }
        }
      }
    }

    private static StringBuilder open(String label) {
      return new StringBuilder(4096)
          .append("<svg viewBox=\"0 0 ")
          .append(W)
          .append(' ')
          .append(H)
          .append("\" role=\"img\" aria-label=\"")
          .append(esc(label))
          .append("\" xmlns=\"http://www.w3.org/2000/svg\">\n");
    }

    /** Horizontal grid lines at 0, half and the top, with their labels and the y axis title. */
    private static void grid(
        StringBuilder s, double top, String zero, String half, String full, String title) {
      double ph = H - TOP - BOTTOM;
      String[] labels = {zero, half, full};
      for (int i = 0; i <= 2; i++) {
        double y = TOP + ph - ph * i / 2;
        s.append(
            String.format(
                Locale.ROOT,
                "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
                    + "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                LEFT,
                y,
                W - RIGHT,
                y,
                LEFT - 6,
                y + 4,
                labels[i]));
      }
      s.append(
          String.format(
              Locale.ROOT,
              "<text class=\"axis\" transform=\"translate(14 %.1f) rotate(-90)\""
                  + " text-anchor=\"middle\">%s</text>\n",
              TOP + ph / 2,
              title));
    }

    private static void xAxis(StringBuilder s, String title) {
      double pw = W - LEFT - RIGHT;
      double y = H - BOTTOM;
      for (int i = 0; i <= BINS; i += 2) {
        s.append(
            String.format(
                Locale.ROOT,
                "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.1f</text>\n",
                LEFT + pw * i / BINS,
                y + 16,
                (double) i / BINS));
      }
      s.append(
          String.format(
              Locale.ROOT,
              "<text class=\"axis\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
              LEFT + pw / 2,
              H - 6,
              title));
    }
  }
}
