package dev.ferry.models.data;

/**
 * A line that could not be read as a record. The reader goes on with the next line.
 *
 * @param source the file name (or {@code <stdin>})
 * @param lineNumber 1-based line number
 * @param problem what was wrong and what was expected
 */
public record BadLine(String source, int lineNumber, String problem) implements JsonlLine {
  /** {@code file:line: problem}, the form compilers use, so editors can jump to it. */
  public String message() {
    return source + ":" + lineNumber + ": " + problem;
  }
}
