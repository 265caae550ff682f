/**
 * Encoder throughput: length-bucketed batching against padding to the maximum, on realistic
 * mixed-length samples.
 */
package dev.ferry.eval.encode;
