package dev.ferry.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress display on stderr, redrawn at most four times a second, shown only on a
 * terminal. Thread-safe.
 */
final class Progress implements AutoCloseable {
  private static final long REDRAW_NANOS = 250_000_000L;
  private final PrintStream err;
  private final boolean enabled;
  private final String what;
  private final long total;
  private final long start = System.nanoTime();
  private long done;
  private long lastDraw;
  private int lastWidth;

  /** A display for {@code what} (a plural noun), out of {@code total}, or -1 when unknown. */
  Progress(String what, long total) {
    this(System.err, Terminal.isInteractive(), what, total);
  }

  Progress(PrintStream err, boolean enabled, String what, long total) {
    this.err = err;
    this.enabled = enabled;
    this.what = what;
    this.total = total;
  }

  synchronized void advance(long count) {
    done += count;
    long now = System.nanoTime();
    if (enabled && now - lastDraw >= REDRAW_NANOS) {
      lastDraw = now;
      draw(now);
    }
  }

  /** Sets the count to {@code count} (for callbacks that report totals, not increments). */
  synchronized void moveTo(long count) {
    advance(count - done);
  }

  synchronized long done() {
    return done;
  }

  /** Seconds since the display was created. */
  double elapsedSeconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  private void draw(long now) {
    double seconds = Math.max((now - start) / 1e9, 1e-9);
    double rate = done / seconds;
    String line =
        total > 0
            ? String.format(
                Locale.ROOT,
                "%s %,d/%,d (%.0f%%), %.1f/s, %s left",
                what,
                done,
                total,
                100.0 * done / total,
                rate,
                duration(rate > 0 ? (total - done) / rate : 0))
            : String.format(Locale.ROOT, "%s %,d, %.1f/s", what, done, rate);
    err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
    err.flush();
    lastWidth = line.length();
  }

  private static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
  }

  /** Clears the line, so that what is printed next starts clean. */
  @Override
  public synchronized void close() {
    if (enabled && lastWidth > 0) {
      err.print("\r" + " ".repeat(lastWidth) + "\r");
      err.flush();
    }
  }
}
