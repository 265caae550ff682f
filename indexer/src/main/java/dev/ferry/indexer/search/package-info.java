/**
 * Search of a Ferry index: keywords (BM25), meaning (kNN over chunk vectors) or both (reciprocal
 * rank fusion), filtered by label and confidence, with label counts.
 */
package dev.ferry.indexer.search;
