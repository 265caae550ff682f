package dev.ferry.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.trainer.Evaluation;
import dev.ferry.trainer.data.BadDataException;
import dev.ferry.trainer.metrics.MetricsJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry eval}: scores a bundle on labeled data. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Classify labeled examples with a bundle and print accuracy, macro-F1,"
          + " per-class precision/recall/F1, the confusion matrix and the expected calibration error."
    },
    footer = {
      "",
      "Examples:",
      "  ferry eval --bundle tickets-bundle --data test.jsonl",
      "  ferry eval --bundle tickets-bundle --data test.csv --json | jq .macro_f1"
    })
final class EvalCommand implements Callable<Integer> {
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
      description = "Print one JSON object (accuracy, macro_f1, per_class, confusion, ...).")
  boolean json;

  @Mixin DataOptionsMixin dataOptions;

  @Mixin RuntimeOptionsMixin runtime;

  @Override
  public Integer call() throws IOException {
    ModelBundle opened = ModelBundle.open(bundle);
    Evaluation.Result result;
    try (Progress progress = new Progress("texts classified", -1)) {
      result =
          Evaluation.evaluate(
              opened,
              data,
              dataOptions.readOptions(),
              runtime.options(),
              (done, total) -> progress.moveTo(done));
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
    if (json) {
      ObjectNode o = MetricsJson.of(result.metrics());
      o.put("bundle", bundle.toString());
      o.put("data", data.toString());
      o.put("skipped_bad_rows", result.badRows().size());
      o.put("unknown_label_examples", result.unknownLabels());
      o.put("seconds", Math.round(result.seconds() * 1000) / 1000.0);
      out.println(o.toString());
    } else {
      out.printf(
          Locale.ROOT,
          "%s on %s: %,d examples (%.1f s)%n",
          bundle,
          data,
          result.metrics().examples(),
          result.seconds());
      MetricsTable.print(out, result.metrics());
    }
    out.flush();
    return 0;
  }
}
