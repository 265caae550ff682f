package dev.ferry.trainer.cache;

import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import java.util.HashMap;
import java.util.Map;

/**
 * Built-in encoders opened once per test JVM (loading takes a second or two; encoders are
 * thread-safe), closed by a shutdown hook.
 */
final class TestEncoders {
  private static final Map<String, Encoder> OPEN = new HashMap<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  synchronized (OPEN) {
                    OPEN.values().forEach(Encoder::close);
                  }
                }));
  }

  private TestEncoders() {}

  /** all-minilm-l6-v2 with default options. */
  static Encoder minilm() {
    return get("default", EncoderOptions.defaults());
  }

  /** all-minilm-l6-v2 truncating at 128 tokens instead of 256. */
  static Encoder minilmMax128() {
    return get("max128", EncoderOptions.defaults().withMaxLength(128));
  }

  private static Encoder get(String name, EncoderOptions options) {
    synchronized (OPEN) {
      return OPEN.computeIfAbsent(name, n -> Encoder.open("all-minilm-l6-v2", options));
    }
  }
}
