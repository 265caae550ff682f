package dev.ferry.indexer.input;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records to index, read in a fixed order so that a position names the same record every time
 * the same input is read (which is what resuming relies on). Not thread-safe: one reader thread.
 *
 * <ul>
 *   <li>a file: JSONL, one object per line, gzip if the name ends in {@code .gz}
 *       ({@link dev.ferry.models.data.JsonlReader}); blank lines are not records</li>
 *   <li>a folder: every {@code .txt} and {@code .md} file under it (also {@code .gz}), in
 *       path order; the id is the path relative to the folder</li>
 * </ul>
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
   * Texts held in memory, for an ingestion pipeline that has its own documents: ids are
   * {@code NAME:N} (1-based) unless given.
   *
   * @param name names the input in the progress recorded with each commit
   * @param texts the documents' texts, in order
   * @param ids their ids, or null for {@code NAME:N}
   */
  static DocumentSource of(String name, java.util.List<String> texts, java.util.List<String> ids) {
    if (ids != null && ids.size() != texts.size()) {
      throw new IllegalArgumentException(texts.size() + " texts but " + ids.size() + " ids");
    }
    return new DocumentSource() {
      private int next;

      @Override
      public String name() {
        return name;
      }

      @Override
      public SourceItem next() {
        if (next >= texts.size()) {
          return null;
        }
        int at = next++;
        String origin = name + ":" + (at + 1);
        String text = texts.get(at);
        if (text == null || text.isBlank()) {
          return new RejectedRecord(at, origin, "empty text; expected text to index");
        }
        return new InputDocument(at, origin, ids == null ? origin : ids.get(at), text, null);
      }

      @Override
      public void skip(long count) {
        next = (int) Math.min(texts.size(), next + count);
      }

      @Override
      public void close() {}
    };
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

  @Override
  void close() throws IOException;
}
