package dev.ferry.trainer.finetune;

import dev.ferry.autodiff.AdamW;
import dev.ferry.models.graph.NativeState;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The AdamW step of fine-tuning, applied in Java to the parameters, moments and gradients a {@link
 * NativeState} holds: the same update as {@link AdamW#append} builds into a graph (clipping of the
 * global norm, bias corrections per group, a rate factor per parameter, decay of matrices only), in
 * one pass over each parameter instead of the graph's fourteen. A step's graph writes each
 * parameter's {@link #gradient}; this reads it, writes the parameter and its moments in place, and
 * leaves the gradient at zero, for the next step to write or accumulate into.
 *
 * <p>At a few texts a step the update's passes were as long as the matrix products
 * (eval/RESULTS.md, "The update in one pass"). Here each element is read and written once: the
 * native memory is copied block by block into small arrays, whose loops the JIT compiles to vector
 * instructions (element by element through the buffers was 5× slower), and back. The work is split
 * over {@code threads} (the caller's thread and a fixed pool of the others), by ranges of the
 * parameters' elements.
 */
final class InPlaceAdamW implements AutoCloseable {
  private static final String GRADIENT = "grad.";

  /** Elements per block: four arrays of them stay in a core's cache. */
  private static final int BLOCK = 2048;

  private final AdamW.Settings settings;
  private final Map<String, Double> rateScale;
  private final Map<String, String> group;
  private final int threads;
  private final ExecutorService others; // null with one thread

  /**
   * @param rateScale per parameter, a factor on the learning rate (1 where absent)
   * @param group per parameter that started training later than the others, its step-count group
   */
  InPlaceAdamW(
      AdamW.Settings settings,
      Map<String, Double> rateScale,
      Map<String, String> group,
      int threads) {
    this.settings = settings;
    this.rateScale = rateScale;
    this.group = group;
    this.threads = Math.max(1, threads);
    this.others =
        this.threads == 1
            ? null
            : Executors.newFixedThreadPool(
                this.threads - 1, Thread.ofPlatform().daemon().name("ferry-adamw-", 1).factory());
  }

  /** The state name of a trained parameter's gradient. */
  static String gradient(String parameter) {
    return GRADIENT + parameter;
  }

  /**
   * For a graph run that writes the gradients of {@code parameters} as outputs of their state
   * names: each output → the state it is written into.
   */
  static Map<String, String> gradientOutputs(List<String> parameters) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String p : parameters) {
      out.put(gradient(p), gradient(p));
    }
    return out;
  }

  /**
   * One step over {@code trained}, whose values, moments ({@link AdamW#firstMoment}, {@link
   * AdamW#secondMoment}) and {@link #gradient}s {@code state} holds.
   *
   * @param stepOfGroup per group ({@code ""}: the parameters trained from the start), its own step
   *     count, 1 at its first step
   * @return the gradients' global L2 norm before clipping
   */
  double apply(
      NativeState state,
      List<String> trained,
      double learningRate,
      Map<String, Integer> stepOfGroup) {
    List<Tensor> tensors = new ArrayList<>(trained.size());
    long total = 0;
    for (String p : trained) {
      Tensor t = tensor(state, p, learningRate, stepOfGroup);
      tensors.add(t);
      total += t.size();
    }
    double squared = 0;
    for (double part : inParts(tensors, total, InPlaceAdamW::sumOfSquares)) {
      squared += part;
    }
    double norm = Math.sqrt(squared);
    double clip = settings.clipNorm() > 0 ? Math.min(1, settings.clipNorm() / (norm + 1e-6)) : 1;
    float beta1 = (float) settings.beta1();
    float beta2 = (float) settings.beta2();
    float gradientFactor = (float) ((1 - settings.beta1()) * clip);
    float squareFactor = (float) ((1 - settings.beta2()) * clip * clip);
    inParts(
        tensors,
        total,
        (t, from, to, blocks) -> {
          update(t, from, to, blocks, beta1, beta2, gradientFactor, squareFactor);
          return 0;
        });
    return norm;
  }

  /** A parameter's memory and the scalars of its update: p' = p keep − step m' / (√v' + eps). */
  private record Tensor(
      FloatBuffer value,
      FloatBuffer first,
      FloatBuffer second,
      FloatBuffer gradient,
      float step,
      float epsilon,
      float keep) {
    long size() {
      return value.capacity();
    }
  }

  private Tensor tensor(
      NativeState state, String p, double learningRate, Map<String, Integer> stepOfGroup) {
    String g = group.getOrDefault(p, "");
    Integer t = stepOfGroup.get(g);
    if (t == null) {
      throw new IllegalArgumentException("no step count for the group '" + g + "' of " + p);
    }
    double rate = learningRate * rateScale.getOrDefault(p, 1.0);
    double correction1 = 1 - Math.pow(settings.beta1(), t);
    double rootCorrection2 = Math.sqrt(1 - Math.pow(settings.beta2(), t));
    // Matrices decay; biases and LayerNorm scales do not.
    boolean decays = state.shape(p).length >= 2 && settings.weightDecay() > 0;
    return new Tensor(
        state.memory(p),
        state.memory(AdamW.firstMoment(p)),
        state.memory(AdamW.secondMoment(p)),
        state.memory(gradient(p)),
        (float) (rate * rootCorrection2 / correction1),
        (float) (settings.epsilon() * rootCorrection2),
        decays ? (float) (1 - rate * settings.weightDecay()) : 1f);
  }

  /** One part's arrays for a block of each tensor; the zeros are written over used gradients. */
  private record Blocks(float[] p, float[] m, float[] v, float[] g, float[] zeros) {
    Blocks() {
      this(
          new float[BLOCK], new float[BLOCK], new float[BLOCK], new float[BLOCK], new float[BLOCK]);
    }
  }

  private static double sumOfSquares(Tensor t, long from, long to, Blocks b) {
    float[] g = b.g();
    double sum = 0;
    for (int at = (int) from; at < to; at += BLOCK) {
      int n = (int) Math.min(BLOCK, to - at);
      t.gradient().get(at, g, 0, n);
      // Four sums, so that the loop need not wait on one.
      float s0 = 0;
      float s1 = 0;
      float s2 = 0;
      float s3 = 0;
      int i = 0;
      for (; i + 4 <= n; i += 4) {
        s0 += g[i] * g[i];
        s1 += g[i + 1] * g[i + 1];
        s2 += g[i + 2] * g[i + 2];
        s3 += g[i + 3] * g[i + 3];
      }
      for (; i < n; i++) {
        s0 += g[i] * g[i];
      }
      sum += (double) s0 + s1 + s2 + s3;
    }
    return sum;
  }

  private static void update(
      Tensor t,
      long from,
      long to,
      Blocks b,
      float beta1,
      float beta2,
      float gradientFactor,
      float squareFactor) {
    float[] p = b.p();
    float[] m = b.m();
    float[] v = b.v();
    float[] g = b.g();
    float step = t.step();
    float epsilon = t.epsilon();
    float keep = t.keep();
    for (int at = (int) from; at < to; at += BLOCK) {
      int n = (int) Math.min(BLOCK, to - at);
      t.value().get(at, p, 0, n);
      t.first().get(at, m, 0, n);
      t.second().get(at, v, 0, n);
      t.gradient().get(at, g, 0, n);
      for (int i = 0; i < n; i++) {
        float m2 = beta1 * m[i] + gradientFactor * g[i];
        float v2 = beta2 * v[i] + squareFactor * (g[i] * g[i]);
        m[i] = m2;
        v[i] = v2;
        p[i] = p[i] * keep - m2 / ((float) Math.sqrt(v2) + epsilon) * step;
      }
      t.value().put(at, p, 0, n);
      t.first().put(at, m, 0, n);
      t.second().put(at, v, 0, n);
      t.gradient().put(at, b.zeros(), 0, n);
    }
  }

  /** Work on the elements {@code [from, to)} of one tensor, with its part's arrays. */
  private interface Range {
    double run(Tensor t, long from, long to, Blocks blocks);
  }

  /**
   * Runs {@code range} over every element of {@code tensors}, taken as one array of {@code total}
   * elements cut into {@code threads} parts of about the same size; returns each part's sum.
   */
  private double[] inParts(List<Tensor> tensors, long total, Range range) {
    double[] sums = new double[threads];
    List<Future<Double>> running = new ArrayList<>(threads - 1);
    for (int k = 1; k < threads; k++) {
      long from = total * k / threads;
      long to = total * (k + 1) / threads;
      running.add(others.submit(() -> part(tensors, from, to, range)));
    }
    // Every part is waited for, failed or not, before the state may be touched again.
    RuntimeException failure = null;
    try {
      sums[0] = part(tensors, 0, total / threads, range);
    } catch (RuntimeException e) {
      failure = e;
    }
    boolean interrupted = false;
    for (int k = 1; k < threads; k++) {
      while (true) {
        try {
          sums[k] = running.get(k - 1).get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = new IllegalStateException("the AdamW update failed: " + e.getCause(), e);
          }
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw failure;
    }
    return sums;
  }

  /** {@code range} over the elements {@code [from, to)} of the tensors laid end to end. */
  private static double part(List<Tensor> tensors, long from, long to, Range range) {
    Blocks blocks = new Blocks();
    double sum = 0;
    long offset = 0;
    for (Tensor t : tensors) {
      long size = t.size();
      long a = Math.max(from, offset);
      long b = Math.min(to, offset + size);
      if (a < b) {
        sum += range.run(t, a - offset, b - offset, blocks);
      }
      offset += size;
      if (offset >= to) {
        break;
      }
    }
    return sum;
  }

  @Override
  public void close() {
    if (others != null) {
      others.shutdownNow();
    }
  }
}
