/**
 * Running ONNX graphs with plain Java tensors: {@link dev.ferry.models.graph.GraphSession} and
 * {@link dev.ferry.models.graph.HostTensor}. The graphs themselves are built by the autodiff
 * module.
 */
package dev.ferry.models.graph;
