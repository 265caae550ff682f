package dev.ferry.trainer.finetune;

import dev.ferry.models.encoder.ExecutionProvider;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import dev.ferry.trainer.head.HeadTrainer;
import dev.ferry.trainer.head.LabeledVectors;
import dev.ferry.trainer.head.LinearWeights;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link HeadStart#PROBE} (LP-FT): the head starts from a linear head fitted on what it reads
 * before any step, the untrained encoder's vector of each training unit, fitted as feature
 * extraction fits its linear head (the same class balancing and seed), so that the first steps
 * refine features a fitting head already reads instead of pushing them towards a random one.
 */
final class LinearProbe {
  private static final Logger log = LoggerFactory.getLogger(LinearProbe.class);

  private LinearProbe() {}

  /** Replaces the head in {@code values} by the probe fitted on {@code train}. */
  static void startHead(
      FineTuneGraphs.Spec spec,
      Map<String, HostTensor> values,
      Scoring.Prepared train,
      FineTuneSettings s,
      ExecutionProvider device) {
    long t0 = System.nanoTime();
    float[][] vectors;
    try (GraphSession evaluate = new GraphSession(FineTuneGraphs.evaluation(spec), 1, device)) {
      vectors =
          Scoring.run(
              evaluate,
              spec,
              FineTuneState.parameters(spec, values),
              train,
              FineTuneGraphs.EMBEDDING,
              spec.headWidth());
    }
    LinearWeights probe =
        HeadTrainer.fitLinear(
            new LabeledVectors(vectors, train.units().labels()),
            spec.classes(),
            HeadSettings.defaults(HeadKind.LINEAR)
                .withSeed(s.seed())
                .withBalanceClasses(s.balanceClasses()));
    values.put(FineTuneGraphs.HEAD_WEIGHT, HostTensor.of(probe.weight(), spec.headWeightShape()));
    values.put(FineTuneGraphs.HEAD_BIAS, HostTensor.of(probe.bias(), spec.classes()));
    log.info(
        "Head starts from a linear probe on the untrained encoder ({} {}, {} s)",
        train.units().size(),
        train.units().documents() ? "documents" : "examples",
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
  }
}
