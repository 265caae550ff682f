package dev.ferry.trainer.selection;

import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Measures an encoder's speed on the user's own texts: a few of them, spread over the data, read
 * whole and chunked as training reads them, after one text to warm the session up.
 */
final class SpeedProbe {
  private SpeedProbe() {}

  /** Up to {@code n} distinct texts, evenly spaced over {@code texts}. */
  static List<String> sample(List<String> texts, int n) {
    List<String> distinct = new ArrayList<>(new LinkedHashSet<>(texts));
    if (distinct.size() <= n) {
      return distinct;
    }
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(distinct.get((int) ((long) i * distinct.size() / n)));
    }
    return out;
  }

  /** Documents per second on {@code sample}. */
  static double textsPerSecond(Encoder encoder, List<String> sample, Chunking chunking) {
    encoder.embedDocuments(sample.subList(0, 1), chunking);
    long start = System.nanoTime();
    encoder.embedDocuments(sample, chunking);
    double seconds = Math.max(1e-6, (System.nanoTime() - start) / 1e9);
    return sample.size() / seconds;
  }
}
