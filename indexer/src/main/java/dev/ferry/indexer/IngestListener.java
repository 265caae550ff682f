package dev.ferry.indexer;

/** Hears how an ingest goes; called from the writing thread. */
public interface IngestListener {
  /** Hears nothing. */
  IngestListener NONE = new IngestListener() {};

  /** After each batch is written: totals so far in this run. */
  default void written(long documents, long chunks, long rejected) {}

  /**
   * After each batch is written: bytes of the input read up to its last record (uncompressed for
   * {@code .gz}) and how many the whole input has, or -1 when that is not known ({@link
   * dev.ferry.indexer.input.DocumentSource#totalBytes()}).
   */
  default void read(long bytes, long totalBytes) {}

  /** A record was rejected. */
  default void rejected(String origin, String reason) {}

  /**
   * A commit made everything up to {@code position} (records of the input) durable; the first is
   * made as the ingest starts, at the position it starts from.
   */
  default void committed(long position) {}
}
