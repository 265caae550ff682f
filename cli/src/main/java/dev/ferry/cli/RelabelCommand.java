package dev.ferry.cli;

import dev.ferry.indexer.FerryIndex;
import dev.ferry.indexer.RelabelResult;
import dev.ferry.indexer.Relabeler;
import dev.ferry.models.bundle.ModelBundle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
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
    },
    footer = {"", "Example:", "  ferry relabel --index news-index --bundle news-bundle-v2"})
final class RelabelCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--index", required = true, paramLabel = "DIR", description = "Index folder.")
  Path index;

  @Option(names = "--bundle", required = true, paramLabel = "DIR", description = "The new bundle.")
  Path bundle;

  @Override
  public Integer call() throws IOException {
    RelabelResult r;
    try (FerryIndex idx = FerryIndex.openExisting(index);
        Progress progress = new Progress("documents", -1)) {
      r = Relabeler.relabel(idx, ModelBundle.open(bundle), progress::moveTo);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        Locale.ROOT,
        "Relabeled %,d documents with %s in %.2f s; %,d changed label%n",
        r.documents(),
        r.bundle(),
        r.seconds(),
        r.changed());
    out.println("labels: " + SearchCommand.counts(r.labels()));
    out.flush();
    return 0;
  }
}
