package dev.ferry.eval.accuracy;

import dev.ferry.eval.accuracy.AccuracyBenchmark.CurvePoint;
import dev.ferry.eval.accuracy.AccuracyBenchmark.Result;
import dev.ferry.eval.accuracy.AccuracyBenchmark.Score;
import dev.ferry.eval.accuracy.AccuracyBenchmark.Timing;
import dev.ferry.eval.accuracy.AccuracySummary.Check;
import dev.ferry.eval.accuracy.AccuracySummary.Row;
import dev.ferry.eval.accuracy.CandidateChoice.Candidate;
import dev.ferry.eval.accuracy.CandidateChoice.Decision;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import dev.ferry.trainer.report.Charts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The suite's results as Markdown (printed, for eval/RESULTS.md) and as an HTML page with one
 * learning-curve chart per task. Both hold the same sections: the summary with each encoder's cost,
 * the rule and the default it picks with the targets, the cost table, then per task the runs
 * trained as {@code ferry train} trains and the learning curve, and the head-training times.
 */
public final class AccuracyReport {
  private AccuracyReport() {}

  /** A heading and what goes under it: lines of text and tables, in order. */
  private record Section(int level, String heading, List<Object> parts) {}

  /** Everything, as Markdown. */
  public static String markdown(Result r) {
    StringBuilder sb = new StringBuilder();
    header(r).forEach(line -> sb.append(line).append('\n'));
    for (Section s : sections(r)) {
      sb.append('\n').append("#".repeat(s.level())).append(' ').append(s.heading()).append('\n');
      Object previous = null;
      for (Object part : s.parts()) {
        if (!(isBullet(part) && isBullet(previous))) {
          sb.append('\n');
        }
        sb.append(part instanceof Table t ? t.markdown() : part + "\n");
        previous = part;
      }
    }
    return sb.toString();
  }

  /**
   * Writes {@code dir/index.html} (the tables and the charts) and one PNG per task, {@code
   * learning-curve-TASK.png}.
   *
   * @return the HTML page
   */
  public static Path writeHtml(Result r, Path dir) throws IOException {
    Files.createDirectories(dir);
    StringBuilder html =
        new StringBuilder(
            """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Ferry accuracy suite</title>
            <style>
            body{font-family:system-ui,sans-serif;color:#1f2937;max-width:1200px;margin:2em auto;padding:0 1em}
            table{border-collapse:collapse;margin:1em 0}th,td{padding:.3em .7em;border-bottom:1px solid #e5e7eb}
            th{text-align:left}.num{text-align:right;font-variant-numeric:tabular-nums}
            p.meta{color:#6b7280}
            </style></head><body>
            <h1>Ferry accuracy suite</h1>
            <p class="meta">
            """);
    html.append(String.join("<br>\n", header(r).stream().map(Table::escape).toList()))
        .append("</p>\n");
    for (Section s : sections(r)) {
      int level = Math.min(6, s.level());
      html.append("<h")
          .append(level)
          .append('>')
          .append(Table.escape(s.heading()))
          .append("</h")
          .append(level)
          .append(">\n");
      for (Object part : s.parts()) {
        html.append(
            part instanceof Table t ? t.html() : "<p>" + Table.escape(part.toString()) + "</p>\n");
      }
      if (s.heading().startsWith(CURVE_HEADING)) {
        String task = s.heading().substring(CURVE_HEADING.length());
        Path png = learningCurveChart(r, task, dir);
        if (png != null) {
          html.append("<img src=\"")
              .append(png.getFileName())
              .append("\" width=\"")
              .append(Charts.WIDTH)
              .append("\" height=\"")
              .append(Charts.HEIGHT)
              .append("\" alt=\"macro-F1 against examples per class\">\n");
        }
      }
    }
    html.append("</body></html>\n");
    Path index = dir.resolve("index.html");
    Files.writeString(index, html);
    return index;
  }

  private static final String CURVE_HEADING = "Learning curve, ";

  private static boolean isBullet(Object part) {
    return part instanceof String text && text.startsWith("- ");
  }

