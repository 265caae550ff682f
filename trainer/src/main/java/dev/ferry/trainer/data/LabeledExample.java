package dev.ferry.trainer.data;

import java.util.Objects;

/**
 * One labeled text read from a data file.
 *
 * @param id the row's id, or null when the input has none
 * @param text the text to classify, as in the file (not trimmed)
 * @param label the class name, trimmed; numbers and booleans in JSON become their string form
 * @param source the file the row came from, as named to the reader
 * @param lineNumber 1-based physical line where the row starts (for CSV the header is line 1)
 */
public record LabeledExample(String id, String text, String label, String source, int lineNumber) {
  /** Checks that text, label and source are present. */
  public LabeledExample {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(source, "source");
  }

  /** {@code source:line}, the form editors can jump to. */
  public String location() {
    return source + ":" + lineNumber;
  }
}
