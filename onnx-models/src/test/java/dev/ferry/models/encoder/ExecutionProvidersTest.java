package dev.ferry.models.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The CUDA selection logic, exercised on CPU through the installer seam. */
class ExecutionProvidersTest {
  @Test
  void cpuNeverTouchesCuda() throws OrtException {
    AtomicInteger calls = new AtomicInteger();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      assertThat(
              ExecutionProviders.configure(
                  options,
                  ExecutionProvider.CPU,
                  EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA),
                  o -> calls.incrementAndGet()))
          .isEqualTo(ExecutionProvider.CPU);
    }
    assertThat(calls).hasValue(0);
  }

  @Test
  void cudaMissingFromTheBuildFallsBackWithoutTrying() throws OrtException {
    AtomicInteger calls = new AtomicInteger();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      assertThat(
              ExecutionProviders.configure(
                  options,
                  ExecutionProvider.CUDA,
                  EnumSet.of(OrtProvider.CPU),
                  o -> calls.incrementAndGet()))
          .isEqualTo(ExecutionProvider.CPU);
    }
    assertThat(calls).hasValue(0);
  }

  @Test
  void cudaThatFailsToStartFallsBackToCpu() throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      assertThat(
              ExecutionProviders.configure(
                  options,
                  ExecutionProvider.CUDA,
                  EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA),
                  o -> {
                    throw new OrtException("libcudart.so.12: cannot open shared object file");
                  }))
          .isEqualTo(ExecutionProvider.CPU);
    }
  }

  @Test
  void cudaThatStartsIsUsed() throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      assertThat(
              ExecutionProviders.configure(
                  options,
                  ExecutionProvider.CUDA,
                  EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA),
                  o -> {}))
          .isEqualTo(ExecutionProvider.CUDA);
    }
  }

  @Test
  void aFallbackIsWarnedOncePerProcess() throws OrtException {
    String message =
        "CUDA requested, but the CUDA provider failed to start (test "
            + System.nanoTime()
            + "); running on CPU.";
    assertThat(ExecutionProviders.warnOnce(message)).isTrue();
    assertThat(ExecutionProviders.warnOnce(message)).isFalse();
    assertThat(ExecutionProviders.warnOnce(message + " Another reason.")).isTrue();
  }
}
