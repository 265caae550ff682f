package dev.ferry.trainer.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.trainer.EpochMetrics;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import dev.ferry.trainer.metrics.ClassificationMetrics.ClassMetrics;
import dev.ferry.trainer.metrics.MetricsJson;
import dev.ferry.trainer.metrics.ScoredExample;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Writes the {@code report/} folder of a model bundle: a self-contained {@code index.html} (inline
 * CSS, no scripts, no fonts or anything else from the network), the training curves {@code
 * loss.png} and {@code accuracy.png} beside it, and {@code metrics.json} with the same numbers for
 * programs.
 *
 * <p>The page shows the headline numbers, the facts of the run, the curves with the kept epoch
 * marked, the confusion matrix shaded by each true class's share, per-class precision, recall and
 * F1, and any notes about the data. Parts without data (no epochs, no held-out set) are replaced by
 * a sentence saying so.
 *
 * <p>{@code metrics.json} holds the same numbers in the shape the manifest uses ({@link
 * MetricsJson}: snake_case, 6 decimals), and writes a number that is not defined ({@code NaN}, e.g.
 * a validation loss without a validation set) as {@code null}, so that strict JSON readers accept
 * the file.
 */
public final class TrainingReport {
  /** The page. */
  public static final String INDEX = "index.html";

  /** Train and validation loss per epoch. */
  public static final String LOSS_CHART = "loss";

  /** Train accuracy, validation accuracy and validation macro-F1 per epoch. */
  public static final String ACCURACY_CHART = "accuracy";

  /** The numbers, for programs. */
  public static final String METRICS_JSON = "metrics.json";

  /** Nominal size of each curve on the page (the PNG has {@link Charts#SCALE} times the pixels). */
  static final int CHART_WIDTH = 560;

  static final int CHART_HEIGHT = 360;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TrainingReport() {}

  /**
   * A table of the page's own, such as {@code --encoder auto}'s candidates and their scores; {@code
   * metrics.json} has it under {@code tables.ID}.
   *
   * @param id the section's HTML id and the key in {@code metrics.json}
   * @param heading the section's heading
   * @param caption a paragraph above the table
   * @param columns the column headings
   * @param rows the cells, as many per row as columns; the first cell heads its row
   */
  public record Table(
      String id, String heading, String caption, List<String> columns, List<List<String>> rows) {
    /** Checks the shape and copies the lists. */
    public Table {
      columns = List.copyOf(columns);
      rows = rows.stream().map(List::copyOf).toList();
      for (List<String> row : rows) {
        if (row.size() != columns.size()) {
          throw new IllegalArgumentException(
              "a row has " + row.size() + " cells for " + columns.size() + " columns: " + row);
        }
      }
    }
  }

  /**
   * What the report shows.
   *
   * @param title the page's heading, e.g. the bundle's name
   * @param facts the run's facts in display order (encoder, head, examples, labels,
   *     hyperparameters…), shown as a two-column table
   * @param history one entry per epoch; empty when the head does not train in epochs
   * @param bestEpoch the epoch whose weights were kept (1-based), or 0 when there is none
   * @param validation metrics on the held-out set, or {@code null} without one
   * @param notes warnings about the data or the run (duplicates, conflicting labels…), one each
   * @param scoredOn what {@code validation} was computed on, in words ("the held-out 20% of
   *     train.jsonl", "the test file test.jsonl"), or null for the held-out set
   * @param examples the examples behind {@code validation}, as scored: the misclassified examples,
   *     the reliability diagram and the confidence histogram are drawn from them; empty for none
   * @param labelCounts the training data's examples per label, most first; empty when unknown
   * @param tables tables of the page's own, shown after the run's facts (such as {@code --encoder
   *     auto}'s candidates); empty for none
   */
  public record ReportContent(
      String title,
      Map<String, String> facts,
      List<EpochMetrics> history,
      int bestEpoch,
      ClassificationMetrics validation,
      List<String> notes,
      String scoredOn,
      List<ScoredExample> examples,
      Map<String, Integer> labelCounts,
      List<Table> tables) {

    /** Checks the fields and copies the collections. */
    public ReportContent {
      Objects.requireNonNull(title, "title");
      facts = facts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(facts));
      history = history == null ? List.of() : List.copyOf(history);
      notes = notes == null ? List.of() : List.copyOf(notes);
      examples = examples == null ? List.of() : List.copyOf(examples);
      labelCounts =
          labelCounts == null
              ? Map.of()
              : Collections.unmodifiableMap(new LinkedHashMap<>(labelCounts));
      tables = tables == null ? List.of() : List.copyOf(tables);
      if (bestEpoch < 0) {
        throw new IllegalArgumentException(
            "bestEpoch must be 0 (none) or an epoch number: " + bestEpoch);
      }
    }

