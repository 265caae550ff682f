package dev.ferry.trainer.finetune;

import java.nio.file.Path;

/**
 * Where fine-tuning saves its state after each epoch ({@link Checkpoint}), and whether to continue
 * from the last one saved.
 *
 * @param directory the checkpoint folder, or null for none
 * @param resume continue from the last checkpoint in {@code directory} (made with the same settings
 *     and data, else an error says what differs); start afresh when there is none
 */
public record Checkpoints(Path directory, boolean resume) {
  /** No checkpoints. */
  public static final Checkpoints NONE = new Checkpoints(null, false);
}
