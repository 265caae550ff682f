package dev.ferry.trainer.finetune;

import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.graph.AdamW;
import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import dev.ferry.models.graph.OnnxImport;
import dev.ferry.trainer.head.HeadTrainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fine-tunes the top layers of an encoder together with a linear head, in Java graphs on the
 * ordinary ONNX Runtime session (no {@code onnxruntime-training}).
 *
 * <p>The encoder's own graph is imported ({@link OnnxImport}), pooled and normalized as the
 * encoder's descriptor says, and followed by a linear head and the class-weighted cross-entropy;
 * reverse-mode autodiff appends the gradients and AdamW the update, so one graph run is one step.
 * The frozen lower layers run once per example and their output is cached, so a step costs about
 * the {@code unfreeze} top layers. The learning rate warms up linearly and then decays linearly
 * to zero; the head's rate is {@code headRateFactor} times the encoder's, and each layer's is
 * {@code layerDecay} times the one above it. Gradients are clipped to a global norm.
 */
public final class FineTuner {
  private static final Logger log = LoggerFactory.getLogger(FineTuner.class);

  /**
   * Fine-tuning settings.
   *
   * @param unfreeze top layers that train (the encoder's layer count: all, embeddings included)
   * @param epochs passes over the examples
   * @param batchSize examples per step
   * @param learningRate the encoder's peak learning rate
   * @param headRateFactor the head's learning rate relative to the encoder's
   * @param layerDecay factor on the learning rate per layer downwards (1: none)
   * @param warmupFraction share of the steps over which the rate rises linearly from 0
   * @param weightDecay AdamW decoupled weight decay of weight matrices
   * @param clipNorm global gradient-norm clipping (0: none)
   * @param maxTokens tokens per text at most, special tokens included
   * @param seed drives shuffling and the head's initialization
   * @param balanceClasses weight classes by n / (classes × count)
   */
  public record Settings(int unfreeze, int epochs, int batchSize, double learningRate, double headRateFactor,
      double layerDecay, double warmupFraction, double weightDecay, double clipNorm, int maxTokens, long seed,
      boolean balanceClasses) {
    /** Top 2 layers, 3 epochs, batch 16, rate 1e-4 (head 2e-3), layer decay 0.9, 10% warm-up. */
    public static Settings defaults() {
      return new Settings(2, 3, 16, 1e-4, 20, 0.9, 0.1, 0.01, 1.0, 128, 42, true);
    }

    /** A copy training the top {@code k} layers. */
    public Settings withUnfreeze(int k) {
      return new Settings(k, epochs, batchSize, learningRate, headRateFactor, layerDecay, warmupFraction,
          weightDecay, clipNorm, maxTokens, seed, balanceClasses);
    }

    /** A copy with another number of epochs. */
    public Settings withEpochs(int n) {
      return new Settings(unfreeze, n, batchSize, learningRate, headRateFactor, layerDecay, warmupFraction,
          weightDecay, clipNorm, maxTokens, seed, balanceClasses);
    }
  }

  /**
   * What fine-tuning produced.
   *
   * @param stepLosses the training loss of every step, in order
   * @param encoderOnnx the encoder with its tuned parameters: the original inference graph (same
   *     operators, inputs and output), ready to be a bundle's {@code encoder.onnx}
   * @param headWeight the head's weight, float [dimension, classes]
   * @param headBias the head's bias, float [classes]
   * @param cacheSeconds time spent running the frozen lower layers once
   * @param examplesPerSecond training throughput over all steps (examples × epochs / time)
   */
  public record Result(List<Double> stepLosses, byte[] encoderOnnx, HostTensor headWeight, HostTensor headBias,
      double cacheSeconds, double examplesPerSecond) {}

  private FineTuner() {}

  /**
   * Fine-tunes {@code encoder} on labeled texts.
   *
   * @param labels per text, its class in {@code 0..classes-1}
   */
  public static Result train(Encoder encoder, List<String> texts, int[] labels, int classes, Settings s) {
    if (texts.size() != labels.length || texts.isEmpty()) {
      throw new IllegalArgumentException("need one label per text and at least one text, got " + texts.size()
          + " texts and " + labels.length + " labels");
    }
    OnnxImport model;
    try {
      model = OnnxImport.read(encoder.modelFile());
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + encoder.modelFile(), e);
    }
    FineTuneGraphs.Spec spec = new FineTuneGraphs.Spec(model, s.unfreeze(), classes,
        encoder.descriptor().pooling(), encoder.descriptor().normalize());
    long[][] ids = new long[texts.size()][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = truncate(encoder.tokenIds(texts.get(i)), s.maxTokens());
    }
    long t0 = System.nanoTime();
    float[][] cached = spec.full() ? null : cacheCut(spec, ids);
    double cacheSeconds = (System.nanoTime() - t0) / 1e9;

