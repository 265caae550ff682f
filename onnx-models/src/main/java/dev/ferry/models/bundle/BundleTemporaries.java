package dev.ferry.models.bundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folders a bundle write keeps beside its target {@code NAME} while it runs: {@code
 * .NAME.writing-PID-N} (the bundle being staged), {@code .NAME.old-PID-N} (the bundle being
 * replaced, for the moment between two renames) and those callers ask for by purpose (a fine-tuned
 * encoder's files, {@code .NAME.encoder-PID-N}). PID is the writing process's id.
 *
 * <p>A write removes its own when it ends, fails, or the JVM shuts down on a signal. What a killed
 * process left ({@code kill -9}, a crash) is removed by the next write to the same target: every
 * such folder whose process is not running, or that has no process id. Folders of a process still
 * running are left alone: it may be writing. A {@code .old} folder is the previous bundle; when the
 * target is missing, the interrupted write had moved it aside and died before putting the new one
 * in place, so it is moved back instead of deleted.
 */
final class BundleTemporaries {
  private static final Logger log = LoggerFactory.getLogger(BundleTemporaries.class);

  /** What the staging folder is called, after {@code .NAME.}. */
  static final String WRITING = "writing";

  /** What the replaced bundle is called while it is moved aside, after {@code .NAME.}. */
  static final String OLD = "old";

  /**
   * What a fine-tuned encoder's files are called while its bundle is written, after {@code .NAME.}.
   */
  static final String ENCODER = "encoder";

  /**
   * {@code purpose-PID-N}, or {@code purpose-N} as Ferry named them before; only Ferry's purposes.
   */
  private static final Pattern NAME =
      Pattern.compile("(" + WRITING + "|" + OLD + "|" + ENCODER + ")-(?:(\\d+)-)?\\d+");

  private BundleTemporaries() {}

  /**
   * Creates {@code .NAME.PURPOSE-PID-N} beside {@code target}, and the folder they are in if
   * needed.
   */
  static Path create(Path target, String purpose) throws IOException {
    Files.createDirectories(target.getParent());
    String prefix = prefix(target) + purpose + "-" + ProcessHandle.current().pid() + "-";
    return Files.createTempDirectory(target.getParent(), prefix);
  }

  /** A fresh name {@code .NAME.PURPOSE-PID-N} beside {@code target}, not created. */
  static Path reserve(Path target, String purpose) throws IOException {
    Path dir = create(target, purpose);
    Files.delete(dir);
    return dir;
  }

  /**
   * Removes the temporaries of {@code target} that no running process owns, after moving a bundle
   * that an interrupted write left aside back to the missing target.
   *
   * @return what was done, one line each (also logged as warnings)
   */
  static List<String> removeStale(Path target) throws IOException {
    List<String> done = new ArrayList<>();
    List<Path> stale = new ArrayList<>();
    Path parent = target.getParent();
    if (!Files.isDirectory(parent)) {
      return done;
    }
    String prefix = prefix(target);
    try (Stream<Path> siblings = Files.list(parent)) {
      for (Path p : siblings.sorted().toList()) {
        String name = p.getFileName().toString();
        Matcher m = name.startsWith(prefix) ? NAME.matcher(name.substring(prefix.length())) : null;
        if (m == null || !m.matches() || !Files.isDirectory(p)) {
          continue;
        }
        OptionalLong pid =
            m.group(2) == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(m.group(2)));
        if (pid.isPresent()
            && ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false)) {
          log.debug("{} belongs to running process {}; left alone", p, pid.getAsLong());
          continue;
        }
        if (m.group(1).equals(OLD) && !Files.exists(target)) {
          Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
          done.add(
              "moved "
                  + p
                  + " back to "
                  + target
                  + ": an interrupted write had moved that bundle aside");
        } else {
          stale.add(p);
        }
      }
    }
    for (Path p : stale) {
      deleteRecursively(p);
      done.add("removed " + p + ", left by an interrupted bundle write");
    }
    done.forEach(line -> log.warn("{}", line));
    return done;
  }

  /**
   * Deletes {@code dir} if the JVM shuts down (Ctrl-C, SIGTERM) before {@link Cleanup#close}: the
   * folder a write is filling would otherwise stay behind.
   */
  static Cleanup deleteOnShutdown(Path dir) {
    Thread hook = new Thread(() -> deleteOrWarn(dir), "ferry-bundle-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    return () -> {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or about to: it removes the folder.
      }
    };
  }

  /** Removes a shutdown deletion registered by {@link #deleteOnShutdown}. */
  @FunctionalInterface
  interface Cleanup extends AutoCloseable {
    @Override
    void close();
  }

  /** Deletes {@code dir} and everything in it; nothing when it does not exist. */
  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Deletes {@code dir}, or says why not: the bundle is in place, and the next write removes it.
   */
  static void deleteOrWarn(Path dir) {
    try {
      deleteRecursively(dir);
    } catch (IOException | UncheckedIOException e) {
      log.warn(
          "could not remove {} ({}); the next write to the bundle removes it", dir, e.toString());
    }
  }

  private static String prefix(Path target) {
    return "." + target.getFileName() + ".";
  }
}
