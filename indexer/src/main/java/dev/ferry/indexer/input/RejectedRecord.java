package dev.ferry.indexer.input;

/**
 * A record that cannot be indexed (broken JSON, no text, a field of the wrong type, binary data).
 *
 * @param position 0-based position in the input
 * @param origin {@code file:line}, or the file of a folder input
 * @param reason what was wrong and what was expected
 */
public record RejectedRecord(long position, String origin, String reason) implements SourceItem {}