  private static List<String> header(Result r) {
    List<String> lines = new ArrayList<>();
    lines.add("Date: " + r.date() + "; machine: " + r.machine());
    lines.add(
        "Encoders: "
            + String.join(", ", r.config().encoders())
            + "; ONNX Runtime threads: "
            + (r.config().threads() == 0 ? "one per core" : r.config().threads())
            + "; steps: "
            + r.config().steps().stream()
                .map(AccuracyConfig.Step::id)
                .sorted()
                .collect(Collectors.joining(", ")));
    r.tasks().forEach((id, t) -> lines.add("Task " + id + " (" + t.title() + "): " + t.split()));
    if (!r.embeddings().isEmpty()) {
      lines.add(
          "Embedding (texts the run needs, through the cache): "
              + r.embeddings().stream()
                  .map(
                      e ->
                          String.format(
                              Locale.ROOT,
                              "%s %,d texts in %.0f s",
                              e.encoder(),
                              e.texts(),
                              e.seconds()))
                  .collect(Collectors.joining("; ")));
    }
    return lines;
  }

  private static List<Section> sections(Result r) {
    List<Section> out = new ArrayList<>();
    if (!r.curve().isEmpty()) {
      out.add(
          new Section(
              3,
              "Summary: macro-F1 averaged over tasks and k, per encoder (its best head)",
              List.of(
                  summaryTable(r),
                  "Mean: over every task and k ("
                      + r.config().shots().stream()
                          .map(String::valueOf)
                          .collect(Collectors.joining(", "))
                      + " per class); per task: over k. Worst gap: how far the row falls behind the"
                      + " best row of the table (any encoder and head, or a baseline) on its worst"
                      + " task. Speed: texts per second from the cost step, and the ratio to "
                      + AccuracySummary.SPEED_REFERENCE.id()
                      + ".")));
      out.add(
          new Section(
              3, "Summary: every encoder and head, and the baselines", List.of(rowsTable(r))));
      out.add(new Section(3, "The default by the rule", decision(r)));
    }
    if (!r.costs().isEmpty()) {
      out.add(new Section(3, "Cost per encoder", List.of(costTable(r), costNote(r))));
    }
    for (var task : r.tasks().entrySet()) {
      for (String run : task.getValue().runs()) {
        if (r.scores().stream()
            .anyMatch(s -> s.task().equals(task.getKey()) && s.run().equals(run))) {
          out.add(
              new Section(
                  3,
                  task.getValue().title() + ", " + run + ", trained as ferry train trains",
                  List.of(scoreTable(r, task.getKey(), run), comparison(r, task.getKey(), run))));
        }
      }
      if (r.curve().stream().anyMatch(p -> p.task().equals(task.getKey()))) {
        List<Object> parts = new ArrayList<>();
        parts.add(
            "Macro-F1 on the test set at k examples per class, mean ± sd over "
                + seedsText(r)
                + "; the heads "
                + (r.config().curveTraining() == AccuracyConfig.CurveTraining.AS_FERRY_TRAIN
                    ? "trained as ferry train trains (20% held out for early stopping, then a refit"
                        + " on all)."
                    : "trained on the whole sample: the linear head fitted exactly at a"
                        + " regularization chosen by 5-fold cross-validation on the sample, the"
                        + " MLP for "
                        + r.config().curveEpochs()
                        + " epochs, the last kept."));
        parts.add(curveTable(r, task.getKey()));
        cappedNotes(r, task.getKey()).forEach(n -> parts.add("- " + n));
        out.add(new Section(3, CURVE_HEADING + task.getKey(), parts));
      }
    }
    if (!r.timings().isEmpty()) {
      out.add(
          new Section(
              3,
              String.format(
                  Locale.ROOT,
                  "Head training time: %,d SpamAssassin test-subset"
                      + " embeddings, 20%% held out for early stopping",
                  r.timings().get(0).train() + r.timings().get(0).valid()),
              List.of(timingTable(r))));
    }
    return out;
  }

