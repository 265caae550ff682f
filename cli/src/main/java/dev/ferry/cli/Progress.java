package dev.ferry.cli;

import java.io.PrintStream;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr with done/total, rate and time left, drawn only on a terminal ({@link
 * Terminal#isInteractive()}) and cleared when closed, so that what is printed next starts on a
 * clean line. Drawn by me.tongfei:progressbar, which redraws it from its own thread (at most four
 * times a second) to the terminal's width. Without a known total it shows the count and the rate.
 * Thread-safe.
 */
final class Progress implements AutoCloseable {
  private static final int REDRAW_MILLIS = 250;

  /** Drawing units: plain counts, or bytes shown in kB or MB. */
  enum Unit {
    COUNT("", 1),
    KILOBYTES(" kB", 1_000),
    MEGABYTES(" MB", 1_000_000);

    final String name;
    final long size;

    Unit(String name, long size) {
      this.name = name;
      this.size = size;
    }

    /** kB for an input under 10 MB (or of unknown size), MB above. */
    static Unit bytes(long total) {
      return total >= 10_000_000 ? MEGABYTES : KILOBYTES;
    }
  }

  private final ProgressBar bar;
  private final ClearingConsumer consumer;
  private final long start = System.nanoTime();
  private long done;

  /** A bar for {@code what} (a plural noun), out of {@code total}, or -1 when unknown. */
  Progress(String what, long total) {
    this(what, total, Unit.COUNT);
  }

  /** A bar counting in {@code unit}. */
  Progress(String what, long total, Unit unit) {
    this(what, total, unit, 0);
  }

  /**
   * A bar that starts at {@code startAt} (a run resumed, or the next epoch's steps), whose rate and
   * time left count only what is done from here on.
   */
  Progress(String what, long total, Unit unit, long startAt) {
    this(System.err, Terminal.isInteractive(), what, total, unit, startAt);
  }

  Progress(PrintStream err, boolean enabled, String what, long total, Unit unit) {
    this(err, enabled, what, total, unit, 0);
  }

  Progress(PrintStream err, boolean enabled, String what, long total, Unit unit, long startAt) {
    this.done = Math.max(0, startAt);
    // A bar that would start finished (one report at the end) is not worth a flash.
    boolean draw = enabled && !(total > 0 && done >= total);
    this.consumer = draw ? new ClearingConsumer(err) : null;
    this.bar =
        draw
            ? new ProgressBarBuilder()
                .startsFrom(done, java.time.Duration.ZERO)
                .setTaskName(what)
                .setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(REDRAW_MILLIS)
                .setUnit(unit.name, unit.size)
                .showSpeed(new java.text.DecimalFormat("0.0"))
                .setSpeedUnit(ChronoUnit.SECONDS)
                .setConsumer(consumer)
                .clearDisplayOnFinish()
                .build()
            : null;
  }

  /**
   * Draws on one line and leaves it empty when the bar closes, with the cursor at its start: the
   * library's own consumer ends with a new line, which left an empty line after every bar.
   */
  private static final class ClearingConsumer extends ConsoleProgressBarConsumer {
    private final PrintStream err;

    ClearingConsumer(PrintStream err) {
      super(err);
      this.err = err;
    }

    @Override
    public void clear() {
      err.print("\r" + " ".repeat(Math.max(0, getMaxRenderedLength())) + "\r");
      err.flush();
    }

    @Override
    public void close() {
      err.flush();
    }
  }

  /** Adds {@code count} to what is done. */
  synchronized void advance(long count) {
    done += count;
    if (bar != null) {
      bar.stepTo(done);
    }
  }

  /** Sets the count to {@code count} (for callbacks that report totals, not increments). */
  synchronized void moveTo(long count) {
    advance(count - done);
  }

  /** Sets the total, when it becomes known (or changes) after the bar started. */
  synchronized void total(long total) {
    if (bar != null) {
      bar.maxHint(total);
    }
  }

  /** A note after the counts, such as the last epoch's validation score. */
  synchronized void message(String message) {
    if (bar != null) {
      bar.setExtraMessage(" " + message);
    }
  }

  synchronized long done() {
    return done;
  }

  /** Seconds since the bar was created. */
  double elapsedSeconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  /**
   * Clears the bar's line. The library clears it too, from its drawing thread; clearing once more
   * here, after that thread is done, leaves the line empty whatever the two did in between.
   */
  @Override
  public synchronized void close() {
    if (bar != null) {
      bar.close();
      consumer.clear();
    }
  }
}
