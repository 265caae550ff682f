package dev.ferry.models.bundle;

import dev.ferry.models.encoder.DocumentEmbedding;

/**
 * A document as {@link Classifier#classifyDocuments} leaves it: its embedding (the document's
 * vector and its chunks), what the head read of it, and the head's prediction.
 *
 * @param embedding the document's vector and chunks
 * @param features the head's input, {@link dev.ferry.models.encoder.ChunkPooling#features} of
 *     {@code embedding} under the bundle's pooling; {@link ClassifierHead#predict} of it gives
 *     {@code prediction} again, so storing it is enough to relabel the document with another head
 * @param prediction the label of the whole document
 */
public record ClassifiedDocument(
    DocumentEmbedding embedding, float[] features, Prediction prediction) {}
