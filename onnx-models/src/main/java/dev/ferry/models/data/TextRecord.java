package dev.ferry.models.data;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A well-formed JSONL record.
 *
 * @param lineNumber 1-based line number in the source
 * @param text the record's text field
 * @param fields the whole JSON object, for fields such as {@code label} or {@code id}
 */
public record TextRecord(int lineNumber, String text, ObjectNode fields) implements JsonlLine {}