  private static String seedsText(Result r) {
    AccuracyConfig c = r.config();
    return c.seeds() == c.largeSeeds()
        ? c.seeds() + " seeds"
        : c.seeds()
            + " seeds up to "
            + AccuracyConfig.LARGE_K
            + " per class, "
            + c.largeSeeds()
            + " above";
  }

  // ---------------------------------------------------------------- summary

  static Table summaryTable(Result r) {
    List<String> header = new ArrayList<>(List.of("encoder", "best head", "mean"));
    header.addAll(r.tasks().keySet());
    header.addAll(
        List.of("worst gap (task)", "short texts/s", RATIO, "long docs/s", RATIO, "peak RSS MiB"));
    Table t = new Table(2, header.toArray(String[]::new));
    for (Row row : AccuracySummary.bestHeadPerEncoder(r)) {
      List<String> cells = new ArrayList<>(List.of(row.encoder(), row.method(), f3(row.mean())));
      row.perTask().values().forEach(v -> cells.add(f3(v)));
      cells.add(gap(row));
      cells.addAll(costCells(r, row.encoder()));
      t.row(cells);
    }
    return t;
  }

  static Table rowsTable(Result r) {
    List<String> header = new ArrayList<>(List.of("method", "encoder", "mean"));
    header.addAll(r.tasks().keySet());
    header.add("worst gap (task)");
    Table t = new Table(2, header.toArray(String[]::new));
    for (Row row : AccuracySummary.rows(r)) {
      List<String> cells =
          new ArrayList<>(List.of(row.method(), name(row.encoder()), f3(row.mean())));
      row.perTask().values().forEach(v -> cells.add(f3(v)));
      cells.add(gap(row));
      t.row(cells);
    }
    return t;
  }

  private static String gap(Row row) {
    return row.worstGap() <= 1e-12
        ? "0 (best on every task)"
        : String.format(Locale.ROOT, "%.3f (%s)", row.worstGap(), row.worstTask());
  }

  private static List<String> costCells(Result r, String encoder) {
    var cost = AccuracySummary.cost(r, encoder);
    var reference = AccuracySummary.cost(r, AccuracySummary.SPEED_REFERENCE.id());
    if (cost.isEmpty()) {
      return List.of("—", "—", "—", "—", "—");
    }
    var c = cost.get();
    return List.of(
        f1(c.shortPerSecond()),
        reference.map(ref -> ratio(c.shortPerSecond() / ref.shortPerSecond())).orElse("—"),
        f2(c.longPerSecond()),
        reference.map(ref -> ratio(c.longPerSecond() / ref.longPerSecond())).orElse("—"),
        c.peakRssMib() < 0 ? "—" : String.format(Locale.ROOT, "%,d", c.peakRssMib()));
  }

  private static List<Object> decision(Result r) {
    List<Object> parts = new ArrayList<>();
    parts.add("Rule: " + AccuracySummary.RULE + ".");
    if (r.costs().isEmpty()) {
      parts.add("Not applied: the cost step did not run (--steps accuracy,cost).");
    } else {
      Decision d = AccuracySummary.decide(r);
      parts.add(
          "Fast enough (speed ratio ≥ "
              + d.minSpeed()
              + "), best first: "
              + describe(d.eligible())
              + ".");
      parts.add("Too slow: " + (d.tooSlow().isEmpty() ? "none" : describe(d.tooSlow())) + ".");
      d.chosen()
          .ifPresentOrElse(
              c -> {
                parts.add(
                    String.format(
                        Locale.ROOT,
                        "**Chosen: %s with the %s head** (mean macro-F1 %.3f, speed %.2f× %s).",
                        c.encoder(),
                        c.head(),
                        c.macroF1(),
                        c.speed(),
                        AccuracySummary.SPEED_REFERENCE.id()));
                parts.add("Targets for " + c.encoder() + " + " + c.head() + ":");
                checks(AccuracySummary.targets(r, c.encoder(), c.head()), parts);
              },
              () -> parts.add("Chosen: none (no encoder is fast enough)."));
    }
    String before = AccuracySummary.SPEED_REFERENCE.id();
    if (r.config().encoders().contains(before)) {
      parts.add(
          "The same targets for the default the rule was written against ("
              + before
              + " + linear):");
      checks(AccuracySummary.targets(r, before, HeadKind.LINEAR.id()), parts);
    }
    return parts;
  }