    /** A report without scored examples or label counts. */
    public ReportContent(
        String title,
        Map<String, String> facts,
        List<EpochMetrics> history,
        int bestEpoch,
        ClassificationMetrics validation,
        List<String> notes) {
      this(title, facts, history, bestEpoch, validation, notes, null, null, null, null);
    }

    /** A report without tables of its own. */
    public ReportContent(
        String title,
        Map<String, String> facts,
        List<EpochMetrics> history,
        int bestEpoch,
        ClassificationMetrics validation,
        List<String> notes,
        String scoredOn,
        List<ScoredExample> examples,
        Map<String, Integer> labelCounts) {
      this(
          title,
          facts,
          history,
          bestEpoch,
          validation,
          notes,
          scoredOn,
          examples,
          labelCounts,
          null);
    }

    /** With {@code value} as its tables, shown after the run's facts. */
    public ReportContent withTables(List<Table> value) {
      return new ReportContent(
          title,
          facts,
          history,
          bestEpoch,
          validation,
          notes,
          scoredOn,
          examples,
          labelCounts,
          value);
    }

    /** With the scored examples behind {@code validation}, what they are, and the label counts. */
    public ReportContent withScored(
        String scoredOn, List<ScoredExample> examples, Map<String, Integer> labelCounts) {
      return new ReportContent(
          title,
          facts,
          history,
          bestEpoch,
          validation,
          notes,
          scoredOn,
          examples,
          labelCounts,
          tables);
    }

