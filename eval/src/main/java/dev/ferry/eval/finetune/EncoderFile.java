package dev.ferry.eval.finetune;

import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import java.util.Map;

/**
 * Prints the path of an encoder's {@code model.onnx} ({@code --encoder NAME}, a built-in extracted
 * into the cache on first use), so that the PyTorch reference loads the very weights Ferry tunes.
 */
public final class EncoderFile {
  private EncoderFile() {}

  public static void main(String[] args) {
    Map<String, String> o = FineTuneAccuracy.options(args);
    try (Encoder encoder =
        Encoder.open(o.getOrDefault("encoder", "all-minilm-l6-v2"), EncoderOptions.defaults())) {
      System.out.println(encoder.modelFile().toAbsolutePath());
    }
  }
}
