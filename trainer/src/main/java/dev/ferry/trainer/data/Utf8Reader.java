package dev.ferry.trainer.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes UTF-8 without ever failing: a leading byte-order mark is dropped, each invalid byte
 * sequence becomes U+FFFD and is remembered by character offset (so the CSV row holding it can be
 * marked bad), and a stream that fails part way (a truncated gzip file) ends the input, with the
 * failure remembered for the caller to report.
 */
final class Utf8Reader extends Reader {
  /** An invalid byte sequence: where it landed in the decoded text, its line, its first byte. */
  record Malformed(long charOffset, int line, int firstByte) {}

  private final InputStream in;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16).flip();
  private final List<Malformed> malformed = new ArrayList<>();
  private boolean started;
  private boolean eof;
  private boolean flushed;
  private long charsOut;
  private int line = 1;
  private IOException failure;

  Utf8Reader(InputStream in) {
    this.in = in;
  }

  /** Invalid sequences so far, by increasing offset. */
  List<Malformed> malformed() {
    return malformed;
  }

  /** The first invalid sequence at or after {@code from} and before {@code to}, or null. */
  Malformed malformedIn(long from, long to) {
    int lo = 0;
    int hi = malformed.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (malformed.get(mid).charOffset() < from) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo < malformed.size() && malformed.get(lo).charOffset() < to ? malformed.get(lo) : null;
  }

  /** Why the stream stopped early, or null if it was read to its end. */
  IOException failure() {
    return failure;
  }

  @Override
  public int read(char[] cbuf, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!started) {
      started = true;
      while (bytes.remaining() < 3 && !eof) {
        fill();
      }
      if (bytes.remaining() >= 3
          && (bytes.get(0) & 0xff) == 0xEF
          && (bytes.get(1) & 0xff) == 0xBB
          && (bytes.get(2) & 0xff) == 0xBF) {
        bytes.position(3);
      }
    }
    CharBuffer out = CharBuffer.wrap(cbuf, off, len);
    int scanned = off;
    while (true) {
      CoderResult result = decoder.decode(bytes, out, eof);
      if (result.isError()) {
        if (!out.hasRemaining()) {
          break;
        }
        scanned = countLines(cbuf, scanned, out.position());
        malformed.add(
            new Malformed(
                charsOut + out.position() - off, line, bytes.get(bytes.position()) & 0xff));
        bytes.position(bytes.position() + result.length());
        out.put('\uFFFD');
        continue;
      }
      if (result.isOverflow() || out.position() > off) {
        break;
      }
      if (eof) {
        if (!flushed) {
          flushed = true;
          decoder.flush(out);
        }
        break;
      }
      fill();
    }
    countLines(cbuf, scanned, out.position());
    int n = out.position() - off;
    if (n == 0) {
      return -1;
    }
    charsOut += n;
    return n;
  }

  private int countLines(char[] cbuf, int from, int to) {
    for (int i = from; i < to; i++) {
      if (cbuf[i] == '\n') {
        line++;
      }
    }
    return to;
  }

  private void fill() {
    bytes.compact();
    try {
      int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
      if (n < 0) {
        eof = true;
      } else {
        bytes.position(bytes.position() + n);
      }
    } catch (IOException e) {
      failure = e;
      eof = true;
    } finally {
      bytes.flip();
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
