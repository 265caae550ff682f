package dev.ferry.trainer.finetune;

import dev.ferry.autodiff.AdamW;
import dev.ferry.autodiff.Autodiff;
import dev.ferry.autodiff.GraphBuilder;
import dev.ferry.models.encoder.ExecutionProvider;
import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import dev.ferry.models.graph.NativeState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * A training step whose batch has more tokens than one pass may hold, run in passes of at most
 * {@link FineTuneSettings#tokensPerPass} tokens with the step's own gradient (a gradient cache, Gao
 * et al. 2021, "Scaling Deep Contrastive Learning Batch Size under Memory Limited Setup"):
 *
 * <ol>
 *   <li>each pass computes its chunks' vectors, keeping nothing for a backward pass;
 *   <li>the loss (a contrastive one over every pair of the batch's texts, or the head's
 *       cross-entropy on its texts' pooled chunks) and its gradient on those vectors come from one
 *       small graph over the vectors alone;
 *   <li>each pass runs again, now with gradients, and carries the vectors' gradient back into the
 *       encoder's parameters, adding to gradients accumulated in native memory.
 * </ol>
 *
 * {@link InPlaceAdamW} then applies the summed gradients, as after the one-graph step.
 *
 * <p>Memory is bounded by the pass, not by how long the batch's texts are: a pass's inputs are made
 * when it runs and dropped after, and the forward pass runs twice. A pass's inputs must be the same
 * both times (its dropout masks drawn from a seed of its own), so that the gradient is that of the
 * loss the step reports.
 */
final class GradientCache implements AutoCloseable {
  /** The chunks' vectors: output of the first runs, input of the loss graph. */
  static final String CHUNK_VECTORS = "chunk.vectors";

  /**
   * The loss's gradient on the chunks' vectors: output of the loss graph, input of the accumulating
   * runs.
   */
  static final String UPSTREAM = "chunk.vectors.gradient";

  private final FineTuneGraphs.Spec spec;
  private final List<String> encoderTrained;
  private final List<String> headTrained;
  private final Map<String, String> headGradients; // the loss graph's outputs → their state
  private final Map<String, String> accumulating; // the accumulating runs' outputs → their state
  private final GraphSession vectors;
  private final GraphSession loss;
  private final GraphSession accumulate; // null when no encoder parameter trains

  /**
   * Builds and opens the three graphs for {@code spec} as it is now (its open layers).
   *
   * @param dropout whether the dropout values take mask inputs ({@link FineTuneGraphs#dropoutMask})
   */
  GradientCache(FineTuneGraphs.Spec spec, boolean dropout, int threads, ExecutionProvider device) {
    this.spec = spec;
    this.encoderTrained = spec.openParameters();
    this.headTrained = spec.classifier() ? headParameters() : List.of();
    this.headGradients = InPlaceAdamW.gradientOutputs(headTrained);
    this.accumulating = new LinkedHashMap<>();
    encoderTrained.forEach(
        p -> accumulating.put(AdamW.next(InPlaceAdamW.gradient(p)), InPlaceAdamW.gradient(p)));
    List<GraphSession> opened = new ArrayList<>();
    try {
      vectors = open(vectorsGraph(spec, dropout), threads, device, opened);
      loss = open(lossGraph(spec, headTrained), threads, device, opened);
      accumulate =
          encoderTrained.isEmpty()
              ? null
              : open(accumulateGraph(spec, dropout), threads, device, opened);
    } catch (RuntimeException e) {
      opened.forEach(GraphSession::close);
      throw e;
    }
  }

  private static List<String> headParameters() {
    return List.of(FineTuneGraphs.HEAD_WEIGHT, FineTuneGraphs.HEAD_BIAS);
  }

  private static GraphSession open(
      byte[] graph, int threads, ExecutionProvider device, List<GraphSession> opened) {
    GraphSession s = new GraphSession(graph, threads, device);
    opened.add(s);
    return s;
  }

  /**
   * One step's forward and backward passes over the batch's chunks, pass by pass.
   *
   * @param state the trained parameters and their {@link InPlaceAdamW#gradient}s, the encoder's at
   *     zero: the gradients are written into it
   * @param passes the batch's chunks (rows of the examples), pass by pass, in the batch's order
   * @param passInputsOf per pass, from the rows it takes: its inputs (hidden states or token ids,
   *     mask, dropout masks), asked for twice and the same both times
   * @param batchInputs the loss's inputs over the whole batch: targets or pair inputs, document
   *     inputs
   * @param outputs what to return of the loss graph ({@link FineTuneGraphs#LOSS}, and {@link
   *     FineTuneGraphs#PROBABILITIES} with a head)
   */
  Map<String, HostTensor> step(
      NativeState state,
      int[][] passes,
      IntFunction<Map<String, HostTensor>> passInputsOf,
      Map<String, HostTensor> batchInputs,
      Set<String> outputs) {
    int dim = spec.dimension();
    int[] offset = new int[passes.length + 1];
    for (int k = 0; k < passes.length; k++) {
      offset[k + 1] = offset[k] + passes[k].length;
    }
    int rows = offset[passes.length];
    float[] all = new float[rows * dim];
    for (int k = 0; k < passes.length; k++) {
      Map<String, HostTensor> in = passInputsOf.apply(k);
      float[] v =
          vectors.run(in, state, Map.of(), Set.of(CHUNK_VECTORS)).get(CHUNK_VECTORS).floats();
      System.arraycopy(v, 0, all, offset[k] * dim, v.length);
    }
    Map<String, HostTensor> lossFeed = new HashMap<>(batchInputs);
    lossFeed.put(CHUNK_VECTORS, HostTensor.of(all, rows, dim));
    Set<String> lossOutputs = new HashSet<>(outputs);
    lossOutputs.add(UPSTREAM);
    lossFeed.keySet().retainAll(loss.inputNames());
    Map<String, HostTensor> out = loss.run(lossFeed, state, headGradients, lossOutputs);
    float[] upstream = out.get(UPSTREAM).floats();

    for (int k = 0; k < passes.length && accumulate != null; k++) {
      Map<String, HostTensor> in = new HashMap<>(passInputsOf.apply(k));
      int count = passes[k].length;
      float[] part = new float[count * dim];
      System.arraycopy(upstream, offset[k] * dim, part, 0, part.length);
      in.put(UPSTREAM, HostTensor.of(part, count, dim));
      accumulate.run(in, state, accumulating, Set.of());
    }
    out.keySet().retainAll(outputs);
    return out;
  }

  /** The open layers' parameters (inputs) → each chunk's vector, output {@link #CHUNK_VECTORS}. */
  static byte[] vectorsGraph(FineTuneGraphs.Spec spec, boolean dropout) {
    GraphBuilder g = new GraphBuilder("ferry-gradient-cache-vectors", ElementType.FLOAT);
    g.output(FineTuneGraphs.trainedChunkVectors(g, spec, dropout), CHUNK_VECTORS, "batch");
    return g.toBytes();
  }

  /**
   * {@link #CHUNK_VECTORS} → the loss ({@link FineTuneGraphs#lossOn}, over documents' pooled chunks
   * when the units are documents) and its gradients on the vectors ({@link #UPSTREAM}) and the
   * head's parameters ({@link InPlaceAdamW#gradient}).
   */
  static byte[] lossGraph(FineTuneGraphs.Spec spec, List<String> head) {
    GraphBuilder g = new GraphBuilder("ferry-gradient-cache-loss", ElementType.FLOAT);
    String chunks = g.input(CHUNK_VECTORS, GraphBuilder.UNKNOWN, spec.dimension());
    String rows = spec.documents() ? FineTuneGraphs.documentFeatures(g, spec, chunks) : chunks;
    String lossValue = FineTuneGraphs.lossOn(g, spec, rows);
    List<String> wrt = new ArrayList<>(List.of(chunks));
    wrt.addAll(head);
    Autodiff.gradients(g, lossValue, wrt)
        .forEach(
            (v, grad) -> g.output(grad, v.equals(chunks) ? UPSTREAM : InPlaceAdamW.gradient(v)));
    return g.toBytes();
  }

  /**
   * A pass with gradients: the chunks' vectors, times {@link #UPSTREAM}, summed, differentiated by
   * the open parameters; outputs each accumulated gradient plus this pass's.
   */
  static byte[] accumulateGraph(FineTuneGraphs.Spec spec, boolean dropout) {
    GraphBuilder g = new GraphBuilder("ferry-gradient-cache-backward", ElementType.FLOAT);
    String v = FineTuneGraphs.trainedChunkVectors(g, spec, dropout);
    String upstream = g.input(UPSTREAM, GraphBuilder.UNKNOWN, spec.dimension());
    String surrogate = g.sumAll(g.mul(v, upstream));
    Map<String, String> gradients = Autodiff.gradients(g, surrogate, spec.openParameters());
    gradients.forEach(
        (p, grad) -> {
          String accumulated = InPlaceAdamW.gradient(p);
          g.output(g.add(g.input(accumulated, g.shape(p)), grad), AdamW.next(accumulated));
        });
    return g.toBytes();
  }

  @Override
  public void close() {
    vectors.close();
    loss.close();
    if (accumulate != null) {
      accumulate.close();
    }
  }
}