  private static void checks(List<Check> checks, List<Object> parts) {
    checks.forEach(
        c ->
            parts.add(
                "- "
                    + (c.met() ? "met" : "**MISSED**")
                    + ": "
                    + c.target()
                    + " — "
                    + c.evidence()));
  }

  private static String describe(List<Candidate> candidates) {
    Map<String, List<Candidate>> byEncoder = new LinkedHashMap<>();
    candidates.forEach(c -> byEncoder.computeIfAbsent(c.encoder(), x -> new ArrayList<>()).add(c));
    return byEncoder.values().stream()
        .map(
            list -> {
              Candidate best =
                  list.stream().max(Comparator.comparingDouble(Candidate::macroF1)).orElseThrow();
              return String.format(
                  Locale.ROOT,
                  "%s (%.2f×; best %s %.3f, %d target%s missed)",
                  best.encoder(),
                  best.speed(),
                  best.head(),
                  best.macroF1(),
                  best.targetsMissed(),
                  best.targetsMissed() == 1 ? "" : "s");
            })
        .collect(Collectors.joining(", "));
  }

  /** The header of a speed ratio's column: relative to the rule's reference, not the default. */
  private static final String RATIO = "× " + AccuracySummary.SPEED_REFERENCE.id();

  static Table costTable(Result r) {
    Table t =
        new Table(
            1,
            "encoder",
            "short texts/s",
            RATIO,
            "long docs/s",
            RATIO,
            "chunks per doc",
            "peak RSS MiB");
    for (EncoderCost.Measurement c : r.costs()) {
      List<String> cells = new ArrayList<>(costCells(r, c.encoder()));
      cells.add(0, c.encoder());
      cells.add(5, f1(c.chunksPerDocument()));
      t.row(cells);
    }
    return t;
  }

  private static String costNote(Result r) {
    EncoderCost.Measurement c0 = r.costs().get(0);
    AccuracyConfig.CostSettings s = r.config().cost();
    return String.format(
        Locale.ROOT,
        "%d round%s; each round embeds %,d short texts (test sets of the tasks but SpamAssassin,"
            + " seed %d) and %,d whole SpamAssassin emails (its test subset, read in chunks as"
            + " ferry train reads them), with every encoder in turn, starting with the next encoder"
            + " each round; ONNX Runtime threads: %s. Peak RSS: a JVM of its own embedding the same"
            + " texts once with that encoder alone.",
        s.rounds(),
        s.rounds() == 1 ? "" : "s",
        c0.shortTexts() / s.rounds(),
        AccuracyBenchmark.COST_SEED,
        c0.longDocuments() / s.rounds(),
        r.config().threads() == 0 ? "one per core" : r.config().threads());
  }

  // ---------------------------------------------------------------- tasks

  /**
   * One run's table: one row per method, averaged over the run's seeds (macro-F1 as mean ± sd when
   * there are several), with per-class F1.
   */
  static Table scoreTable(Result r, String task, String run) {
    Map<String, List<Score>> rows = new LinkedHashMap<>();
    r.scores().stream()
        .filter(s -> s.task().equals(task) && s.run().equals(run))
        .forEach(
            s ->
                rows.computeIfAbsent(s.encoder() + "\u0000" + s.method(), x -> new ArrayList<>())
                    .add(s));
    List<String> labels =
        rows.isEmpty() ? List.of() : rows.values().iterator().next().get(0).metrics().labels();
    List<String> header = new ArrayList<>(List.of("method", "encoder", "accuracy", "macro-F1"));
    labels.forEach(l -> header.add("F1 " + l));
    header.addAll(List.of("ECE", "trained on", "epochs (best)", "train s"));
    Table t = new Table(2, header.toArray(String[]::new));
    for (List<Score> seeds : rows.values()) {
      Score s0 = seeds.get(0);
      List<String> cells =
          new ArrayList<>(
              List.of(
                  s0.method(),
                  name(s0.encoder()),
                  f3(mean(seeds, s -> s.metrics().accuracy())),
                  MeanSd.of(seeds.stream().mapToDouble(s -> s.metrics().macroF1()).toArray())
                      .toString()));
      for (String l : labels) {
        cells.add(f3(mean(seeds, s -> classF1(s.metrics(), l))));
      }
      cells.add(f3(mean(seeds, s -> s.metrics().expectedCalibrationError())));
      cells.add(
          s0.valid() > 0
              ? String.format(Locale.ROOT, "%,d + %,d valid, refit", s0.train(), s0.valid())
              : String.format(Locale.ROOT, "%,d", s0.train()));
      cells.add(
          s0.epochs().isEmpty()
              ? "—"
              : seeds.stream().map(Score::epochs).collect(Collectors.joining(", ")));
      cells.add(String.format(Locale.ROOT, "%.2f", mean(seeds, Score::seconds)));
      t.row(cells);
    }
    return t;
  }

