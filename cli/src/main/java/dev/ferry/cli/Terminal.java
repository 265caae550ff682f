package dev.ferry.cli;

import java.io.Console;
import java.lang.reflect.Method;

/**
 * Whether a person is watching: progress is drawn only then, never into pipes or files; and whether
 * stdin is a keyboard (then no texts are read from it).
 */
public final class Terminal {
  private Terminal() {}

  /**
   * True when stderr is a terminal. The launcher states it ({@code -Dferry.interactive}), as a
   * shell knows it for certain; otherwise (the runnable jar) the C library is asked ({@code
   * isatty(2)}: stdout may be a file while stderr shows progress), and where it cannot be, the
   * JVM's console.
   */
  public static boolean isInteractive() {
    String stated = System.getProperty("ferry.interactive");
    if (stated != null) {
      return Boolean.parseBoolean(stated);
    }
    if (NativeStdio.available()) {
      return NativeStdio.isatty(2);
    }
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal"); // Java 22+
      return (Boolean) isTerminal.invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // Java 21: a console exists only for a terminal
    }
  }

  /**
   * True when stdin is a terminal: the launcher states it ({@code -Dferry.stdin.terminal});
   * otherwise the C library is asked ({@code isatty(0)}), and a JVM that cannot ask takes stdin for
   * a pipe.
   */
  static boolean stdinIsTerminal() {
    String stated = System.getProperty("ferry.stdin.terminal");
    if (stated != null) {
      return Boolean.parseBoolean(stated);
    }
    return NativeStdio.isatty(0);
  }
}
