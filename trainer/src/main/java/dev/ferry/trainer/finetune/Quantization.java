package dev.ferry.trainer.finetune;

import dev.ferry.trainer.NamedChoice;

/** How a tuned encoder is written into its bundle. */
public enum Quantization implements NamedChoice {
  /** As trained, in float32. */
  NONE,
  /**
   * Dynamically quantized to int8, as ONNX Runtime's own dynamic quantization writes the built-in
   * {@code -q} encoders: weights of every MatMul int8 per output column, activations quantized at
   * run time ({@code dev.ferry.autodiff.DynamicQuantization}).
   */
  INT8;

  /** The choice named {@code id}; the error lists the names. */
  public static Quantization fromId(String id) {
    return NamedChoice.fromId(Quantization.class, "quantization", id);
  }
}
