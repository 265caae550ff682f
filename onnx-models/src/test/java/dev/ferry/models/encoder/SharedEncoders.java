package dev.ferry.models.encoder;

import java.util.EnumMap;
import java.util.Map;

/**
 * Built-in encoders opened once per test JVM: loading a model takes a second or two, and the
 * encoder is thread-safe, so test classes share them. Closed by a shutdown hook.
 */
final class SharedEncoders {
  private static final Map<BuiltinEncoder, Encoder> OPEN = new EnumMap<>(BuiltinEncoder.class);

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

  private SharedEncoders() {}

  static Encoder get(BuiltinEncoder builtin) {
    synchronized (OPEN) {
      return OPEN.computeIfAbsent(builtin, b -> Encoder.open(b, EncoderOptions.defaults()));
    }
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  static double norm(float[] a) {
    double s = 0;
    for (float x : a) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }
}
