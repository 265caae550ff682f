package dev.ferry.cli;

/**
 * Takes stderr back from the launcher's start-up filter.
 *
 * <p>The JVM prints {@code WARNING: Using incubator modules: jdk.incubator.vector} on stderr while
 * it starts, before any of Ferry's code runs, whenever {@code --add-modules jdk.incubator.vector}
 * is given ({@code jdk.internal.module.ModuleBootstrap.checkIncubatingStatus} prints it, and no JVM
 * option turns it off). The launcher gives that flag, because Lucene's vector search and HNSW
 * builds run on the Panama Vector API with it (8x faster index builds measured). So the launcher
 * starts the JVM with stderr on a pipe through a filter that drops exactly that line, keeps the
 * real stderr open as another descriptor, and names it in {@code -Dferry.stderr.fd}. Here, first
 * thing in {@code main}, that descriptor is moved back onto descriptor 2 ({@code dup2}): the filter
 * sees the end of its input and exits, and from then on stderr is the terminal (or file) itself, so
 * progress bars are drawn at once, the terminal is detected as usual, and nothing waits on a second
 * process when the command ends. Without the property (tests, the runnable jar, the Java API)
 * nothing happens.
 */
final class StderrHandoff {
  /** The system property naming the descriptor that holds the real stderr. */
  static final String PROPERTY = "ferry.stderr.fd";

  private static boolean done;

  private StderrHandoff() {}

  /** Moves the descriptor {@link #PROPERTY} names onto stderr, once. */
  static synchronized void complete() {
    String fd = System.getProperty(PROPERTY);
    if (done || fd == null) {
      return;
    }
    done = true;
    System.err.flush();
    try {
      NativeStdio.moveDescriptor(Integer.parseInt(fd.strip()), 2);
    } catch (NumberFormatException e) {
      // Not a descriptor: stderr stays on the filter, which passes everything else through.
    }
  }
}
