package dev.ferry.indexer;

import dev.ferry.indexer.input.InputFields;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link Indexer#ingest} reads and commits.
 *
 * @param fields which JSONL fields hold the text and the id
 * @param batchSize records per model batch (the encoder sorts each batch by length)
 * @param queueCapacity batches that may wait between two stages of the pipeline
 * @param commitEveryDocuments commit after this many documents since the last commit
 * @param commitInterval or after this long, whichever comes first
 * @param resume continue from the input position of the last commit instead of the start, after
 *     checking that the input still begins with the records committed; with nothing committed,
 *     start from the beginning
 * @param rejects the rejects file; null for {@code rejects.jsonl} in the index folder. An ingest
 *     empties it as it starts (a resume keeps what was committed), so it must not be the input, a
 *     file of the index, or an existing file other than the rejects file the index recorded
 * @param allowLabelChange index with a bundle whose labels differ from those the index's documents
 *     carry, leaving two label sets in one index ({@link IndexStats#labelSets()} shows them);
 *     refused unless this is set
 */
public record IngestOptions(
    InputFields fields,
    int batchSize,
    int queueCapacity,
    long commitEveryDocuments,
    Duration commitInterval,
    boolean resume,
    Path rejects,
    boolean allowLabelChange) {
  /** Checks the values. */
  public IngestOptions {
    Objects.requireNonNull(fields, "fields");
    Objects.requireNonNull(commitInterval, "commitInterval");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, was " + batchSize);
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queue capacity must be at least 1, was " + queueCapacity);
    }
    if (commitEveryDocuments < 1) {
      throw new IllegalArgumentException(
          "commit interval must be at least 1 document, was " + commitEveryDocuments);
    }
  }

  /**
   * Fields {@code text} and {@code id}, 256 records a batch, 4 batches a queue, commits every
   * 10,000 documents or 60 s.
   */
  public static IngestOptions defaults() {
    return new IngestOptions(
        InputFields.DEFAULT, 256, 4, 10_000, Duration.ofSeconds(60), false, null, false);
  }

  /** With other field names. */
  public IngestOptions withFields(InputFields value) {
    return new IngestOptions(
        value,
        batchSize,
        queueCapacity,
        commitEveryDocuments,
        commitInterval,
        resume,
        rejects,
        allowLabelChange);
  }

  /** With another batch size. */
  public IngestOptions withBatchSize(int value) {
    return new IngestOptions(
        fields,
        value,
        queueCapacity,
        commitEveryDocuments,
        commitInterval,
        resume,
        rejects,
        allowLabelChange);
  }

  /** With another queue capacity. */
  public IngestOptions withQueueCapacity(int value) {
    return new IngestOptions(
        fields,
        batchSize,
        value,
        commitEveryDocuments,
        commitInterval,
        resume,
        rejects,
        allowLabelChange);
  }

  /** Commit after {@code documents} documents or {@code interval}, whichever comes first. */
  public IngestOptions withCommitEvery(long documents, Duration interval) {
    return new IngestOptions(
        fields, batchSize, queueCapacity, documents, interval, resume, rejects, allowLabelChange);
  }

  /** Continue from the last commit's input position. */
  public IngestOptions withResume(boolean value) {
    return new IngestOptions(
        fields,
        batchSize,
        queueCapacity,
        commitEveryDocuments,
        commitInterval,
        value,
        rejects,
        allowLabelChange);
  }

  /** Write rejected records to {@code value}. */
  public IngestOptions withRejects(Path value) {
    return new IngestOptions(
        fields,
        batchSize,
        queueCapacity,
        commitEveryDocuments,
        commitInterval,
        resume,
        value,
        allowLabelChange);
  }

  /** Whether to index with a bundle whose labels differ from those the documents carry. */
  public IngestOptions withAllowLabelChange(boolean value) {
    return new IngestOptions(
        fields,
        batchSize,
        queueCapacity,
        commitEveryDocuments,
        commitInterval,
        resume,
        rejects,
        value);
  }
}
