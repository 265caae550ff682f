package dev.ferry.trainer.finetune;

import dev.ferry.autodiff.OnnxImport;
import java.util.HashMap;
import java.util.Map;

/**
 * Fine-tuning's learning rates: over the steps, a linear warm-up to the peak and a linear decay to
 * 0 (fed each step); across the parameters, constant factors baked into the step graph (the head's
 * {@code headRateFactor}, each layer {@code layerDecay} times the one above it).
 */
final class LearningRateSchedule {
  private final double peak;
  private final int warmup;
  private final int total;

  /** Over {@code total} steps, warming up over {@code warmupFraction} of them (rounded up). */
  LearningRateSchedule(double peak, double warmupFraction, int total) {
    this.peak = peak;
    this.warmup = (int) Math.ceil(total * warmupFraction);
    this.total = total;
  }

  /** The rate of {@code step} (1-based). */
  double at(int step) {
    return learningRate(peak, step, warmup, total);
  }

  /** Linear warm-up over {@code warmup} steps, then linear decay to 0 at {@code total}. */
  static double learningRate(double peak, int step, int warmup, int total) {
    if (step <= warmup) {
      return peak * step / Math.max(warmup, 1);
    }
    return peak * Math.max(0, total - step) / Math.max(total - warmup, 1);
  }

  /** Head: headRateFactor; layer l of L: layerDecay^(L-1-l); embeddings: layerDecay^L. */
  static Map<String, Double> rateScales(FineTuneGraphs.Spec spec, FineTuneSettings s) {
    OnnxImport model = spec.model();
    int layers = model.layerCount();
    Map<String, Double> scale = new HashMap<>();
    for (String p : spec.encoderParameters()) {
      scale.put(p, Math.pow(s.layerDecay(), layers));
    }
    for (int layer = layers - s.unfreeze(); layer < layers; layer++) {
      double factor = Math.pow(s.layerDecay(), layers - 1 - layer);
      for (String p : model.layerParameters(layer)) {
        scale.put(p, factor);
      }
      if (spec.lora()) {
        for (String kind : spec.adaptedProjections()) {
          String w = model.attentionWeights(layer).get(kind);
          scale.put(FineTuneGraphs.adapterA(w), factor);
          scale.put(FineTuneGraphs.adapterB(w), factor);
        }
      }
    }
    scale.put(FineTuneGraphs.HEAD_WEIGHT, s.headRateFactor());
    scale.put(FineTuneGraphs.HEAD_BIAS, s.headRateFactor());
    return scale;
  }
}
