package dev.ferry.trainer.finetune;

import dev.ferry.models.FileHashes;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderDescriptor;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a fine-tuned encoder as a bundle carries it: the tuned graph as {@code encoder.onnx}, the
 * base encoder's {@code tokenizer.json}, and a descriptor with the base's conventions, the id
 * {@code BASE+SUFFIX}, source {@value #SOURCE} and the tuned file's SHA-256.
 */
public final class TunedEncoderWriter {
  /** The descriptor source of a tuned encoder. */
  public static final String SOURCE = "fine-tuned";

  private TunedEncoderWriter() {}

  /**
   * A tuned encoder written to a folder.
   *
   * @param model its {@code encoder.onnx}
   * @param tokenizer its {@code tokenizer.json}
   * @param descriptor its conventions, id and hash
   */
  public record TunedEncoder(Path model, Path tokenizer, EncoderDescriptor descriptor) {
    /** Opens it, as {@code ModelBundle.openEncoder} would. */
    public Encoder open(EncoderOptions options) {
      return Encoder.open(model, tokenizer, descriptor, options);
    }
  }

  /**
   * Writes {@code result}'s encoder into {@code folder} (which must exist).
   *
   * @param idSuffix what follows {@code +} in the id: the training mode ({@code finetune}, {@code
   *     lora})
   */
  public static TunedEncoder write(
      Encoder base, FineTuneResult result, String idSuffix, Path folder) throws IOException {
    Path model = Files.write(folder.resolve(ModelBundle.ENCODER_FILE), result.encoderOnnx());
    Path tokenizer = Files.copy(base.tokenizerFile(), folder.resolve(ModelBundle.TOKENIZER_FILE));
    EncoderDescriptor b = base.descriptor();
    EncoderDescriptor tuned =
        new EncoderDescriptor(
            b.id() + "+" + idSuffix,
            SOURCE,
            FileHashes.sha256(model),
            b.pooling(),
            b.normalize(),
            b.maxLength(),
            b.dimension(),
            b.queryPrefix(),
            b.documentPrefix());
    return new TunedEncoder(model, tokenizer, tuned);
  }
}
