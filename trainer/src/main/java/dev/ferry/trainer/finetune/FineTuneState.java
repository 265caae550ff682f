package dev.ferry.trainer.finetune;

import dev.ferry.autodiff.OnnxImport;
import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.HostTensor;
import dev.ferry.trainer.EpochMetrics;
import dev.ferry.trainer.loop.EarlyStopping;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What changes from epoch to epoch, and what a {@link Checkpoint} holds: the parameters and AdamW
 * moments, the steps and epochs done, the losses and curves so far, and the kept epoch.
 */
final class FineTuneState {
  int epoch;
  int step;
  Map<String, HostTensor> values;
  final EarlyStopping stopping;
  final List<Double> stepLosses = new ArrayList<>();
  final List<EpochMetrics> history = new ArrayList<>();

  private FineTuneState(Map<String, HostTensor> values, EarlyStopping stopping) {
    this.values = values;
    this.stopping = stopping;
  }

  /**
   * A fresh start: pretrained values for the encoder (LoRA: adapters with A uniform in ±1/√in and B
   * zero, so the model starts as the pretrained one), Xavier-uniform head weights and zero bias
   * (with a head). No moments: the steps start them at zero in native memory ({@link
   * TrainingSteps#open}).
   */
  static FineTuneState start(FineTuneGraphs.Spec spec, OnnxImport model, long seed, int patience) {
    return new FineTuneState(
        initialValues(spec, model, new Random(seed)), new EarlyStopping(patience));
  }

  /** Where {@code c} left off. */
  static FineTuneState resume(Checkpoint c, int patience) {
    FineTuneState s =
        new FineTuneState(
            new LinkedHashMap<>(c.state()),
            new EarlyStopping(
                patience,
                c.bestEpoch(),
                c.bestF1(),
                c.bestLoss(),
                c.best().isEmpty() ? null : new LinkedHashMap<>(c.best())));
    s.epoch = c.epoch();
    s.step = c.step();
    s.stepLosses.addAll(c.stepLosses());
    s.history.addAll(c.history());
    return s;
  }

  /** The checkpoint of this state. */
  Checkpoint checkpoint(String fingerprint, boolean stopped) {
    Map<String, HostTensor> best = stopping.best();
    return new Checkpoint(
        fingerprint,
        epoch,
        step,
        stopped,
        stopping.bestEpoch(),
        stopping.bestF1(),
        stopping.bestLoss(),
        List.copyOf(stepLosses),
        List.copyOf(history),
        values,
        best == null ? Map.of() : best);
  }

  /** The parameters (no moments) above the cut (or their adapters) and the head's. */
  Map<String, HostTensor> parameters(FineTuneGraphs.Spec spec) {
    return parameters(spec, values);
  }

  /** The kept epoch's parameters, or the current ones if no epoch was kept. */
  Map<String, HostTensor> kept(FineTuneGraphs.Spec spec) {
    return stopping.best() != null ? stopping.best() : parameters(spec);
  }

  static Map<String, HostTensor> parameters(
      FineTuneGraphs.Spec spec, Map<String, HostTensor> values) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (String name : spec.stateParameters()) {
      out.put(name, values.get(name));
    }
    if (spec.classifier()) {
      out.put(FineTuneGraphs.HEAD_WEIGHT, values.get(FineTuneGraphs.HEAD_WEIGHT));
      out.put(FineTuneGraphs.HEAD_BIAS, values.get(FineTuneGraphs.HEAD_BIAS));
    }
    return out;
  }

  static Map<String, HostTensor> initialValues(
      FineTuneGraphs.Spec spec, OnnxImport model, Random random) {
    Map<String, HostTensor> state = new LinkedHashMap<>();
    if (spec.lora()) {
      for (String w : spec.adaptedWeights(spec.unfreeze())) {
        long[] shape = model.shape(w);
        float[] a = new float[(int) shape[0] * spec.rank()];
        double limit = 1 / Math.sqrt(shape[0]);
        for (int i = 0; i < a.length; i++) {
          a[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
        }
        state.put(FineTuneGraphs.adapterA(w), HostTensor.of(a, shape[0], spec.rank()));
        state.put(
            FineTuneGraphs.adapterB(w), HostTensor.zeros(ElementType.FLOAT, spec.rank(), shape[1]));
      }
    } else {
      for (String p : spec.encoderParameters()) {
        state.put(p, model.parameter(p));
      }
    }
    if (spec.classifier()) {
      long[] shape = spec.headWeightShape();
      float[] w = new float[(int) (shape[0] * shape[1])];
      double limit = Math.sqrt(6.0 / (shape[0] + shape[1]));
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
      }
      state.put(FineTuneGraphs.HEAD_WEIGHT, HostTensor.of(w, shape));
      state.put(FineTuneGraphs.HEAD_BIAS, HostTensor.zeros(ElementType.FLOAT, spec.classes()));
    }
    return state;
  }
}
