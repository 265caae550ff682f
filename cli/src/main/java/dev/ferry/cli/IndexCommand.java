package dev.ferry.cli;

import dev.ferry.indexer.FerryIndex;
import dev.ferry.indexer.Indexer;
import dev.ferry.indexer.IngestListener;
import dev.ferry.indexer.IngestOptions;
import dev.ferry.indexer.IngestResult;
import dev.ferry.indexer.InvalidSettingException;
import dev.ferry.indexer.input.DocumentSource;
import dev.ferry.indexer.input.InputFields;
import dev.ferry.models.bundle.ModelBundle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ferry index}: a thin shell over {@link Indexer#ingest}. */
@Command(
    name = "index",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Embed, classify and store documents in an embedded Lucene index: text (BM25), one"
          + " vector per chunk (HNSW), label, confidence and probabilities, bundle, ingest time.",
      "A record with an id that is already in the index replaces it; the summary says how many"
          + " documents were new and how many replaced an existing id. Records that cannot be indexed"
          + " go to the rejects file with their file:line and the reason; the exit code is then 1. The"
          + " index commits as the ingest starts, then every --commit-every documents (and every"
          + " minute), with how far the input was read and a fingerprint of what was read, so"
          + " --resume after a crash continues from there, after checking the input still begins"
          + " with those records (with nothing committed it starts from the beginning).",
      "A bundle whose labels differ from those the documents carry is refused unless"
          + " --allow-label-change is given."
    })
final class IndexCommand implements Callable<Integer>, HelpLayout.Examples {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public List<String> examples() {
    return List.of(
        "ferry index --bundle news-bundle --input news.jsonl.gz --index news-index",
        "ferry index --bundle news-bundle --input articles/ --index news-index",
        "ferry index --bundle news-bundle --input news.jsonl.gz --index news-index --resume",
        "ferry index --bundle news-bundle-v2 --input more.jsonl --index news-index --allow-label-change");
  }

  @Option(
      names = "--bundle",
      required = true,
      paramLabel = "DIR",
      description = "Model bundle that labels the documents.")
  Path bundle;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "FILE|DIR",
      description = "JSONL file (.gz allowed) or a folder of .txt/.md files.")
  Path input;

  @Option(
      names = "--index",
      required = true,
      paramLabel = "DIR",
      description = "Index folder (created if absent).")
  Path index;

  @Option(
      names = "--text-field",
      paramLabel = "NAME",
      description = "JSONL field with the text. Default: ${DEFAULT-VALUE}.")
  String textField = InputFields.DEFAULT.text();

  @Option(
      names = "--id-field",
      paramLabel = "NAME",
      description =
          "JSONL field with the id (string or integer); records without one get FILE:LINE."
              + " Default: ${DEFAULT-VALUE}.")
  String idField = InputFields.DEFAULT.id();

  @Option(
      names = "--records-per-batch",
      paramLabel = "N",
      description =
          "Input records read, classified and written together (--batch-size is texts per model"
              + " batch, when embedding). Default: ${DEFAULT-VALUE}.")
  int batch = IngestOptions.defaults().batchSize();

  /** The old name of --records-per-batch, refused with the new names. */
  @Option(names = "--batch", hidden = true, paramLabel = "N")
  void oldBatch(String value) {
    throw SettingErrors.renamed(
        spec, "--batch", "--records-per-batch (input records handled together)");
  }

  @Option(
      names = "--commit-every",
      paramLabel = "N",
      description =
          "Commit after N documents (and at least every minute). Default: ${DEFAULT-VALUE}.")
  long commitEvery = IngestOptions.defaults().commitEveryDocuments();

  @Option(names = "--resume", description = "Continue after the records the last commit recorded.")
  boolean resume;

  @Option(
      names = "--rejects",
      paramLabel = "FILE",
      description =
          "Rejects file, emptied as an ingest starts (kept"
              + " by --resume); not the input, nor an existing file other than the index's rejects file."
              + " Default: INDEX/rejects.jsonl.")
  Path rejects;

  @Option(
      names = "--allow-label-change",
      description =
          "Index with a bundle whose labels differ from those the"
              + " documents carry, leaving two label sets in the index (ferry stats shows them).")
  boolean allowLabelChange;

  @Mixin RuntimeOptionsMixin runtime;

  @Override
  public Integer call() throws IOException {
    IngestOptions options;
    try {
      options =
          IngestOptions.defaults()
              .withFields(new InputFields(textField, idField))
              .withBatchSize(batch)
              .withCommitEvery(commitEvery, Duration.ofSeconds(60))
              .withResume(resume)
              .withRejects(rejects)
              .withAllowLabelChange(allowLabelChange);
    } catch (IllegalArgumentException e) {
      throw SettingErrors.usage(spec, e);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long inputBytes = inputBytes();
    IngestResult r;
    try (FerryIndex idx = FerryIndex.open(index);
        Indexer indexer = Indexer.open(idx, ModelBundle.open(bundle), runtime.options());
        Progress progress =
            new Progress("input read", inputBytes, Progress.Unit.bytes(inputBytes))) {
      r =
          indexer.ingest(
              input,
              options,
              new IngestListener() {
                @Override
                public void written(long documents, long chunks, long rejected) {
                  progress.message(
                      String.format(
                          Locale.ROOT,
                          "· %,d documents%s",
                          documents,
                          rejected > 0
                              ? String.format(Locale.ROOT, ", %,d rejected", rejected)
                              : ""));
                }

                @Override
                public void read(long bytes, long totalBytes) {
                  if (totalBytes > 0) {
                    progress.total(totalBytes);
                  }
                  progress.moveTo(bytes);
                }
              });
    } catch (InvalidSettingException e) {
      throw SettingErrors.usage(spec, e);
    }
    out.printf(
        Locale.ROOT,
        "Indexed %,d documents (%,d new, %,d replaced an existing id), %,d chunks, from %s into %s"
            + " in %.1f s (%.1f documents/s)%s%n",
        r.documents(),
        r.newDocuments(),
        r.replacedDocuments(),
        r.chunks(),
        input,
        index,
        r.seconds(),
        r.documentsPerSecond(),
        !resume
            ? ""
            : r.startPosition() > 0
                ? String.format(Locale.ROOT, ", resumed after %,d records", r.startPosition())
                : "; nothing to resume, so it started from the beginning");
    out.flush();
    if (r.rejected() > 0) {
      err.printf(
          "ferry index: %,d %s rejected; see %s%n",
          r.rejected(), r.rejected() == 1 ? "record" : "records", r.rejects());
      return 1;
    }
    return 0;
  }

  /** The input's size for the progress bar, or -1 (only on a terminal: it opens the input). */
  private long inputBytes() {
    if (!Terminal.isInteractive()) {
      return -1;
    }
    try (DocumentSource source = DocumentSource.open(input, new InputFields(textField, idField))) {
      return source.totalBytes();
    } catch (IOException | RuntimeException e) {
      return -1; // the ingest says what is wrong with the input
    }
  }
}
