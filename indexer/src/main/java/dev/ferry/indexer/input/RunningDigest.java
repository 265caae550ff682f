package dev.ferry.indexer.input;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 and length of what a source has read, taken as it reads (no second pass), with the
 * state at the end of the last whole record kept apart, so that what is read past it (the blank
 * lines before the end of a file) is not part of the {@link InputFingerprint}.
 */
final class RunningDigest {
  private final MessageDigest digest = sha256();
  private final byte[] pending = new byte[8192];
  private int pendingLength;
  private long bytes;
  private long records;
  private MessageDigest atRecord = sha256();
  private long bytesAtRecord;

  /** Adds one byte read. */
  void update(byte b) {
    if (pendingLength == pending.length) {
      flush();
    }
    pending[pendingLength++] = b;
    bytes++;
  }

  /** Adds bytes read. */
  void update(byte[] b, int offset, int length) {
    flush();
    digest.update(b, offset, length);
    bytes += length;
  }

  /**
   * Adds {@code entry} to the digest but counts {@code standsFor} bytes: for a record known by a
   * description of it (a file by its name and size) rather than by its bytes.
   */
  void updateEntry(byte[] entry, long standsFor) {
    flush();
    digest.update(entry);
    bytes += standsFor;
  }

  /** A record ends here: the fingerprint is now as of this point. */
  void endRecord() {
    flush();
    atRecord = copy(digest);
    bytesAtRecord = bytes;
    records++;
  }

  /** As of the end of the last record. */
  InputFingerprint fingerprint() {
    return new InputFingerprint(
        records, bytesAtRecord, HexFormat.of().formatHex(copy(atRecord).digest()));
  }

  private static MessageDigest copy(MessageDigest d) {
    try {
      return (MessageDigest) d.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 cannot be cloned in this JVM", e);
    }
  }

  private void flush() {
    digest.update(pending, 0, pendingLength);
    pendingLength = 0;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
