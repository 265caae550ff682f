package dev.ferry.models.encoder;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.Set;
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

  private ExecutionProviders() {}

  /**
   * Configures {@code options} for {@code requested} and returns the provider that will really
   * run. CUDA is used only when the ONNX Runtime build offers it and the provider installs.
   */
  static ExecutionProvider configure(OrtSession.SessionOptions options, ExecutionProvider requested,
      Set<OrtProvider> available, CudaInstaller cuda) {
    if (requested == ExecutionProvider.CPU) {
      return ExecutionProvider.CPU;
    }
    if (!available.contains(OrtProvider.CUDA)) {
      log.warn("CUDA requested, but this ONNX Runtime build has no CUDA provider (it offers {});"
          + " running on CPU. For GPUs, build with -Pgpu (onnxruntime_gpu) and CUDA 12 libraries.",
          available);
      return ExecutionProvider.CPU;
    }
    try {
      cuda.install(options);
      log.info("Running on CUDA device 0");
      return ExecutionProvider.CUDA;
    } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
      log.warn("CUDA requested, but the CUDA provider failed to start ({}); running on CPU.",
          e.getMessage());
      return ExecutionProvider.CPU;
    }
  }
}
