package dev.ferry.indexer.input;

import java.util.Objects;

/**
 * Which JSONL fields hold the text and the id.
 *
 * @param text the text field (a string), {@code text} by default
 * @param id the id field (a string or an integer; optional per record), {@code id} by default
 */
public record InputFields(String text, String id) {
  /** {@code text} and {@code id}. */
  public static final InputFields DEFAULT = new InputFields("text", "id");

  /** Checks the names. */
  public InputFields {
    Objects.requireNonNull(text, "text field");
    Objects.requireNonNull(id, "id field");
    if (text.equals(id)) {
      throw new IllegalArgumentException(
          "the text and id fields must differ, both are '" + text + "'");
    }
  }
}
