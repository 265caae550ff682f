/**
 * The training engine: builds ONNX graphs in Java ({@link dev.ferry.autodiff.GraphBuilder}),
 * imports an exported encoder into one ({@link dev.ferry.autodiff.OnnxImport}), appends the
 * gradients of a scalar loss ({@link dev.ferry.autodiff.Autodiff}) and the optimizer update ({@link
 * dev.ferry.autodiff.AdamW}). The graphs run on {@link dev.ferry.models.graph.GraphSession}; only
 * the trainer uses this package.
 */
package dev.ferry.autodiff;