    /** "held-out set", or what {@link #scoredOn} names. */
    String scoredOnOrDefault() {
      return scoredOn != null ? scoredOn : "the held-out set";
    }
  }

  /**
   * Writes (or overwrites) the report into {@code reportDir}, creating it if needed. A chart left
   * from an earlier report in the same folder is removed when this one has no history.
   */
  public static void write(Path reportDir, ReportContent content) throws IOException {
    Objects.requireNonNull(content, "content");
    Files.createDirectories(reportDir);
    boolean curves = writeCharts(reportDir, content);
    JSON.writeValue(reportDir.resolve(METRICS_JSON).toFile(), metricsJson(content));
    List<String> learningCurves;
    try (var files = Files.list(reportDir)) {
      learningCurves =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.startsWith(LEARNING_CURVE_PREFIX) && n.endsWith(".png"))
              .sorted()
              .toList();
    }
    Files.writeString(
        reportDir.resolve(INDEX),
        new Page(content, curves, learningCurves).html(),
        StandardCharsets.UTF_8);
  }

  /**
   * Charts named {@code learning-curve-*.png} in the report's folder (as {@code ferry bench
   * accuracy --out DIR} writes them) are shown in a section of their own.
   */
  public static final String LEARNING_CURVE_PREFIX = "learning-curve-";

  /** Writes the curves; false (and no chart files) when there is nothing to plot. */
  private static boolean writeCharts(Path dir, ReportContent content) throws IOException {
    Path loss = dir.resolve(LOSS_CHART + ".png");
    Path accuracy = dir.resolve(ACCURACY_CHART + ".png");
    List<EpochMetrics> history = content.history();
    if (history.isEmpty()) {
      Files.deleteIfExists(loss);
      Files.deleteIfExists(accuracy);
      return false;
    }
    int n = history.size();
    double[] epoch = new double[n];
    double[] trainLoss = new double[n];
    double[] validLoss = new double[n];
    double[] trainAcc = new double[n];
    double[] validAcc = new double[n];
    double[] validF1 = new double[n];
    for (int i = 0; i < n; i++) {
      EpochMetrics m = history.get(i);
      epoch[i] = m.epoch();
      trainLoss[i] = m.trainLoss();
      validLoss[i] = m.validLoss();
      trainAcc[i] = m.trainAccuracy();
      validAcc[i] = m.validAccuracy();
      validF1[i] = m.validMacroF1();
    }
    Charts.Options options =
        Charts.Options.DEFAULT.withSize(CHART_WIDTH, CHART_HEIGHT).withIntegerX();
    if (content.bestEpoch() > 0) {
      options = options.withMark(content.bestEpoch(), "best epoch");
    }
    writeOrDelete(
        dir,
        LOSS_CHART,
        "Loss",
        "Cross-entropy",
        List.of(
            Charts.Series.of("train", epoch, trainLoss),
            Charts.Series.of("valid", epoch, validLoss)),
        options);
    boolean anyF1 = Arrays.stream(validF1).anyMatch(Double::isFinite);
    writeOrDelete(
        dir,
        ACCURACY_CHART,
        anyF1 ? "Accuracy and macro-F1" : "Accuracy",
        "Score",
        List.of(
            Charts.Series.of("train accuracy", epoch, trainAcc),
            Charts.Series.of("valid accuracy", epoch, validAcc),
            Charts.Series.of("valid macro-F1", epoch, validF1)),
        options.withScoreAxis());
    return true;
  }

  private static void writeOrDelete(
      Path dir,
      String name,
      String title,
      String yLabel,
      List<Charts.Series> series,
      Charts.Options options)
      throws IOException {
    boolean anyPoint =
        series.stream().anyMatch(s -> Arrays.stream(s.y()).anyMatch(Double::isFinite));
    if (anyPoint) {
      Charts.writeLineChart(dir, name, title, "Epoch", yLabel, series, options);
    } else {
      Files.deleteIfExists(dir.resolve(name + ".png"));
    }
  }

  // ---------------------------------------------------------------- metrics.json

  /**
   * {@code metrics.json}: the title, the facts, {@code best_epoch}, {@code validation} in the one
   * shape of {@link MetricsJson} (as the manifest and {@code ferry eval --json} write it), the
   * {@code history} of epochs (snake_case too, unrounded, as the charts draw it) and the notes.
   * Undefined numbers are {@code null}.
   */
  static ObjectNode metricsJson(ReportContent c) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("title", c.title());
    ObjectNode facts = o.putObject("facts");
    c.facts().forEach(facts::put);
    if (c.bestEpoch() > 0) {
      o.put("best_epoch", c.bestEpoch());
    } else {
      o.putNull("best_epoch");
    }
    if (c.validation() != null) {
      o.set("validation", MetricsJson.of(c.validation()));
    } else {
      o.putNull("validation");
    }
    ArrayNode history = o.putArray("history");
    for (EpochMetrics m : c.history()) {
      ObjectNode e = history.addObject();
      e.put("epoch", m.epoch());
      exact(e, "train_loss", m.trainLoss());
      exact(e, "train_accuracy", m.trainAccuracy());
      exact(e, "valid_loss", m.validLoss());
      exact(e, "valid_accuracy", m.validAccuracy());
      exact(e, "valid_macro_f1", m.validMacroF1());
    }
    ArrayNode notes = o.putArray("notes");
    c.notes().forEach(notes::add);
    if (!c.tables().isEmpty()) {
      ObjectNode tables = o.putObject("tables");
      for (Table t : c.tables()) {
        ObjectNode n = tables.putObject(t.id());
        ArrayNode columns = n.putArray("columns");
        t.columns().forEach(columns::add);
        ArrayNode rows = n.putArray("rows");
        t.rows().forEach(r -> r.forEach(rows.addArray()::add));
      }
    }
    if (c.scoredOn() != null) {
      o.put("scored_on", c.scoredOn());
    }
    ObjectNode counts = o.putObject("label_counts");
    c.labelCounts().forEach(counts::put);
    ArrayNode mistakes = o.putArray("misclassified");
    for (ScoredExample e : ScoredExample.confidentMistakes(c.examples(), Integer.MAX_VALUE)) {
      mistakes.add(MetricsJson.example(e, false));
    }
    return o;
  }

  /** The curves' numbers unrounded, as the charts draw them; null where not defined. */
  private static void exact(ObjectNode into, String key, double value) {
    if (Double.isFinite(value)) {
      into.put(key, value);
    } else {
      into.putNull(key);
    }
  }

  // ---------------------------------------------------------------- index.html

  /** Builds the page. */
  private static final class Page {
    private final ReportContent c;
    private final boolean curves;
    private final List<String> learningCurves;
    private final StringBuilder out = new StringBuilder(16_384);

    Page(ReportContent content, boolean curves, List<String> learningCurves) {
      this.c = content;
      this.curves = curves;
      this.learningCurves = learningCurves;
    }

    /**
     * What kind of report this is, from the title's part before ": " ("Ferry evaluation report:
     * bundle on test.jsonl"); "Ferry training report" when the title has none.
     */
    private String kind() {
      int colon = c.title().indexOf(": ");
      return colon > 0 && c.title().startsWith("Ferry ")
          ? c.title().substring(0, colon)
          : "Ferry training report";
    }

    /** The title without its kind: the heading. */
    private String heading() {
      int colon = c.title().indexOf(": ");
      return colon > 0 && c.title().startsWith("Ferry ")
          ? c.title().substring(colon + 2)
          : c.title();
    }

    /** A scoring run's report: no training, so no training curves. */
    private boolean evaluation() {
      return kind().equals("Ferry evaluation report");
    }

    String html() {
      out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
          .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
          .append("<title>")
          .append(esc(heading()))
          .append(" · ")
          .append(esc(kind()))
          .append("</title>\n<style>\n")
          .append(css())
          .append("</style>\n</head>\n<body>\n<main>\n");
      header();
      notes();
      facts();
      c.tables().forEach(this::table);
      if (!evaluation()) {
        curves();
      }
      if (c.validation() == null) {
        out.append(
            "<section id=\"scores\">\n<h2>Scores</h2>\n<p class=\"empty\">No held-out set, so"
                + " there is no confusion matrix and there are no per-class metrics.</p>\n"
                + "</section>\n");
      } else {
        out.append("<section id=\"scores\">\n<h2>Scores on ")
            .append(esc(c.scoredOnOrDefault()))
            .append("</h2>\n<div class=\"split\">\n");
        confusion(c.validation());
        perClass(c.validation());
        out.append("</div>\n</section>\n");
        if (!c.examples().isEmpty()) {
          AnalysisSections.mistakes(out, c.examples(), c.scoredOnOrDefault());
          AnalysisSections.confidence(
              out, c.examples(), c.validation().expectedCalibrationError(), c.scoredOnOrDefault());
        }
      }
      AnalysisSections.labelDistribution(out, c.labelCounts());
      if (!learningCurves.isEmpty()) {
        out.append(
            "<section id=\"learning-curves\">\n<h2>Learning curves</h2>\n<p>Macro-F1 at k"
                + " training examples per class, from <code>ferry bench accuracy</code>: where a"
                + " curve still rises, more labels help.</p>\n<div class=\"plots\">\n");
        for (String png : learningCurves) {
          out.append("<figure><img src=\"")
              .append(esc(png))
              .append("\" alt=\"")
              .append(esc(png.substring(0, png.length() - 4)))
              .append("\"></figure>\n");
        }
        out.append("</div>\n</section>\n");
      }
      out.append("<footer>")
          .append(esc(kind()))
          .append(". The numbers on this page are in <a href=\"")
          .append(METRICS_JSON)
          .append("\">")
          .append(METRICS_JSON)
          .append("</a>.</footer>\n</main>\n</body>\n</html>\n");
      return out.toString();
    }

    private void header() {
      out.append("<header class=\"top\">\n<p class=\"eyebrow\">")
          .append(esc(kind()))
          .append("</p>\n<h1>")
          .append(esc(heading()))
          .append("</h1>\n<p class=\"lede\">")
          .append(esc(lede()))
          .append("</p>\n");
      int mark = out.length();
      ClassificationMetrics v = c.validation();
      if (v != null) {
        String coverage =
            v.classesWithoutExamples().isEmpty()
                ? "mean over classes"
                : "over "
                    + (v.labels().size() - v.unscoredClasses().size())
                    + " of "
                    + v.labels().size()
                    + " classes: none of "
                    + String.join(", ", v.classesWithoutExamples());
        if (imbalanced(v)) {
          // Accuracy flatters a model that ignores small classes; macro-F1 weighs each the same.
          tile("Macro-F1", fixed(v.macroF1()), coverage + "; classes are imbalanced");
          tile("Accuracy", pct(v.accuracy()), "on " + c.scoredOnOrDefault());
        } else {
          tile("Accuracy", pct(v.accuracy()), "on " + c.scoredOnOrDefault());
          tile("Macro-F1", fixed(v.macroF1()), coverage);
        }
        double ece = v.expectedCalibrationError();
        tile("ECE", fixed(ece), Double.isFinite(ece) ? "lower is better" : "no confidences");
        tile(
            "Examples",
            String.format(Locale.ROOT, "%,d", v.examples()),
            evaluation() ? "scored" : "held out for validation");
      } else if (!c.history().isEmpty()) {
        // Without a held-out set the best headline is the training fit of the epoch kept.
        EpochMetrics kept = c.history().getLast();
        for (EpochMetrics m : c.history()) {
          if (m.epoch() == c.bestEpoch()) {
            kept = m;
          }
        }
        tile(
            "Train accuracy",
            pct(kept.trainAccuracy()),
            "epoch " + kept.epoch() + ", no held-out set");
        tile("Train loss", fixed(kept.trainLoss()), "cross-entropy, epoch " + kept.epoch());
      }
      if (c.bestEpoch() > 0) {
        tile(
            "Best epoch", Integer.toString(c.bestEpoch()), "of " + c.history().size() + " trained");
      } else if (!c.history().isEmpty()) {
        tile("Epochs", Integer.toString(c.history().size()), "trained");
      }
      if (out.length() > mark) {
        out.insert(mark, "<div class=\"tiles\">\n").append("</div>\n");
      }
      out.append("</header>\n");
    }

    private String lede() {
      ClassificationMetrics v = c.validation();
      StringBuilder s = new StringBuilder();
      if (v == null) {
        s.append("No held-out set, so there are no validation metrics.");
      } else {
        s.append(v.labels().size())
            .append(v.labels().size() == 1 ? " class, scored on " : " classes, scored on ")
            .append(String.format(Locale.ROOT, "%,d", v.examples()))
            .append(v.examples() == 1 ? " example of " : " examples of ")
            .append(c.scoredOnOrDefault())
            .append('.');
      }
      if (c.bestEpoch() > 0) {
        s.append(" The model kept is from epoch ")
            .append(c.bestEpoch())
            .append(" of ")
            .append(c.history().size())
            .append('.');
      }
      return s.toString();
    }

    private void tile(String key, String value, String hint) {
      out.append("<div class=\"tile\"><div class=\"k\">")
          .append(esc(key))
          .append("</div><div class=\"v\">")
          .append(esc(value))
          .append("</div><div class=\"h\">")
          .append(esc(hint))
          .append("</div></div>\n");
    }

    private void notes() {
      if (c.notes().isEmpty()) {
        return;
      }
      out.append("<section class=\"notes\" aria-label=\"Notes\">\n<h2>Notes</h2>\n<ul>\n");
      for (String note : c.notes()) {
        out.append("<li>").append(esc(note)).append("</li>\n");
      }
      out.append("</ul>\n</section>\n");
    }

    private void facts() {
      if (c.facts().isEmpty()) {
        return;
      }
      out.append("<section>\n<h2>Run</h2>\n<table class=\"facts\">\n<tbody>\n");
      for (Map.Entry<String, String> e : c.facts().entrySet()) {
        out.append("<tr><th scope=\"row\">")
            .append(esc(e.getKey()))
            .append("</th><td>")
            .append(esc(e.getValue()))
            .append("</td></tr>\n");
      }
      out.append("</tbody>\n</table>\n</section>\n");
    }

    private void table(Table t) {
      out.append("<section id=\"")
          .append(esc(t.id()))
          .append("\">\n<h2>")
          .append(esc(t.heading()))
          .append("</h2>\n<p>")
          .append(esc(t.caption()))
          .append("</p>\n<div class=\"scroll\">\n<table class=\"perclass\">\n<thead><tr>");
      for (String col : t.columns()) {
        out.append("<th scope=\"col\">").append(esc(col)).append("</th>");
      }
      out.append("</tr></thead>\n<tbody>\n");
      for (List<String> row : t.rows()) {
        out.append("<tr>");
        for (int i = 0; i < row.size(); i++) {
          out.append(i == 0 ? "<th scope=\"row\">" : "<td>")
              .append(esc(row.get(i)))
              .append(i == 0 ? "</th>" : "</td>");
        }
        out.append("</tr>\n");
      }
      out.append("</tbody>\n</table>\n</div>\n</section>\n");
    }

    private void curves() {
      out.append("<section>\n<h2>Training curves</h2>\n");
      if (!curves) {
        out.append(
            "<p class=\"empty\">No training curves: this model was not trained in epochs, so there"
                + " is no per-epoch history to plot.</p>\n"
                + "</section>\n");
        return;
      }
      if (c.bestEpoch() > 0) {
        out.append("<p>The dashed line marks epoch ")
            .append(c.bestEpoch())
            .append(", whose weights were kept.</p>\n");
      }
      out.append("<div class=\"plots\">\n");
      figure(LOSS_CHART, "Train and validation cross-entropy per epoch");
      figure(
          ACCURACY_CHART, "Train accuracy, validation accuracy and validation macro-F1 per epoch");
      out.append("</div>\n</section>\n");
    }

    private void figure(String name, String alt) {
      out.append("<figure><img src=\"")
          .append(name)
          .append(".png\" width=\"")
          .append(CHART_WIDTH)
          .append("\" height=\"")
          .append(CHART_HEIGHT)
          .append("\" alt=\"")
          .append(esc(alt))
          .append("\"></figure>\n");
    }

    private void confusion(ClassificationMetrics v) {
      out.append("<div class=\"part\">\n<h3>Confusion matrix</h3>\n");
      List<String> labels = v.labels();
      int k = labels.size();
      int[][] m = v.confusion();
      boolean compact = k > 6;
      out.append("<div class=\"scroll\">\n<table class=\"cm")
          .append(compact ? " compact" : "")
          .append("\">\n<thead><tr>")
          .append("<th class=\"corner\" scope=\"col\">true ↓ / predicted →</th>");
      for (String label : labels) {
        out.append("<th class=\"col\" scope=\"col\" title=\"")
            .append(esc(label))
            .append("\"><span>")
            .append(esc(label))
            .append("</span></th>");
      }
      out.append(
          "<th class=\"total\" scope=\"col\"><span>total</span></th></tr></thead>\n<tbody>\n");
      for (int t = 0; t < k; t++) {
        int rowTotal = 0;
        for (int p = 0; p < k; p++) {
          rowTotal += m[t][p];
        }
        out.append("<tr><th class=\"row\" scope=\"row\" title=\"")
            .append(esc(labels.get(t)))
            .append("\">")
            .append(esc(labels.get(t)))
            .append("</th>");
        for (int p = 0; p < k; p++) {
          int count = m[t][p];
          double share = rowTotal == 0 ? 0 : (double) count / rowTotal;
          out.append("<td");
          String cls = t == p ? "diag" : "off";
          if (count == 0) {
            cls += " zero";
          }
          out.append(" class=\"").append(cls).append('"');
          if (count > 0) {
            out.append(" style=\"").append(shade(t == p, share)).append('"');
          }
          String tip =
              String.format(
                  Locale.ROOT,
                  "%s → %s: %d of %d (%s)",
                  labels.get(t),
                  labels.get(p),
                  count,
                  rowTotal,
                  pct(share));
          out.append(" title=\"").append(esc(tip)).append("\">").append(count);
          if (!compact && count > 0) {
            out.append("<small>").append(pct(share)).append("</small>");
          }
          out.append("</td>");
        }
        out.append("<td class=\"total\">").append(rowTotal).append("</td></tr>\n");
      }
      out.append("</tbody>\n</table>\n</div>\n")
          .append("<p class=\"caption\">Rows are the true class, columns the prediction. Cells are")
          .append(" shaded by their share of the row: green on the diagonal (correct), red off it")
          .append(" (confused).</p>\n</div>\n");
    }

    /** Cell colour: green (correct) or red (confused), stronger for a larger share of the row. */
    private static String shade(boolean diagonal, double share) {
      double alpha = 0.08 + 0.82 * share;
      String rgb = diagonal ? "22,163,74" : "220,38,38";
      String text = alpha > 0.5 ? "#fff" : diagonal ? "#14532d" : "#7f1d1d";
      return String.format(Locale.ROOT, "background:rgba(%s,%.2f);color:%s", rgb, alpha, text);
    }

    private void perClass(ClassificationMetrics v) {
      out.append("<div class=\"part grow\">\n<h3>Per class</h3>\n");
      out.append(
          "<div class=\"scroll\">\n"
              + "<table class=\"perclass\">\n"
              + "<thead><tr><th scope=\"col\">label</th><th scope=\"col\">precision</th><th"
              + " scope=\"col\">recall</th><th scope=\"col\">F1</th><th"
              + " scope=\"col\">support</th></tr></thead>\n"
              + "<tbody>\n");
      int[][] m = v.confusion();
      double precisionSum = 0;
      double recallSum = 0;
      int present = 0;
      int supportSum = 0;
      for (int i = 0; i < v.perClass().size(); i++) {
        ClassMetrics cm = v.perClass().get(i);
        int predicted = 0;
        for (int[] row : m) {
          predicted += row[i];
        }
        if (cm.support() > 0 || predicted > 0) {
          precisionSum += cm.precision();
          recallSum += cm.recall();
          present++;
        }
        supportSum += cm.support();
        out.append("<tr><th scope=\"row\">")
            .append(esc(cm.label()))
            .append("</th><td>")
            .append(fixed(cm.precision()))
            .append("</td><td>")
            .append(fixed(cm.recall()))
            .append(
                "</td><td class=\"f1\"><span class=\"track\"><span class=\"bar\" style=\"width:")
            .append(String.format(Locale.ROOT, "%.1f", 100 * clamp01(cm.f1())))
            .append("%\"></span></span>")
            .append(fixed(cm.f1()))
            .append("</td><td>")
            .append(cm.support())
            .append("</td></tr>\n");
      }
      out.append("</tbody>\n<tfoot><tr><th scope=\"row\">macro average</th><td>")
          .append(present == 0 ? "—" : fixed(precisionSum / present))
          .append("</td><td>")
          .append(present == 0 ? "—" : fixed(recallSum / present))
          .append("</td><td class=\"f1\">")
          .append(fixed(v.macroF1()))
          .append("</td><td>")
          .append(supportSum)
          .append("</td></tr></tfoot>\n</table>\n</div>\n</div>\n");
    }
  }

  /**
   * Whether the scored classes are imbalanced enough that accuracy misleads: the largest has at
   * least {@value #IMBALANCE} times the examples of the smallest.
   */
  static boolean imbalanced(ClassificationMetrics v) {
    int max = 0;
    int min = Integer.MAX_VALUE;
    for (ClassMetrics c : v.perClass()) {
      if (c.support() > 0) {
        max = Math.max(max, c.support());
        min = Math.min(min, c.support());
      }
    }
    return max > 0 && max >= IMBALANCE * min;
  }

  /** See {@link #imbalanced}. */
  static final double IMBALANCE = 1.5;

  private static double clamp01(double v) {
    return Double.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0;
  }

  private static String fixed(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "—";
  }

  private static String pct(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f%%", 100 * v) : "—";
  }

  /** Escapes text for HTML element content and quoted attribute values. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(ch);
      }
    }
    return b.toString();
  }

  private static String css() {
    try (InputStream in = TrainingReport.class.getResourceAsStream("report.css")) {
      if (in == null) {
        throw new IllegalStateException("report.css is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
