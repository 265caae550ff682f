package dev.ferry.indexer.input;

/**
 * A record to index.
 *
 * @param position 0-based position in the input
 * @param origin {@code file:line}, or the file of a folder input
 * @param id the document's id: the id field's value, else derived from the origin, so that reading
 *     the same input twice gives the same ids
 * @param text the text to embed, classify and search
 * @param fields the record's other fields as a JSON object, or null if it has none
 */
public record InputDocument(long position, String origin, String id, String text, String fields)
    implements SourceItem {}
