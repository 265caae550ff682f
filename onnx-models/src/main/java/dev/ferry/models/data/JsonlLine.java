package dev.ferry.models.data;

/** One non-blank line of a JSONL input: a {@link TextRecord}, or a {@link BadLine} to report. */
public sealed interface JsonlLine permits TextRecord, BadLine {
  /** 1-based line number in the source. */
  int lineNumber();
}
