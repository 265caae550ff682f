/**
 * The encoder: loading a BERT-family ONNX export, tokenizing, batching, running, pooling and
 * normalizing; long documents read in chunks ({@link dev.ferry.models.encoder.Chunking}) and what a
 * head reads of them ({@link dev.ferry.models.encoder.ChunkPooling}).
 */
package dev.ferry.models.encoder;
