package dev.ferry.models;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.WString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one {@link OrtEnvironment} of the process, created with ONNX Runtime's telemetry off. Every
 * part of Ferry that runs ONNX Runtime (encoders, classifier heads, training graphs, the OpenSearch
 * plugin) takes its environment from {@link #environment()}, never from {@code
 * OrtEnvironment.getEnvironment()} directly.
 *
 * <p><b>Why.</b> ONNX Runtime 1.29 on Linux starts a telemetry client when its environment is
 * created: it resolves {@code mobile.events.data.microsoft.com}, keeps an event store (graph names,
 * OS, a device id) under {@code ~/.cache/Microsoft/DeveloperTools/.onnxruntime}, opens {@code
 * $TMPDIR/mat-debug-PID.log} with {@code O_TRUNC} and without {@code O_NOFOLLOW} (a symlink planted
 * there by another user gets its target truncated), and scans the process's command line with a
 * recursive regular expression that overflows the native stack on a 30 KB argument (the JVM dies
 * with SIGSEGV). The Java switch ({@code OrtEnvironment.setTelemetry}) only acts after creation,
 * too late for all of that. What stops it is the environment variable {@value
 * #TELEMETRY_SWITCH}{@code =1}, read when the environment is created. A Java program cannot set its
 * own environment, so this class sets it in the C library's environment through JNA ({@code
 * setenv}) before creating the environment, then also calls the Java switch.
 *
 * <p>If the variable cannot be set (no JNA native support on the platform) the environment is still
 * created, with a warning that says to set {@value #TELEMETRY_SWITCH}{@code =1} before the JVM
 * starts (the {@code ferry} launcher always does).
 */
public final class OnnxRuntimeSetup {
  /** The environment variable that keeps ONNX Runtime from starting its telemetry client. */
  public static final String TELEMETRY_SWITCH = "ORT_DISABLE_TELEMETRY";

  private static final Logger LOG = LoggerFactory.getLogger(OnnxRuntimeSetup.class);

  private OnnxRuntimeSetup() {}

  /**
   * The process's ONNX Runtime environment, with telemetry off.
   *
   * <p>Call this before any other use of ONNX Runtime: an environment that another library created
   * first keeps whatever telemetry it started with.
   */
  public static OrtEnvironment environment() {
    return Holder.ENVIRONMENT;
  }

  /** Lazy, thread-safe creation on first use. */
  private static final class Holder {
    static final OrtEnvironment ENVIRONMENT = create();
  }

  private static OrtEnvironment create() {
    String failure = switchTelemetryOff();
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try {
      environment.setTelemetry(false);
    } catch (OrtException e) {
      failure = failure == null ? "setTelemetry(false) failed: " + e.getMessage() : failure;
    }
    if (failure != null) {
      LOG.warn(
          "ONNX Runtime's telemetry may be on: {}. Set {}=1 in the environment before starting the JVM.",
          failure,
          TELEMETRY_SWITCH);
    }
    return environment;
  }

  /** Sets {@value #TELEMETRY_SWITCH}=1 in the native environment; null when done, else why not. */
  static String switchTelemetryOff() {
    if ("1".equals(System.getenv(TELEMETRY_SWITCH))) {
      return null;
    }
    if (System.getProperty("jna.tmpdir") == null) {
      // JNA unpacks its native stub once; keep it in Ferry's cache, not in ~/.cache/JNA.
      System.setProperty("jna.tmpdir", FerryCache.root().resolve("jna").toString());
    }
    try {
      boolean done;
      if (Platform.isWindows()) {
        done =
            Native.load("kernel32", Kernel32.class)
                .SetEnvironmentVariableW(new WString(TELEMETRY_SWITCH), new WString("1"));
      } else {
        done =
            Native.load(Platform.C_LIBRARY_NAME, CLibrary.class).setenv(TELEMETRY_SWITCH, "1", 1)
                == 0;
      }
      return done ? null : "setting " + TELEMETRY_SWITCH + " in the process failed";
    } catch (LinkageError | RuntimeException e) {
      return "cannot call the C library through JNA (" + e + ")";
    }
  }

  /** The POSIX C library's {@code setenv}. */
  interface CLibrary extends Library {
    int setenv(String name, String value, int overwrite);
  }

  /** Windows' own {@code SetEnvironmentVariableW}, which ONNX Runtime's reader sees there. */
  interface Kernel32 extends Library {
    boolean SetEnvironmentVariableW(WString name, WString value);
  }
}
