package dev.ferry.models.encoder;

/** Where ONNX Runtime executes the model. */
public enum ExecutionProvider {
  /** The CPU; always available. */
  CPU,
  /**
   * An NVIDIA GPU through CUDA. Needs the {@code onnxruntime_gpu} jar and CUDA libraries; when
   * either is missing the encoder falls back to {@link #CPU} and logs one line saying why.
   */
  CUDA;

  /** The spelling used on the command line: {@code cpu} or {@code cuda}. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
