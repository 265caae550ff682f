package dev.ferry.indexer;

import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import java.nio.file.Path;
import java.time.Duration;

/** The child JVM of {@link CrashResumeTest}: ingests with frequent commits until it is killed. */
public final class CrashIngestMain {
  private CrashIngestMain() {}

  /** Arguments: bundle, input, index folder, commit every N documents. */
  public static void main(String[] args) throws Exception {
    try (FerryIndex index = FerryIndex.open(Path.of(args[2]));
        Indexer indexer =
            Indexer.open(
                index,
                ModelBundle.open(Path.of(args[0])),
                EncoderOptions.defaults().withIntraOpThreads(1))) {
      indexer.ingest(
          Path.of(args[1]),
          IngestOptions.defaults()
              .withBatchSize(16)
              .withCommitEvery(Long.parseLong(args[3]), Duration.ofHours(1)),
          IngestListener.NONE);
    }
  }
}
