package dev.ferry.trainer;

/**
 * What training changes: only a head on frozen embeddings, the encoder's top layers too, adapters
 * on them, or the encoder first by a contrastive loss and then a head on its vectors.
 */
public enum TrainingMode implements NamedChoice {
  /**
   * Feature extraction: the encoder stays frozen; every text is embedded once and a head trains on
   * the vectors.
   */
  FEATURES,
  /**
   * Fine-tuning: the encoder's top {@code unfreeze} layers train together with a linear head, then
   * the bundle's head is fitted on the tuned encoder's vectors as feature extraction fits one; the
   * bundle carries its own tuned {@code encoder.onnx}.
   */
  FINETUNE,
  /**
   * Low-rank adapters: the encoder's weights stay frozen while adapters on the attention's query,
   * key and value projections of the top {@code unfreeze} layers train with a linear head; the
   * adapters are merged into the weights, so the bundle's {@code encoder.onnx} has the original
   * operators, and the bundle's head is fitted on its vectors as in {@link #FINETUNE}.
   */
  LORA,
  /**
   * Contrastive fine-tuning (after SetFit): the encoder learns to put texts of one label together
   * and texts of different labels apart, then a head is fitted on the tuned encoder's vectors as
   * feature extraction fits one; the bundle carries the tuned {@code encoder.onnx}.
   */
  CONTRASTIVE;

  /** The mode named {@code id}; the error lists the names. */
  public static TrainingMode fromId(String id) {
    return NamedChoice.fromId(TrainingMode.class, "training mode", id);
  }
}
