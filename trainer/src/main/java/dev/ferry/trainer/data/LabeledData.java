package dev.ferry.trainer.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The rows of one data file that could be used, and the messages of those that were skipped.
 *
 * @param source the file read
 * @param examples the good rows, in file order
 * @param badRows one {@code file:line: problem} message per skipped row, in file order; empty
 *     unless bad rows were skipped on request
 */
public record LabeledData(Path source, List<LabeledExample> examples, List<String> badRows) {
  /** Copies the lists (unmodifiable). */
  public LabeledData {
    Objects.requireNonNull(source, "source");
    examples = List.copyOf(examples);
    badRows = List.copyOf(badRows);
  }
}
