package dev.ferry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.indexer.FerryIndex;
import dev.ferry.indexer.IndexStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry stats}: a thin shell over {@link FerryIndex#stats()}. */
@Command(name = "stats", mixinStandardHelpOptions = true,
    description = "Documents, chunks, documents per label and per bundle, and the last ingest's progress.")
final class StatsCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--index", required = true, paramLabel = "DIR", description = "Index folder.")
  Path index;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    IndexStats s;
    try (FerryIndex idx = FerryIndex.openExisting(index)) {
      s = idx.stats();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("documents", s.documents());
      o.put("chunks", s.chunks());
      o.put("encoder", s.encoder());
      ObjectNode labels = o.putObject("labels");
      s.labels().forEach(labels::put);
      ObjectNode bundles = o.putObject("bundles");
      s.bundles().forEach(bundles::put);
      ObjectNode progress = o.putObject("progress");
      s.progress().forEach(progress::put);
      out.println(new ObjectMapper().writeValueAsString(o));
    } else {
      out.printf("%s: %,d documents, %,d chunks, encoder %s%n", index, s.documents(), s.chunks(), s.encoder());
      out.println("labels:  " + SearchCommand.counts(s.labels()));
      out.println("bundles: " + SearchCommand.counts(s.bundles()));
      s.progress().forEach((k, v) -> out.println(k + " = " + v));
    }
    out.flush();
    return 0;
  }
}