    Random random = new Random(s.seed());
    Map<String, HostTensor> state = initialState(spec, model, random);
    Map<String, Double> rateScale = rateScales(spec, s);
    double[] classWeight = HeadTrainer.classWeights(labels, classes, s.balanceClasses());
    AdamW.Settings optimizer = AdamW.Settings.defaults().withWeightDecay(s.weightDecay()).withClipNorm(s.clipNorm());
    int stepsPerEpoch = (texts.size() + s.batchSize() - 1) / s.batchSize();
    int totalSteps = stepsPerEpoch * s.epochs();
    int warmup = (int) Math.ceil(totalSteps * s.warmupFraction());
    List<Double> losses = new ArrayList<>();
    int[] order = java.util.stream.IntStream.range(0, texts.size()).toArray();
    long t1 = System.nanoTime();
    try (GraphSession step = new GraphSession(FineTuneGraphs.trainingStep(spec, optimizer, rateScale), 1)) {
      int t = 0;
      for (int epoch = 1; epoch <= s.epochs(); epoch++) {
        HeadTrainer.shuffle(order, random);
        for (int from = 0; from < order.length; from += s.batchSize()) {
          int[] rows = Arrays.copyOfRange(order, from, Math.min(order.length, from + s.batchSize()));
          t++;
          Map<String, HostTensor> feed = new HashMap<>(state);
          feed.putAll(batch(spec, ids, cached, rows));
          int[] batchLabels = Arrays.stream(rows).map(r -> labels[r]).toArray();
          feed.put(FineTuneGraphs.TARGET, HeadTrainer.target(batchLabels, classes, classWeight));
          feed.put(AdamW.LEARNING_RATE, HostTensor.scalar(ElementType.FLOAT,
              learningRate(s.learningRate(), t, warmup, totalSteps)));
          feed.put(AdamW.BIAS_CORRECTION1, HostTensor.scalar(ElementType.FLOAT, 1 - Math.pow(0.9, t)));
          feed.put(AdamW.BIAS_CORRECTION2, HostTensor.scalar(ElementType.FLOAT, 1 - Math.pow(0.999, t)));
          Map<String, HostTensor> out = step.run(feed);
          losses.add(out.get(FineTuneGraphs.LOSS).get(0));
          for (String name : List.copyOf(state.keySet())) {
            state.put(name, out.get(AdamW.next(name)));
          }
        }
        log.info("Fine-tuning epoch {}/{}: mean loss {}", epoch, s.epochs(), String.format("%.4f",
            losses.subList(losses.size() - stepsPerEpoch, losses.size()).stream()
                .mapToDouble(Double::doubleValue).average().orElse(Double.NaN)));
      }
    }
    double seconds = (System.nanoTime() - t1) / 1e9;
    Map<String, HostTensor> tuned = new LinkedHashMap<>();
    for (String p : spec.encoderParameters()) {
      tuned.put(p, state.get(p));
    }
    return new Result(List.copyOf(losses), model.withParameters(tuned), state.get(FineTuneGraphs.HEAD_WEIGHT),
        state.get(FineTuneGraphs.HEAD_BIAS), cacheSeconds, (double) texts.size() * s.epochs() / seconds);
  }

  /** Linear warm-up over {@code warmup} steps, then linear decay to 0 at {@code total}. */
  static double learningRate(double peak, int step, int warmup, int total) {
    if (step <= warmup) {
      return peak * step / Math.max(warmup, 1);
    }
    return peak * Math.max(0, total - step) / Math.max(total - warmup, 1);
  }

  /** Runs the frozen lower layers once per example; per example, float [tokens × dimension]. */
  private static float[][] cacheCut(FineTuneGraphs.Spec spec, long[][] ids) {
    float[][] out = new float[ids.length][];
    int dim = spec.dimension();
    try (GraphSession lower = new GraphSession(FineTuneGraphs.lower(spec), 1)) {
      int batch = 16;
      for (int from = 0; from < ids.length; from += batch) {
        int[] rows = java.util.stream.IntStream.range(from, Math.min(ids.length, from + batch)).toArray();
        Map<String, HostTensor> feed = tokens(ids, rows);
        HostTensor cut = lower.run(feed).get(FineTuneGraphs.CUT);
        int width = (int) cut.shape()[1];
        for (int r = 0; r < rows.length; r++) {
          int length = ids[rows[r]].length;
          out[rows[r]] = Arrays.copyOfRange(cut.floats(), r * width * dim, (r * width + length) * dim);
        }
      }
    }
    return out;
  }

  /** The batch inputs: cached hidden states (or token ids) and the attention mask, right-padded. */
  private static Map<String, HostTensor> batch(FineTuneGraphs.Spec spec, long[][] ids, float[][] cached, int[] rows) {
    Map<String, HostTensor> feed = tokens(ids, rows);
    if (cached == null) {
      return feed;
    }
    int dim = spec.dimension();
    int width = (int) feed.get(FineTuneGraphs.ATTENTION_MASK).shape()[1];
    float[] hidden = new float[rows.length * width * dim];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(cached[rows[r]], 0, hidden, r * width * dim, cached[rows[r]].length);
    }
    Map<String, HostTensor> out = new HashMap<>();
    out.put(FineTuneGraphs.ATTENTION_MASK, feed.get(FineTuneGraphs.ATTENTION_MASK));
    out.put(spec.cut(), HostTensor.of(hidden, rows.length, width, dim));
    return out;
  }

  /** input_ids, attention_mask and token_type_ids of some texts, right-padded to the longest. */
  static Map<String, HostTensor> tokens(long[][] ids, int[] rows) {
    int width = 0;
    for (int r : rows) {
      width = Math.max(width, ids[r].length);
    }
    long[] flat = new long[rows.length * width];
    long[] mask = new long[rows.length * width];
    for (int r = 0; r < rows.length; r++) {
      long[] row = ids[rows[r]];
      System.arraycopy(row, 0, flat, r * width, row.length);
      Arrays.fill(mask, r * width, r * width + row.length, 1);
    }
    Map<String, HostTensor> feed = new HashMap<>();
    feed.put("input_ids", HostTensor.of(flat, rows.length, width));
    feed.put(FineTuneGraphs.ATTENTION_MASK, HostTensor.of(mask, rows.length, width));
    feed.put("token_type_ids", HostTensor.of(new long[flat.length], rows.length, width));
    return feed;
  }

  /** Pretrained values for the encoder, Xavier-uniform head weights, zero bias and moments. */
  static Map<String, HostTensor> initialState(FineTuneGraphs.Spec spec, OnnxImport model, Random random) {
    Map<String, HostTensor> state = new LinkedHashMap<>();
    for (String p : spec.encoderParameters()) {
      state.put(p, model.parameter(p));
    }
    long[] shape = spec.headWeightShape();
    float[] w = new float[(int) (shape[0] * shape[1])];
    double limit = Math.sqrt(6.0 / (shape[0] + shape[1]));
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
    }
    state.put(FineTuneGraphs.HEAD_WEIGHT, HostTensor.of(w, shape));
    state.put(FineTuneGraphs.HEAD_BIAS, HostTensor.zeros(ElementType.FLOAT, spec.classes()));
    for (String p : List.copyOf(state.keySet())) {
      state.put(AdamW.firstMoment(p), HostTensor.zeros(ElementType.FLOAT, state.get(p).shape()));
      state.put(AdamW.secondMoment(p), HostTensor.zeros(ElementType.FLOAT, state.get(p).shape()));
    }
    return state;
  }

  /** Head: headRateFactor; layer l of L: layerDecay^(L-1-l); embeddings: layerDecay^L. */
  private static Map<String, Double> rateScales(FineTuneGraphs.Spec spec, Settings s) {
    OnnxImport model = spec.model();
    int layers = model.layerCount();
    Map<String, Double> scale = new HashMap<>();
    for (String p : spec.encoderParameters()) {
      scale.put(p, Math.pow(s.layerDecay(), layers));
    }
    for (int layer = layers - s.unfreeze(); layer < layers; layer++) {
      for (String p : model.layerParameters(layer)) {
        scale.put(p, Math.pow(s.layerDecay(), layers - 1 - layer));
      }
    }
    scale.put(FineTuneGraphs.HEAD_WEIGHT, s.headRateFactor());
    scale.put(FineTuneGraphs.HEAD_BIAS, s.headRateFactor());
    return scale;
  }

  private static long[] truncate(long[] ids, int max) {
    if (ids.length <= max) {
      return ids;
    }
    long[] out = Arrays.copyOf(ids, max);
    out[max - 1] = ids[ids.length - 1];  // keep the closing [SEP]
    return out;
  }
}
