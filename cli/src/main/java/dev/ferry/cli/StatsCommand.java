package dev.ferry.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.indexer.FerryIndex;
import dev.ferry.indexer.IndexStats;
import dev.ferry.indexer.IngestProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry stats}: a thin shell over {@link FerryIndex#stats()}. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {
      "Documents, chunks, documents per label and per bundle, the label sets if documents carry"
          + " labels of more than one, and the last ingest's progress (incomplete while it runs or after it stopped).",
      "--json prints one object: {documents, chunks, encoder, labels: {label: documents},"
          + " bundles: {bundle: documents}, label_sets: [{labels, bundles, documents}],"
          + " mixed_label_sets, ingest_incomplete, last_ingest: {input, records, complete,"
          + " input_bytes, input_sha256, rejects, rejects_bytes} or null}."
    })
final class StatsCommand implements Callable<Integer>, HelpLayout.Examples {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public List<String> examples() {
    return List.of(
        "ferry stats --index news-index", "ferry stats --index news-index --json | jq .documents");
  }

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
      ArrayNode sets = o.putArray("label_sets");
      for (IndexStats.LabelSet set : s.labelSets()) {
        ObjectNode entry = sets.addObject();
        set.labels().forEach(entry.putArray("labels")::add);
        set.bundles().forEach(entry.putArray("bundles")::add);
        entry.put("documents", set.documents());
      }
      o.put("mixed_label_sets", s.mixedLabelSets());
      o.put("ingest_incomplete", s.ingestIncomplete());
      IngestProgress last = IngestProgress.of(s.progress());
      if (last == null) {
        o.putNull("last_ingest");
      } else {
        ObjectNode ingest = o.putObject("last_ingest");
        ingest.put("input", last.input());
        ingest.put("records", last.position());
        ingest.put("complete", last.complete());
        if (last.fingerprint() != null) {
          ingest.put("input_bytes", last.fingerprint().bytes());
          ingest.put("input_sha256", last.fingerprint().sha256());
        } else {
          ingest.putNull("input_bytes");
          ingest.putNull("input_sha256");
        }
        ingest.put("rejects", last.rejects());
        ingest.put("rejects_bytes", last.rejectsBytes());
      }
      out.println(new ObjectMapper().writeValueAsString(o));
    } else {
      out.printf(
          "%s: %,d documents, %,d chunks, encoder %s%n",
          index, s.documents(), s.chunks(), s.encoder());
      out.println("labels:  " + SearchCommand.counts(s.labels()));
      out.println("bundles: " + SearchCommand.counts(s.bundles()));
      if (s.mixedLabelSets()) {
        out.printf(
            Locale.ROOT,
            "label sets: mixed, %d sets (relabel with one bundle to make them one):%n",
            s.labelSets().size());
        s.labelSets()
            .forEach(
                set ->
                    out.printf(
                        Locale.ROOT,
                        "  %s: %,d documents (%s)%n",
                        String.join(", ", set.labels()),
                        set.documents(),
                        String.join(", ", set.bundles())));
      }
      IngestProgress last = IngestProgress.of(s.progress());
      if (last != null) {
        out.printf(
            Locale.ROOT,
            "ingest:  %s: %,d records of %s%s%n",
            last.complete() ? "complete" : "incomplete",
            last.position(),
            last.input(),
            last.complete()
                ? ""
                : " committed (still running, or stopped: 'ferry index --resume' goes on)");
      }
    }
    out.flush();
    return 0;
  }
}
