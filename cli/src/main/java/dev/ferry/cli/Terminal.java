package dev.ferry.cli;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether a person is watching: progress is drawn only then, never into pipes or files. */
public final class Terminal {
  private Terminal() {}

  /**
   * True when stderr is a terminal. The launcher states it ({@code -Dferry.interactive}), as a
   * shell knows it for certain; otherwise the JVM's console is asked.
   */
  public static boolean isInteractive() {
    String stated = System.getProperty("ferry.interactive");
    if (stated != null) {
      return Boolean.parseBoolean(stated);
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
}
