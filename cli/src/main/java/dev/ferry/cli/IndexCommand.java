package dev.ferry.cli;

import dev.ferry.indexer.FerryIndex;
import dev.ferry.indexer.IngestListener;
import dev.ferry.indexer.IngestOptions;
import dev.ferry.indexer.IngestResult;
import dev.ferry.indexer.Indexer;
import dev.ferry.indexer.input.InputFields;
import dev.ferry.models.bundle.ModelBundle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ferry index}: a thin shell over {@link Indexer#ingest}. */
@Command(name = "index", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Embed, classify and store documents in an embedded Lucene index: text (BM25), one"
        + " vector per chunk (HNSW), label, confidence and probabilities, bundle, ingest time.",
        "A record with an id that is already in the index replaces it. Records that cannot be"
            + " indexed go to the rejects file with their file:line and the reason; the exit code is"
            + " then 1. The index commits every --commit-every documents (and every minute) with how"
            + " far the input was read, so --resume after a crash continues from there."},
    footer = {"", "Examples:",
        "  ferry index --bundle news-bundle --input news.jsonl.gz --index news-index",
        "  ferry index --bundle news-bundle --input articles/ --index news-index     # .txt/.md files",
        "  ferry index --bundle news-bundle --input news.jsonl.gz --index news-index --resume"})
final class IndexCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--bundle", required = true, paramLabel = "DIR", description = "Model bundle that labels the documents.")
  Path bundle;

  @Option(names = "--input", required = true, paramLabel = "FILE|DIR",
      description = "JSONL file (.gz allowed) or a folder of .txt/.md files.")
  Path input;

  @Option(names = "--index", required = true, paramLabel = "DIR", description = "Index folder (created if absent).")
  Path index;

  @Option(names = "--text-field", paramLabel = "NAME", description = "JSONL field with the text. Default: text.")
  String textField = "text";

  @Option(names = "--id-field", paramLabel = "NAME",
      description = "JSONL field with the id (string or integer); records without one get FILE:LINE. Default: id.")
  String idField = "id";

  @Option(names = "--batch", paramLabel = "N", description = "Records per model batch. Default: ${DEFAULT-VALUE}.")
  int batch = IngestOptions.defaults().batchSize();

  @Option(names = "--commit-every", paramLabel = "N",
      description = "Commit after N documents (and at least every minute). Default: ${DEFAULT-VALUE}.")
  long commitEvery = IngestOptions.defaults().commitEveryDocuments();

  @Option(names = "--resume", description = "Continue after the records the last commit recorded.")
  boolean resume;

  @Option(names = "--rejects", paramLabel = "FILE", description = "Rejects file. Default: INDEX/rejects.jsonl.")
  Path rejects;

  @Mixin RuntimeOptionsMixin runtime;

  @Override
  public Integer call() throws IOException {
    IngestOptions options;
    try {
      options = IngestOptions.defaults().withFields(new InputFields(textField, idField)).withBatchSize(batch)
          .withCommitEvery(commitEvery, Duration.ofSeconds(60)).withResume(resume).withRejects(rejects);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    IngestResult r;
    try (FerryIndex idx = FerryIndex.open(index);
         Indexer indexer = Indexer.open(idx, ModelBundle.open(bundle), runtime.options());
         Progress progress = new Progress("documents", -1)) {
      r = indexer.ingest(input, options, new IngestListener() {
        @Override
        public void written(long documents, long chunks, long rejected) {
          progress.moveTo(documents);
        }
      });
    }
    out.printf(java.util.Locale.ROOT, "Indexed %,d documents (%,d chunks) from %s into %s in %.1f s (%.1f documents/s)%s%n",
        r.documents(), r.chunks(), input, index, r.seconds(), r.documentsPerSecond(),
        r.startPosition() > 0 ? String.format(java.util.Locale.ROOT, ", resumed after %,d records", r.startPosition()) : "");
    out.flush();
    if (r.rejected() > 0) {
      err.printf("ferry index: %,d %s rejected; see %s%n", r.rejected(), r.rejected() == 1 ? "record" : "records",
          r.rejects());
      return 1;
    }
    return 0;
  }
}
