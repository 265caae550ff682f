package dev.ferry.trainer.finetune;

import dev.ferry.autodiff.OnnxImport;
import dev.ferry.models.graph.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The encoder parameters a fine-tuning run ends with: the trained weights themselves, or (LoRA) the
 * frozen weights with their adapters merged in, {@code W' = W + alpha / rank · A · B}, so that the
 * exported encoder has exactly the original operators.
 */
final class AdapterMerge {
  private AdapterMerge() {}

  /**
   * The tuned encoder parameters from the kept values {@code best}; LoRA adapters are also put into
   * {@code adapters}.
   */
  static Map<String, HostTensor> tunedParameters(
      FineTuneGraphs.Spec spec,
      OnnxImport model,
      Map<String, HostTensor> best,
      Map<String, HostTensor> adapters) {
    Map<String, HostTensor> tuned = new LinkedHashMap<>();
    if (spec.lora()) {
      for (String w : spec.adaptedWeights(spec.unfreeze())) {
        HostTensor a = best.get(FineTuneGraphs.adapterA(w));
        HostTensor b = best.get(FineTuneGraphs.adapterB(w));
        adapters.put(FineTuneGraphs.adapterA(w), a);
        adapters.put(FineTuneGraphs.adapterB(w), b);
        tuned.put(w, merge(model.parameter(w), a, b, spec.scale()));
      }
    } else {
      for (String name : spec.encoderParameters()) {
        tuned.put(name, best.get(name));
      }
    }
    return tuned;
  }

  /** W + scale · A · B, summed in double and rounded once. */
  static HostTensor merge(HostTensor w, HostTensor a, HostTensor b, double scale) {
    int in = (int) w.shape()[0];
    int out = (int) w.shape()[1];
    int rank = (int) a.shape()[1];
    float[] wv = w.floats();
    float[] av = a.floats();
    float[] bv = b.floats();
    float[] merged = new float[wv.length];
    for (int i = 0; i < in; i++) {
      for (int j = 0; j < out; j++) {
        double sum = 0;
        for (int k = 0; k < rank; k++) {
          sum += (double) av[i * rank + k] * bv[k * out + j];
        }
        merged[i * out + j] = (float) (wv[i * out + j] + scale * sum);
      }
    }
    return HostTensor.of(merged, w.shape());
  }
}
