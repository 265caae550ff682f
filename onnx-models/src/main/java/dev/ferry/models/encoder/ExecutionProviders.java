package dev.ferry.models.encoder;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses the execution provider for a session, falling back to CPU with one clear log line. */
final class ExecutionProviders {
  private static final Logger log = LoggerFactory.getLogger(ExecutionProviders.class);

  /** Adds the CUDA provider to session options; a seam so the fallback is testable on CPU. */
  @FunctionalInterface
  interface CudaInstaller {
    void install(OrtSession.SessionOptions options) throws OrtException;
  }

  /** Fallback messages already logged at WARN in this process. */
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private ExecutionProviders() {}

  /**
   * Configures {@code options} for {@code requested} and returns the provider that will really run.
   * CUDA is used only when the ONNX Runtime build offers it and the provider installs.
   */
  static ExecutionProvider configure(
      OrtSession.SessionOptions options,
      ExecutionProvider requested,
      Set<OrtProvider> available,
      CudaInstaller cuda) {
    if (requested == ExecutionProvider.CPU) {
      return ExecutionProvider.CPU;
    }
    if (!available.contains(OrtProvider.CUDA)) {
      warnOnce(
          "CUDA requested, but this ONNX Runtime build has no CUDA provider (it offers "
              + available
              + "); running on CPU. For GPUs, run ./ferry with FERRY_GPU=1 or build with -Pgpu (onnxruntime_gpu),"
              + " and install the CUDA 12 libraries.");
      return ExecutionProvider.CPU;
    }
    try {
      cuda.install(options);
      log.info("Running on CUDA device 0");
      return ExecutionProvider.CUDA;
    } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
      warnOnce(
          "CUDA requested, but the CUDA provider failed to start ("
              + e.getMessage()
              + "); running on CPU.");
      return ExecutionProvider.CPU;
    }
  }

  /**
   * Logs a fallback at WARN the first time this process meets it and at DEBUG after that: a job
   * that opens several encoders (training, then its tuned encoder) says it once.
   *
   * @return whether it was logged at WARN
   */
  static boolean warnOnce(String message) {
    if (WARNED.add(message)) {
      log.warn(message);
      return true;
    }
    log.debug(message);
    return false;
  }
}
