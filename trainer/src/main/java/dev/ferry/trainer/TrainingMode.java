package dev.ferry.trainer;

/** What training changes: only a head on frozen embeddings, the encoder's top layers too, or adapters on them. */
public enum TrainingMode {
  /** Feature extraction: the encoder stays frozen; every text is embedded once and a head trains on the vectors. */
  FEATURES("features"),
  /**
   * Fine-tuning: the encoder's top {@code unfreeze} layers train together with a linear head, and
   * the bundle carries its own tuned {@code encoder.onnx}.
   */
  FINETUNE("finetune"),
  /**
   * Low-rank adapters: the encoder's weights stay frozen while adapters on the attention's query,
   * key and value projections of the top {@code unfreeze} layers train with a linear head; the
   * adapters are merged into the weights, so the bundle's {@code encoder.onnx} has the original
   * operators.
   */
  LORA("lora");

  private final String id;

  TrainingMode(String id) {
    this.id = id;
  }

  /** The name used on the command line ({@code --mode}) and in the manifest. */
  public String id() {
    return id;
  }

  /** The mode named {@code id}; the error lists the names. */
  public static TrainingMode fromId(String id) {
    for (TrainingMode m : values()) {
      if (m.id.equals(id)) {
        return m;
      }
    }
    StringBuilder ids = new StringBuilder();
    for (TrainingMode m : values()) {
      ids.append(ids.isEmpty() ? "" : ", ").append(m.id);
    }
    throw new IllegalArgumentException("unknown training mode '" + id + "', expected one of " + ids);
  }
}
