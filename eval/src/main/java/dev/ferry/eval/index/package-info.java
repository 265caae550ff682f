/**
 * The embedded index measured: ingest overhead over the model alone, relabel against ingest, and
 * HNSW recall against exact search.
 */
package dev.ferry.eval.index;
