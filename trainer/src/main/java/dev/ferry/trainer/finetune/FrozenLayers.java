package dev.ferry.trainer.finetune;

import dev.ferry.models.encoder.ExecutionProvider;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The encoder's layers below the trained ones run once per example, before training, and their
 * output (the hidden state entering the first trained layer) is kept, so that a step costs only the
 * trained layers.
 */
final class FrozenLayers {
  /** Examples per graph run when the frozen layers or the scoring graph run. */
  static final int EXAMPLES_PER_RUN = 16;

  private FrozenLayers() {}

  /**
   * Per example, the hidden state at the cut, float [tokens × dimension]; null when every layer
   * trains (the steps then start from the token ids).
   */
  static float[][] run(FineTuneGraphs.Spec spec, long[][] ids, ExecutionProvider device) {
    if (ids == null || spec.full()) {
      return null;
    }
    float[][] out = new float[ids.length][];
    int dim = spec.dimension();
    try (GraphSession lower = new GraphSession(FineTuneGraphs.lower(spec), 1, device)) {
      for (int from = 0; from < ids.length; from += EXAMPLES_PER_RUN) {
        int[] rows = IntStream.range(from, Math.min(ids.length, from + EXAMPLES_PER_RUN)).toArray();
        Map<String, HostTensor> feed = Batches.tokens(ids, rows);
        HostTensor cut = lower.run(feed).get(FineTuneGraphs.CUT);
        int width = (int) cut.shape()[1];
        for (int r = 0; r < rows.length; r++) {
          int length = ids[rows[r]].length;
          out[rows[r]] =
              Arrays.copyOfRange(cut.floats(), r * width * dim, (r * width + length) * dim);
        }
      }
    }
    return out;
  }
}
