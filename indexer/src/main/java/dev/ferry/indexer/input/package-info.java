/**
 * Where documents come from: JSONL files and folders of text files, one record at a time with its
 * position, origin and a fingerprint of what was read, for resuming.
 */
package dev.ferry.indexer.input;
