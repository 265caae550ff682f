package dev.ferry.trainer.finetune;

import dev.ferry.autodiff.AdamW;
import dev.ferry.models.encoder.ExecutionProvider;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import dev.ferry.models.graph.NativeState;
import dev.ferry.trainer.loop.AdamWStep;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training step of the layers open now, and what it keeps between steps: the trained parameters
 * and their AdamW moments, in native memory only, from the first epoch with these layers open to
 * the last ({@link NativeState}, each step's next values written over the current ones); their host
 * copies are taken out of the values meanwhile and put back by {@link #copyOut}. A batch that fits
 * one pass runs as one graph ({@link FineTuneGraphs#trainingStep}), a larger one in passes ({@link
 * GradientCache}); each is built the first time a batch needs it.
 */
final class TrainingSteps implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrainingSteps.class);

  private final FineTuneGraphs.Spec spec;
  private final AdamW.Settings optimizer;
  private final Map<String, Double> rateScale;
  private final Map<String, String> groups;
  private final boolean dropout;
  private final int threads;
  private final ExecutionProvider device;
  private final int tokensPerPass;
  private int open = -1;
  private List<String> trained;
  private Map<String, String> updates; // the step's outputs → the state they replace
  private NativeState state;
  private GraphSession oneGraph;
  private GradientCache inPasses;
  private long buildNanos;

  /**
   * @param spec the encoder, head and objective, with every layer that will open
   * @param groups per parameter that opens later, its AdamW step-count group
   * @param dropout whether the steps take dropout masks
   * @param tokensPerPass the most tokens one pass holds ({@link Batches#passes}), for the log
   */
  TrainingSteps(
      FineTuneGraphs.Spec spec,
      AdamW.Settings optimizer,
      Map<String, Double> rateScale,
      Map<String, String> groups,
      boolean dropout,
      int threads,
      ExecutionProvider device,
      int tokensPerPass) {
    this.spec = spec;
    this.optimizer = optimizer;
    this.rateScale = rateScale;
    this.groups = groups;
    this.dropout = dropout;
    this.threads = threads;
    this.device = device;
    this.tokensPerPass = tokensPerPass;
  }

  /**
   * Trains the top {@code open} layers from now on: moves their values (and the head's) out of
   * {@code values} into native memory, unless they are there already. What {@code values} lacks
   * comes from the layers open before, and moments found in neither start at zero.
   *
   * @return the trained parameters
   */
  List<String> open(int open, Map<String, HostTensor> values) {
    if (open != this.open) {
      List<String> next = FineTuneGraphs.parameters(spec.withOpen(open));
      NativeState nextState = NativeState.writtenInPlace(Map.of());
      try {
        for (String p : next) {
          for (String name : AdamWStep.stateNames(p)) {
            HostTensor v = values.get(name);
            if (v == null && state != null && state.names().contains(name)) {
              v = state.get(name);
            }
            if (v != null) {
              nextState.put(name, v);
            } else if (!name.equals(p)) {
              nextState.putZeros(name, nextState.shape(p));
            } else {
              throw new IllegalStateException("no value for the trained parameter " + p);
            }
          }
        }
      } catch (RuntimeException e) {
        nextState.close();
        throw e;
      }
      closeAll();
      trained = next;
      updates = AdamWStep.updates(trained);
      state = nextState;
      this.open = open;
    }
    values.keySet().removeAll(state.names());
    return trained;
  }

  /**
   * One step: the parameters and moments updated in place.
   *
   * @param batchInputs what the loss reads of the whole batch, the rates included
   * @param passes the batch's chunks, pass by pass ({@link Batches#passes}); one pass: one graph
   * @param passInputsOf per pass, its chunks' inputs; asked for twice in passes, the same both
   *     times
   * @param outputs the loss, and the probabilities with a head
   */
  Map<String, HostTensor> step(
      Map<String, HostTensor> batchInputs,
      int[][] passes,
      IntFunction<Map<String, HostTensor>> passInputsOf,
      Set<String> outputs) {
    if (passes.length == 1) {
      if (oneGraph == null) {
        long t0 = System.nanoTime();
        oneGraph =
            new GraphSession(
                FineTuneGraphs.trainingStep(
                    spec.withOpen(open), optimizer, rateScale, dropout, groups),
                threads,
                device);
        buildNanos += System.nanoTime() - t0;
      }
      Map<String, HostTensor> feed = new HashMap<>(batchInputs);
      feed.putAll(passInputsOf.apply(0));
      return oneGraph.run(feed, state, updates, outputs);
    }
    if (inPasses == null) {
      int chunks = 0;
      for (int[] pass : passes) {
        chunks += pass.length;
      }
      log.info(
          "Steps over more than {} tokens run in passes of at most that many (a gradient cache:"
              + " the same gradient, a second forward pass); this one has {} chunks in {} passes",
          tokensPerPass,
          chunks,
          passes.length);
      long t0 = System.nanoTime();
      inPasses =
          new GradientCache(
              spec.withOpen(open), state, optimizer, rateScale, groups, dropout, threads, device);
      buildNanos += System.nanoTime() - t0;
    }
    return inPasses.step(state, passes, passInputsOf, batchInputs, outputs);
  }

  /**
   * The time spent building graphs and opening sessions so far, which a step's speed leaves out.
   */
  long buildNanos() {
    return buildNanos;
  }

  /**
   * Puts copies of the trained parameters back into {@code values}, and of their moments if asked
   * (a checkpoint needs them; the kept model does not). The accumulated gradients stay.
   */
  void copyOut(Map<String, HostTensor> values, boolean moments) {
    for (String p : trained) {
      for (String name : moments ? AdamWStep.stateNames(p) : List.of(p)) {
        values.put(name, state.get(name));
      }
    }
  }

  private void closeAll() {
    try (NativeState s = state;
        GraphSession g = oneGraph;
        GradientCache c = inPasses) {
      state = null;
      oneGraph = null;
      inPasses = null;
    }
  }

  @Override
  public void close() {
    closeAll();
  }
}
