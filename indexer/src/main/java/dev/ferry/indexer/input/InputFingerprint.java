package dev.ferry.indexer.input;

import java.util.Locale;

/**
 * What an ingest has read of its input, as of its last record: how many records, how many bytes
 * they took, and the SHA-256 of those bytes. A resume compares the fingerprint its commit recorded
 * with that of the same records read again, so an input that changed before the committed position
 * is noticed; records added after it do not change it.
 *
 * <ul>
 *   <li>JSONL: the file's bytes (decompressed for {@code .gz}) up to the end of the last record's
 *       line
 *   <li>a folder: each file's path relative to the folder and its size (the bytes are the sizes'
 *       sum), in the order they are read
 *   <li>texts in memory: each id and text
 * </ul>
 *
 * @param records records read
 * @param bytes bytes those records took
 * @param sha256 SHA-256 of those bytes, lower-case hex
 */
public record InputFingerprint(long records, long bytes, String sha256) {
  /** Bytes and the first 12 hex digits of the SHA-256, for messages. */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "%,d bytes with SHA-256 %s",
        bytes,
        sha256.substring(0, Math.min(12, sha256.length())));
  }
}
