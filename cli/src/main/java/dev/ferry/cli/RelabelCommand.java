package dev.ferry.cli;

import dev.ferry.indexer.FerryIndex;
import dev.ferry.indexer.RelabelResult;
import dev.ferry.indexer.Relabeler;
import dev.ferry.models.bundle.ModelBundle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry relabel}: a thin shell over {@link Relabeler#relabel}. */
@Command(
    name = "relabel",
    mixinStandardHelpOptions = true,
    description = {
      "Relabel every document of an index with a new bundle from the stored vectors,"
          + " without running the encoder: label, confidence, probabilities and bundle are rewritten in"
          + " place. The bundle must be trained on the index's encoder and chunking; any other is refused."
    })
final class RelabelCommand implements Callable<Integer>, HelpLayout.Examples {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public List<String> examples() {
    return List.of(
        "ferry relabel --index news-index --bundle news-bundle-v2",
        "ferry relabel --index news-index --bundle news-bundle-v2 --json");
  }

  @Option(names = "--index", required = true, paramLabel = "DIR", description = "Index folder.")
  Path index;

  @Option(names = "--bundle", required = true, paramLabel = "DIR", description = "The new bundle.")
  Path bundle;

  @Option(
      names = "--json",
      description =
          "Print one object: {bundle, documents, changed, labels: {label: documents},"
              + " changes: {old label: {new label: documents}}, seconds}.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    RelabelResult r;
    try (FerryIndex idx = FerryIndex.openExisting(index);
        Progress progress = new Progress("documents", -1)) {
      r = Relabeler.relabel(idx, ModelBundle.open(bundle), progress::moveTo);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      com.fasterxml.jackson.databind.node.ObjectNode o =
          com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      o.put("bundle", r.bundle());
      o.put("documents", r.documents());
      o.put("changed", r.changed());
      com.fasterxml.jackson.databind.node.ObjectNode labels = o.putObject("labels");
      r.labels().forEach(labels::put);
      com.fasterxml.jackson.databind.node.ObjectNode changes = o.putObject("changes");
      r.changes()
          .forEach(
              (from, to) -> {
                com.fasterxml.jackson.databind.node.ObjectNode row = changes.putObject(from);
                to.forEach(row::put);
              });
      o.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
      out.println(o.toString());
      out.flush();
      return 0;
    }
    out.printf(
        Locale.ROOT,
        "Relabeled %,d documents with %s in %.2f s; %,d changed label%n",
        r.documents(),
        r.bundle(),
        r.seconds(),
        r.changed());
    out.println("labels: " + SearchCommand.counts(r.labels()));
    r.changes()
        .forEach(
            (from, to) ->
                to.forEach(
                    (label, n) ->
                        out.printf(Locale.ROOT, "  %s → %s: %,d documents%n", from, label, n)));
    out.flush();
    return 0;
  }
}
