package dev.ferry.indexer.input;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A buffered stream that adds every byte it hands out to a {@link RunningDigest}. It is the buffer
 * itself (a {@link BufferedInputStream}, which {@link dev.ferry.models.data.JsonlReader} does not
 * wrap again), so what it digests is what the reader consumed, not what was read ahead.
 */
final class DigestingInputStream extends BufferedInputStream {
  private final RunningDigest digest;

  DigestingInputStream(InputStream in, RunningDigest digest) {
    super(in, 1 << 16);
    this.digest = digest;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      digest.update((byte) b);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int offset, int length) throws IOException {
    int n = super.read(b, offset, length);
    if (n > 0) {
      digest.update(b, offset, n);
    }
    return n;
  }

  /** Reads what it skips, so that the digest has it. */
  @Override
  public long skip(long n) throws IOException {
    byte[] scratch = new byte[8192];
    long skipped = 0;
    while (skipped < n) {
      int read = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
      if (read < 0) {
        break;
      }
      skipped += read;
    }
    return skipped;
  }

  /** Through {@link #read(byte[], int, int)}, so that the digest has it. */
  @Override
  public long transferTo(OutputStream out) throws IOException {
    byte[] buffer = new byte[8192];
    long total = 0;
    for (int n = read(buffer, 0, buffer.length); n >= 0; n = read(buffer, 0, buffer.length)) {
      out.write(buffer, 0, n);
      total += n;
    }
    return total;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public void mark(int readLimit) {}

  @Override
  public void reset() throws IOException {
    throw new IOException("mark and reset are not supported: every byte read is digested once");
  }
}
