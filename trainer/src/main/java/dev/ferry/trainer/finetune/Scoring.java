package dev.ferry.trainer.finetune;

import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import dev.ferry.trainer.EpochMetrics;
import dev.ferry.trainer.loop.CrossEntropy;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Runs fine-tuning's evaluation graph over prepared examples, a few units at a time: to score an
 * epoch on the held-out examples, and to read what the untrained head sees (for the linear probe).
 */
final class Scoring {
  private Scoring() {}

  /**
   * Prepared examples: their units, token ids and cached hidden states (null when none are cached).
   */
  record Prepared(Batches.Units units, long[][] ids, float[][] cached) {}

  /**
   * The epoch's metrics; training accuracy is that of the predictions made during the epoch's
   * steps.
   */
  static EpochMetrics score(
      GraphSession evaluate,
      FineTuneGraphs.Spec spec,
      Map<String, HostTensor> parameters,
      int epoch,
      double trainLoss,
      double trainAccuracy,
      Prepared valid) {
    if (valid == null) {
      return new EpochMetrics(epoch, trainLoss, trainAccuracy, Double.NaN, Double.NaN, Double.NaN);
    }
    int classes = spec.classes();
    float[][] probabilities =
        run(evaluate, spec, parameters, valid, FineTuneGraphs.PROBABILITIES, classes);
    List<String> names = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
    ClassificationMetrics m =
        ClassificationMetrics.compute(names, valid.units().labels(), probabilities);
    return new EpochMetrics(
        epoch,
        trainLoss,
        trainAccuracy,
        CrossEntropy.mean(probabilities, valid.units().labels()),
        m.accuracy(),
        m.macroF1());
  }

  /**
   * One row of {@code width} values of the evaluation graph's {@code output} per unit, the units
   * taken a few at a time (about {@value FrozenLayers#EXAMPLES_PER_RUN} examples).
   */
  static float[][] run(
      GraphSession evaluate,
      FineTuneGraphs.Spec spec,
      Map<String, HostTensor> parameters,
      Prepared examples,
      String output,
      int width) {
    Batches.Units units = examples.units();
    float[][] out = new float[units.size()][];
    int from = 0;
    while (from < units.size()) {
      int to = from + 1;
      int count = units.rows()[from].length;
      while (to < units.size()
          && count + units.rows()[to].length <= FrozenLayers.EXAMPLES_PER_RUN) {
        count += units.rows()[to++].length;
      }
      int[] batchUnits = IntStream.range(from, to).toArray();
      Map<String, HostTensor> feed = new HashMap<>(parameters);
      feed.putAll(Batches.inputs(spec, examples.ids(), examples.cached(), units, batchUnits));
      float[] p = evaluate.run(feed, Set.of(output)).get(output).floats();
      for (int u = 0; u < batchUnits.length; u++) {
        out[batchUnits[u]] = Arrays.copyOfRange(p, u * width, (u + 1) * width);
      }
      from = to;
    }
    return out;
  }
}