  private static double classF1(ClassificationMetrics m, String label) {
    return m.perClass().get(m.labelIndex(label)).f1();
  }

  private static double mean(List<Score> scores, ToDoubleFunction<Score> f) {
    return scores.stream().mapToDouble(f).average().orElse(Double.NaN);
  }

  /** Each encoder's best head against TF-IDF + LR on a run, by mean macro-F1. */
  static String comparison(Result r, String task, String run) {
    Map<String, Double> byRow = new LinkedHashMap<>();
    Map<String, String> method = new LinkedHashMap<>();
    r.scores().stream()
        .filter(s -> s.task().equals(task) && s.run().equals(run))
        .forEach(
            s -> {
              String key = s.encoder() + "\u0000" + s.method();
              method.put(key, s.method());
              byRow.merge(key, s.metrics().macroF1(), Double::sum);
            });
    Map<String, Long> counts =
        r.scores().stream()
            .filter(s -> s.task().equals(task) && s.run().equals(run))
            .collect(
                Collectors.groupingBy(
                    s -> s.encoder() + "\u0000" + s.method(), Collectors.counting()));
    byRow.replaceAll((k, v) -> v / counts.get(k));
    Double tfidf = byRow.get(null + "\u0000" + AccuracyBenchmark.TFIDF_LR);
    if (tfidf == null) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    for (String encoder : r.config().encoders()) {
      byRow.entrySet().stream()
          .filter(e -> e.getKey().startsWith(encoder + "\u0000"))
          .max(Map.Entry.comparingByValue())
          .ifPresent(
              best ->
                  parts.add(
                      String.format(
                          Locale.ROOT,
                          "%s %s %.3f (%+.3f)",
                          encoder,
                          method.get(best.getKey()),
                          best.getValue(),
                          best.getValue() - tfidf)));
    }
    return String.format(
        Locale.ROOT,
        "Best head per encoder against TF-IDF + LR (macro-F1 %.3f): %s.",
        tfidf,
        String.join("; ", parts));
  }

  /** A learning curve table: one row per method, one column per k, mean ± sd of macro-F1. */
  static Table curveTable(Result r, String task) {
    List<String> header = new ArrayList<>(List.of("method", "encoder"));
    r.config().shots().forEach(k -> header.add("k=" + k));
    Table t = new Table(2, header.toArray(String[]::new));
    for (List<CurvePoint> series : curveSeries(r, task)) {
      List<String> cells =
          new ArrayList<>(List.of(series.get(0).method(), name(series.get(0).encoder())));
      for (int k : r.config().shots()) {
        cells.add(
            series.stream()
                .filter(p -> p.k() == k)
                .findFirst()
                .map(p -> p.summary().toString())
                .orElse("—"));
      }
      t.row(cells);
    }
    return t;
  }

