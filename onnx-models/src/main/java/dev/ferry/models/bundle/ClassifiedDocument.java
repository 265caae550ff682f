package dev.ferry.models.bundle;

import dev.ferry.models.encoder.DocumentEmbedding;

/**
 * A document as {@link Classifier#classifyDocuments} leaves it: its embedding (the document's
 * vector and its chunks) and the head's prediction for the document's vector.
 *
 * @param embedding the document's vector and chunks
 * @param prediction the label of the whole document
 */
public record ClassifiedDocument(DocumentEmbedding embedding, Prediction prediction) {}
