package dev.ferry.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.trainer.Evaluation;
import dev.ferry.trainer.data.BadDataException;
import dev.ferry.trainer.metrics.MetricsJson;
import dev.ferry.trainer.metrics.ScoredExample;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry eval}: scores a bundle on labeled data, and shows where it goes wrong. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Classify labeled examples with a bundle and print accuracy, macro-F1,"
          + " per-class precision/recall/F1, the confusion matrix and the expected calibration error.",
      "Texts are embedded through the same on-disk cache as ferry train uses, so a second run on the"
          + " same data (another bundle on the same encoder, or --json) does not run the encoder.",
      "--errors N lists the N mistakes the bundle was surest of and the N correct predictions it was"
          + " least sure of; --report DIR writes the same page as the training report, for this data."
    })
final class EvalCommand implements Callable<Integer>, HelpLayout.Examples {
  /** Characters of each listed example's text, at least half of it on a narrow terminal. */
  static final int TEXT_CHARS = 80;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--bundle",
      required = true,
      paramLabel = "DIR",
      description = "Model bundle to score.")
  Path bundle;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "FILE",
      description = "Labeled examples (JSONL, CSV or TSV; .gz allowed).")
  Path data;

  @Option(
      names = "--json",
      description =
          "Print one JSON object (accuracy, macro_f1, per_class, confusion, and with --errors"
              + " confident_mistakes and least_confident_correct).")
  boolean json;

  @Option(
      names = "--errors",
      paramLabel = "N",
      description =
          "List the N most confident mistakes and the N least confident correct predictions:"
              + " id (or file:line), true label, predicted label, confidence, the text's start.")
  int errors;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      description =
          "Write an HTML report here (index.html, metrics.json): scores, confusion matrix,"
              + " misclassified examples per class, reliability diagram, confidence histogram.")
  Path report;

  @Option(names = "--no-cache", description = "Do not read or write the embedding cache.")
  boolean noCache;

  @Mixin DataOptionsMixin dataOptions;

  @Mixin RuntimeOptionsMixin runtime;

  @Override
  public List<String> examples() {
    return List.of(
        "ferry eval --bundle tickets-bundle --data test.jsonl",
        "ferry eval --bundle tickets-bundle --data test.jsonl --errors 10",
        "ferry eval --bundle tickets-bundle --data test.jsonl --report eval-report",
        "ferry eval --bundle tickets-bundle --data test.csv --json | jq .macro_f1");
  }

  @Override
  public Integer call() throws IOException {
    if (errors < 0) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--errors must be 0 or more, was " + errors);
    }
    ModelBundle opened = ModelBundle.open(bundle);
    Evaluation.Result result;
    try (Progress progress = new Progress("texts embedded", -1)) {
      result =
          Evaluation.evaluate(
              opened,
              data,
              dataOptions.readOptions(),
              runtime.options(),
              !noCache,
              (done, total) -> {
                progress.total(total);
                progress.moveTo(done);
              });
    } catch (BadDataException e) {
      throw SettingErrors.badData(e);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!result.badRows().isEmpty()) {
      err.printf("ferry eval: skipped %,d bad rows of %s%n", result.badRows().size(), data);
    }
    if (result.unknownLabels() > 0) {
      err.printf(
          "ferry eval: left out %,d examples whose labels %s the bundle does not know (it knows %s)%n",
          result.unknownLabels(), result.unknownLabelNames(), opened.labels());
    }
    Path reportIndex = report == null ? null : EvalReport.write(report, opened, data, result);
    if (json) {
      out.println(json(result).toString());
    } else {
      out.printf(
          Locale.ROOT,
          "%s on %s: %,d examples (%.1f s; %,d embeddings from the cache)%n",
          bundle,
          data,
          result.metrics().examples(),
          result.seconds(),
          result.cachedTexts());
      MetricsTable.print(out, result.metrics());
      if (errors > 0) {
        int width = spec.commandLine().getUsageHelpWidth();
        printExamples(
            out, "Most confident mistakes", result.confidentMistakes(errors), "no mistakes", width);
        printExamples(
            out,
            "Least confident correct predictions",
            result.leastConfidentCorrect(errors),
            "no correct predictions",
            width);
      }
      if (reportIndex != null) {
        out.printf("%nReport: %s%n", reportIndex);
      }
    }
    out.flush();
    return 0;
  }

  private ObjectNode json(Evaluation.Result result) {
    ObjectNode o = MetricsJson.of(result.metrics());
    o.put("bundle", bundle.toString());
    o.put("data", data.toString());
    o.put("skipped_bad_rows", result.badRows().size());
    o.put("unknown_label_examples", result.unknownLabels());
    o.put("cached_embeddings", result.cachedTexts());
    o.put("seconds", Math.round(result.seconds() * 1000) / 1000.0);
    if (errors > 0) {
      examplesJson(o.putArray("confident_mistakes"), result.confidentMistakes(errors));
      examplesJson(o.putArray("least_confident_correct"), result.leastConfidentCorrect(errors));
    }
    if (report != null) {
      o.put("report", report.resolve("index.html").toString());
    }
    return o;
  }

  private static void examplesJson(ArrayNode into, List<ScoredExample> examples) {
    for (ScoredExample e : examples) {
      into.add(MetricsJson.example(e, true));
    }
  }

  /**
   * A table of examples: id (or the data file's name and line), true and predicted label,
   * confidence, and as much of the text's start as fits in {@code width} columns.
   */
  static void printExamples(
      PrintWriter out, String heading, List<ScoredExample> examples, String none, int width) {
    out.printf("%n  %s%n", heading);
    if (examples.isEmpty()) {
      out.printf("    (%s)%n", none);
      return;
    }
    int name = examples.stream().mapToInt(e -> e.shortName().length()).max().orElse(2);
    int label =
        examples.stream()
            .mapToInt(e -> Math.max(e.truth().length(), e.predicted().length()))
            .max()
            .orElse(5);
    name = Math.min(Math.max(name, 2), 40);
    out.printf(
        Locale.ROOT,
        "    %-" + name + "s  %-" + label + "s  %-" + label + "s  %10s  %s%n",
        "id",
        "true",
        "predicted",
        "confidence",
        "text");
    int text = Math.max(TEXT_CHARS / 2, width - (4 + name + 2 + label + 2 + label + 2 + 10 + 2));
    for (ScoredExample e : examples) {
      out.printf(
          Locale.ROOT,
          "    %-" + name + "s  %-" + label + "s  %-" + label + "s  %10.3f  %s%n",
          e.shortName(),
          e.truth(),
          e.predicted(),
          e.confidence(),
          e.textStart(text));
    }
  }
}
