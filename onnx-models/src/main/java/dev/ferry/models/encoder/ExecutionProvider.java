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

  /**
   * Sets {@code options} up to run on this provider and returns the provider that will really run:
   * {@link #CUDA} only when this ONNX Runtime build has it and it starts, otherwise {@link #CPU},
   * with a warning saying why (once per process and reason). The encoder and the training graphs
   * ({@code GraphSession}) both choose their device this way.
   */
  public ExecutionProvider install(ai.onnxruntime.OrtSession.SessionOptions options) {
    return ExecutionProviders.configure(
        options, this, ai.onnxruntime.OrtEnvironment.getAvailableProviders(), o -> o.addCUDA(0));
  }

  /** The spelling used on the command line: {@code cpu} or {@code cuda}. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