  /** Curve points grouped by (encoder, method), in the order they were measured. */
  private static List<List<CurvePoint>> curveSeries(Result r, String task) {
    Map<String, List<CurvePoint>> series = new LinkedHashMap<>();
    for (CurvePoint p : r.curve()) {
      if (p.task().equals(task)) {
        series.computeIfAbsent(p.encoder() + "\u0000" + p.method(), x -> new ArrayList<>()).add(p);
      }
    }
    return List.copyOf(series.values());
  }

  /** Lines saying how large each sample is and which classes gave all they had (fewer than k). */
  static List<String> cappedNotes(Result r, String task) {
    Map<Integer, CurvePoint> byK = new TreeMap<>();
    r.curve().stream().filter(p -> p.task().equals(task)).forEach(p -> byK.putIfAbsent(p.k(), p));
    List<String> notes = new ArrayList<>();
    byK.values()
        .forEach(
            p ->
                notes.add(
                    String.format(
                        Locale.ROOT,
                        "k=%d: %,d training examples per sample, %d seed%s%s",
                        p.k(),
                        p.train(),
                        p.macroF1().length,
                        p.macroF1().length == 1 ? "" : "s",
                        p.capped().isEmpty()
                            ? ""
                            : "; fewer than k, so all taken: "
                                + p.capped().entrySet().stream()
                                    .map(e -> e.getKey() + " (" + e.getValue() + ")")
                                    .collect(Collectors.joining(", ")))));
    return notes;
  }

  static Table timingTable(Result r) {
    Table t = new Table(2, "encoder", "head", "train + valid", "epochs run (best)", "seconds");
    for (Timing x : r.timings()) {
      t.row(
          x.encoder(),
          x.head(),
          String.format(Locale.ROOT, "%,d + %,d", x.train(), x.valid()),
          x.epochs() == 0 ? "—" : x.epochs() + " (" + x.bestEpoch() + ")",
          String.format(Locale.ROOT, "%.2f", x.seconds()));
    }
    return t;
  }

  /**
   * Draws one task's learning curves (log x axis, error bars = sd), or returns null when it has
   * none: the baselines and each encoder's best head on that task (every head of a single encoder).
   */
  static Path learningCurveChart(Result r, String task, Path dir) throws IOException {
    List<List<CurvePoint>> all = curveSeries(r, task);
    boolean oneEncoder = r.config().encoders().size() == 1;
    Map<String, List<CurvePoint>> drawn = new LinkedHashMap<>();
    for (List<CurvePoint> s : all) {
      CurvePoint p0 = s.get(0);
      String key =
          p0.encoder() == null || oneEncoder ? p0.encoder() + "\u0000" + p0.method() : p0.encoder();
      List<CurvePoint> kept = drawn.get(key);
      if (kept == null || meanOf(s) > meanOf(kept)) {
        drawn.put(key, s);
      }
    }
    if (drawn.isEmpty()) {
      return null;
    }
    List<Charts.Series> series = new ArrayList<>();
    for (List<CurvePoint> s : drawn.values()) {
      CurvePoint p0 = s.get(0);
      String name =
          p0.encoder() == null
              ? p0.method()
              : oneEncoder ? p0.method() + " head" : p0.encoder() + " (" + p0.method() + ")";
      series.add(
          new Charts.Series(
              name,
              s.stream().mapToDouble(CurvePoint::k).toArray(),
              s.stream().mapToDouble(p -> p.summary().mean()).toArray(),
              s.stream().mapToDouble(p -> p.summary().sd()).toArray()));
    }
    String title =
        task
            + (oneEncoder
                ? " (" + r.config().encoders().get(0) + ")"
                : ": baselines and each encoder's best head");
    return Charts.writeLineChart(
        dir,
        "learning-curve-" + task,
        title,
        "training examples per class",
        "macro-F1 (mean ± sd over seeds)",
        series,
        Charts.Options.DEFAULT.withLogX());
  }

  private static double meanOf(List<CurvePoint> s) {
    return s.stream().mapToDouble(p -> p.summary().mean()).average().orElse(Double.NaN);
  }

  private static String name(String encoder) {
    return encoder == null ? "—" : encoder;
  }

  private static String ratio(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String f1(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String f2(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String f3(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.3f", v);
  }
}
