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
 * The training step of the layers open now, and what it keeps between steps: the trained
 * parameters, their gradients and AdamW moments, in native memory only, from the first epoch with
 * these layers open to the last ({@link NativeState}); their host copies are taken out of the
 * values meanwhile and put back by {@link #copyOut}. A batch that fits one pass runs as one graph
 * ({@link FineTuneGraphs#trainingStep}), a larger one in passes ({@link GradientCache}), each built
 * the first time a batch needs it; either writes the gradients, and {@link InPlaceAdamW} applies
 * them.
 */
final class TrainingSteps implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrainingSteps.class);

  private final FineTuneGraphs.Spec spec;
  private final InPlaceAdamW adamW;
  private final boolean dropout;
  private final int threads;
  private final ExecutionProvider device;
  private final int tokensPerPass;
  private int open = -1;
  private List<String> trained;
  private Map<String, String> gradients; // the step's outputs → the state they are written into
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
    this.adamW = new InPlaceAdamW(optimizer, rateScale, groups, threads);
    this.dropout = dropout;
    this.threads = threads;
    this.device = device;
    this.tokensPerPass = tokensPerPass;
  }

  /**
   * Trains the top {@code open} layers from now on: moves their values (and the head's) out of
   * {@code values} into native memory, unless they are there already. What {@code values} lacks
   * comes from the layers open before, and moments found in neither start at zero, as the gradients
   * do.
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
          nextState.putZeros(InPlaceAdamW.gradient(p), nextState.shape(p));
        }
      } catch (RuntimeException e) {
        nextState.close();
        throw e;
      }
      closeAll();
      trained = next;
      gradients = InPlaceAdamW.gradientOutputs(trained);
      state = nextState;
      this.open = open;
    }
    values.keySet().removeAll(state.names());
    return trained;
  }

  /**
   * One step: the parameters and moments updated in place.
   *
   * @param batchInputs what the loss reads of the whole batch
   * @param passes the batch's chunks, pass by pass ({@link Batches#passes}); one pass: one graph
   * @param passInputsOf per pass, its chunks' inputs; asked for twice in passes, the same both
   *     times
   * @param outputs the loss, and the probabilities with a head
   * @param learningRate this step's learning rate (the schedule's)
   * @param stepOfGroup per AdamW step-count group, its own step, 1 at its first
   */
  Map<String, HostTensor> step(
      Map<String, HostTensor> batchInputs,
      int[][] passes,
      IntFunction<Map<String, HostTensor>> passInputsOf,
      Set<String> outputs,
      double learningRate,
      Map<String, Integer> stepOfGroup) {
    Map<String, HostTensor> out = gradients(batchInputs, passes, passInputsOf, outputs);
    adamW.apply(state, trained, learningRate, stepOfGroup);
    return out;
  }

  /** The step's forward and backward passes: the gradients written into the state. */
  private Map<String, HostTensor> gradients(
      Map<String, HostTensor> batchInputs,
      int[][] passes,
      IntFunction<Map<String, HostTensor>> passInputsOf,
      Set<String> outputs) {
    if (passes.length == 1) {
      if (oneGraph == null) {
        long t0 = System.nanoTime();
        oneGraph =
            new GraphSession(
                FineTuneGraphs.trainingStep(spec.withOpen(open), dropout), threads, device);
        buildNanos += System.nanoTime() - t0;
      }
      Map<String, HostTensor> feed = new HashMap<>(batchInputs);
      feed.putAll(passInputsOf.apply(0));
      return oneGraph.run(feed, state, gradients, outputs);
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
      inPasses = new GradientCache(spec.withOpen(open), dropout, threads, device);
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
    try (InPlaceAdamW a = adamW) {
      closeAll();
    }
  }
}
