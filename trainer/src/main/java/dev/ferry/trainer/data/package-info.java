/** Labeled data: reading JSONL, CSV and TSV strictly, summarizing it, and stratified splits. */
package dev.ferry.trainer.data;
