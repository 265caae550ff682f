package dev.ferry.indexer.input;

/** One record of an input, in input order: a document to index or a record that cannot be one. */
public sealed interface SourceItem permits InputDocument, RejectedRecord {
  /**
   * 0-based position in the input; the input has been read up to here when this item is handled.
   */
  long position();

  /** Where it came from: {@code file:line} for JSONL, the file for a folder. */
  String origin();
}
