/**
 * The embedded Lucene index: {@link dev.ferry.indexer.FerryIndex} (the folder, its writer, metadata
 * and stats), {@link dev.ferry.indexer.Indexer} (the ingest pipeline), {@link
 * dev.ferry.indexer.Relabeler}, the field layout, options and results.
 */
package dev.ferry.indexer;
