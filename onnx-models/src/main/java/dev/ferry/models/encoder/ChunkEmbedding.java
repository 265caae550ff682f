package dev.ferry.models.encoder;

/**
 * One chunk of a document and its vector.
 *
 * @param index position among the document's chunks, from 0
 * @param start offset in the document's text (UTF-16 chars) where the chunk's first token starts
 * @param end offset just past the chunk's last token; {@code text.substring(start, end)} is what
 *     the chunk covers
 * @param tokens the document's own tokens in the chunk (special tokens and prefix not counted)
 * @param vector the chunk's embedding
 */
public record ChunkEmbedding(int index, int start, int end, int tokens, float[] vector) {}
