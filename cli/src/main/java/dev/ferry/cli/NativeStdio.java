package dev.ferry.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The few C library calls on standard streams that Java has no API for, through JNA (which
 * onnx-models already carries): {@code isatty} and {@code dup2}. POSIX only; elsewhere every call
 * reports that it could not act.
 */
final class NativeStdio {
  private NativeStdio() {}

  /** The C library's calls used here. */
  interface C extends Library {
    int isatty(int fd);

    int dup2(int from, int to);

    int close(int fd);
  }

  private static final class Holder {
    static final C C = load();

    private static C load() {
      if (Platform.isWindows()) {
        return null;
      }
      try {
        return Native.load(Platform.C_LIBRARY_NAME, C.class);
      } catch (LinkageError | RuntimeException e) {
        return null;
      }
    }
  }

  /** Whether the C library could be reached. */
  static boolean available() {
    return Holder.C != null;
  }

  /** Whether {@code fd} is a terminal; false when that cannot be asked. */
  static boolean isatty(int fd) {
    C c = Holder.C;
    return c != null && c.isatty(fd) == 1;
  }

  /**
   * Makes {@code to} a copy of {@code from} and closes {@code from}, as {@code dup2} and {@code
   * close} do; false (and nothing changed) when that cannot be done.
   */
  static boolean moveDescriptor(int from, int to) {
    C c = Holder.C;
    if (c == null || c.dup2(from, to) < 0) {
      return false;
    }
    c.close(from);
    return true;
  }
}
