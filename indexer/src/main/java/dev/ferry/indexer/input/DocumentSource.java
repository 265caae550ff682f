package dev.ferry.indexer.input;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records to index, read in a fixed order so that a position names the same record every time the
 * same input is read (which is what resuming relies on). Not thread-safe: one reader thread.
 *
 * <ul>
 *   <li>a file: JSONL, one object per line, gzip if the name ends in {@code .gz} ({@link
 *       dev.ferry.models.data.JsonlReader}); blank lines are not records
 *   <li>a folder: every {@code .txt} and {@code .md} file under it (also {@code .gz}), in path
 *       order; the id is the path relative to the folder
 * </ul>
 *
 * <p>Each source also keeps an {@link InputFingerprint} of what it has read, so that a resume can
 * check that the input still begins with the records an earlier ingest committed.
 */
public interface DocumentSource extends AutoCloseable {
  /** Opens a JSONL file or a folder of text files. */
  static DocumentSource open(Path input, InputFields fields) throws IOException {
    if (Files.isDirectory(input)) {
      return FolderSource.open(input);
    }
    if (!Files.exists(input)) {
      throw new java.nio.file.NoSuchFileException(input.toString());
    }
    return JsonlSource.open(input, fields);
  }

  /**
   * Texts held in memory, for an ingestion pipeline that has its own documents: ids are {@code
   * NAME:N} (1-based) unless given.
   *
   * @param name names the input in the progress recorded with each commit
   * @param texts the documents' texts, in order
   * @param ids their ids, or null for {@code NAME:N}
   */
  static DocumentSource of(String name, java.util.List<String> texts, java.util.List<String> ids) {
    return new MemorySource(name, texts, ids);
  }

  /** A stable name for the input (its absolute path), recorded with the progress of an ingest. */
  String name();

  /** The next record, or null at the end. */
  SourceItem next() throws IOException;

  /** Passes over the next {@code count} records without returning them (for resuming). */
  default void skip(long count) throws IOException {
    for (long i = 0; i < count; i++) {
      if (next() == null) {
        return;
      }
    }
  }

  /**
   * What has been read so far ({@link #next} and {@link #skip}), as of the last record: recorded
   * with each commit of an ingest and compared on resume, so that a resume refuses an input that
   * changed before the committed position. Computed while reading, never by a second pass.
   *
   * @return the fingerprint, or null if this source cannot give one (a resume then relies on the
   *     position alone)
   */
  default InputFingerprint fingerprint() {
    return null;
  }

  /**
   * How many bytes {@link #fingerprint()} will count once the whole input has been read, for a
   * progress bar: a file's size (for {@code .gz} its uncompressed size as the gzip trailer states
   * it), a folder's files' sizes; -1 when not known.
   */
  default long totalBytes() {
    return -1;
  }

  @Override
  void close() throws IOException;
}
