/**
 * The inference runtime's shared pieces: the cache folder, file hashes and the ONNX Runtime setup
 * (telemetry off before it starts).
 */
package dev.ferry.models;
