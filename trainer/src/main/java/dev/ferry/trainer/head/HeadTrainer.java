package dev.ferry.trainer.head;

import dev.ferry.autodiff.AdamW;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import dev.ferry.trainer.EpochMetrics;
import dev.ferry.trainer.TrainingDivergedException;
import dev.ferry.trainer.loop.AdamWStep;
import dev.ferry.trainer.loop.CrossEntropy;
import dev.ferry.trainer.loop.EarlyStopping;
import dev.ferry.trainer.loop.EpochOrder;
import dev.ferry.trainer.loop.Predictions;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a classifier head on embeddings by running Java-built ONNX graphs on ONNX Runtime: each
 * step is one graph run that computes the weighted cross-entropy, its gradients and the AdamW
 * update. After every epoch the head is scored on the training and validation sets; the epoch with
 * the best validation macro-F1 (ties: lower validation loss) is kept, and training stops after
 * {@link HeadSettings#patience()} epochs without improvement.
 *
 * <p>Deterministic: the same data, settings and seed give the same head, bit for bit (the graphs
 * run on one thread, and every random draw comes from the seed).
 */
public final class HeadTrainer {
  private static final Logger log = LoggerFactory.getLogger(HeadTrainer.class);

  /** Rows scored per graph run when evaluating, to bound memory. */
  private static final int SCORE_BATCH = 4096;

  /** Temperatures tried for the centroid head. */
  private static final double[] TEMPERATURES = {1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100};

  /** What {@link TrainingDivergedException} calls this training. */
  private static final String TRAINING = "head training";

  private HeadTrainer() {}

  /**
   * What {@code ferry train} does after early stopping (unless {@code --no-refit}): trains the head
   * again, from scratch, on the training and held-out examples together for the number of epochs
   * that scored best on the held-out ones, so that no labeled example is left unused. The result
   * keeps {@code scored}'s settings, history, best epoch and temperature, and counts both
   * trainings' time.
   *
   * @param scored the head trained on {@code train} and early-stopped on {@code valid}
   */
  public static TrainedHead refit(TrainedHead scored, LabeledVectors train, LabeledVectors valid) {
    if (!refits(scored)) {
      throw new IllegalArgumentException("refitting needs the best epoch of an early-stopped head");
    }
    LabeledVectors both = train.concat(valid);
    TrainedHead all =
        scored.settings().kind() == HeadKind.LINEAR
            ? trainLinear(
                both,
                null,
                scored.classes(),
                scored.settings(),
                scored.dimension(),
                scored.temperature(),
                System.nanoTime())
            : train(
                both,
                null,
                scored.classes(),
                scored.settings().withEpochs(scored.bestEpoch()).withPatience(0),
                null);
    return new TrainedHead(
        scored.settings(),
        scored.dimension(),
        scored.classes(),
        all.onnx(),
        scored.history(),
        scored.bestEpoch(),
        scored.temperature(),
        scored.trainingSeconds() + all.trainingSeconds());
  }

  /**
   * Whether {@link #refit} can train {@code scored} again on all the examples: a linear head (with
   * the regularization it chose) or a gradient-trained head that kept an epoch.
   */
  public static boolean refits(TrainedHead scored) {
    return scored.settings().kind() == HeadKind.LINEAR || scored.bestEpoch() > 0;
  }

  /**
   * Trains a head.
   *
   * @param train training embeddings and class ids
   * @param valid held-out embeddings for early stopping and the curves, or null to train for all
   *     epochs and keep the last
   * @param classes number of classes (ids are 0 .. classes−1)
   * @param settings hyperparameters
   * @param onEpoch called after each epoch (may be null)
   */
  public static TrainedHead train(
      LabeledVectors train,
      LabeledVectors valid,
      int classes,
      HeadSettings settings,
      Consumer<EpochMetrics> onEpoch) {
    if (train.size() == 0) {
      throw new IllegalArgumentException("no training examples");
    }
    if (classes < 2) {
      throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
    }
    int dimension = train.vectors()[0].length;
    for (int i = 0; i < train.size(); i++) {
      if (train.vectors()[i].length != dimension) {
        throw new IllegalArgumentException(
            "training vector "
                + i
                + " has "
                + train.vectors()[i].length
                + " dimensions, the first has "
                + dimension);
      }
      if (train.labels()[i] < 0 || train.labels()[i] >= classes) {
        throw new IllegalArgumentException(
            "training label " + train.labels()[i] + " out of range 0.." + (classes - 1));
      }
    }
    requireFinite("training", train);
    if (valid != null) {
      requireFinite("held-out", valid);
    }
    long start = System.nanoTime();
    TrainedHead head =
        switch (settings.kind()) {
          case CENTROID -> trainCentroid(train, valid, classes, settings, dimension, start);
          case LINEAR -> trainLinear(train, valid, classes, settings, dimension, Double.NaN, start);
          case MLP -> trainByGradient(train, valid, classes, settings, dimension, onEpoch, start);
        };
    log.debug(
        "Trained {} head on {} examples in {} s",
        settings.kind().id(),
        train.size(),
        String.format("%.2f", head.trainingSeconds()));
    return head;
  }

  /**
   * A NaN or infinite input would only show up later as a NaN loss, blamed on the learning rate.
   */
  private static void requireFinite(String which, LabeledVectors vectors) {
    for (int i = 0; i < vectors.size(); i++) {
      float[] v = vectors.vectors()[i];
      for (int k = 0; k < v.length; k++) {
        if (!Float.isFinite(v[k])) {
          throw new IllegalArgumentException(
              which
                  + " vector "
                  + i
                  + " has "
                  + v[k]
                  + " at position "
                  + k
                  + "; embeddings must be finite numbers (if they came from a cache, delete it to compute them again)");
        }
      }
    }
  }

  // ---- The linear head ----------------------------------------------------------------------

  /**
   * The exact fit ({@link LinearHeadFit}) on {@code train}, at the settings' regularization or,
   * when they leave it to be chosen, at the one {@link RegularizationSearch} picks, its logits
   * scaled by a calibration temperature ({@link TemperatureFit}: given, or fitted on the held-out
   * logits, else 1). The result's settings hold the regularization used and its temperature the
   * scale, so a refit uses both again.
   *
   * @param temperature the scale to use, or NaN to fit one
   */
  private static TrainedHead trainLinear(
      LabeledVectors train,
      LabeledVectors valid,
      int classes,
      HeadSettings s,
      int dimension,
      double temperature,
      long start) {
    double regularization = s.regularization();
    double[] theta = null;
    if (s.choosesRegularization()) {
      RegularizationSearch.Choice choice =
          RegularizationSearch.choose(train, valid, classes, s.balanceClasses(), s.seed());
      regularization = choice.regularization();
      theta = choice.fitted();
      temperature = Double.isNaN(temperature) ? choice.temperature() : temperature;
      log.debug(
          "Linear head: regularization {} of {} (held-out macro-F1 {}), temperature {}",
          regularization,
          java.util.Arrays.toString(HeadSettings.REGULARIZATION_GRID),
          java.util.Arrays.toString(choice.heldOutF1()),
          temperature);
    }
    if (theta == null) {
      try (LinearHeadFit fit = new LinearHeadFit(train, classes, s.balanceClasses())) {
        theta = fit.fit(regularization, new double[fit.parameters()]);
      }
    }
    if (Double.isNaN(temperature)) {
      temperature =
          valid != null && valid.size() > 0
              ? TemperatureFit.fit(
                  RegularizationSearch.logits(theta, valid.vectors(), classes), valid.labels())
              : 1;
    }
    Map<String, float[]> values = LinearHeadFit.values(theta, classes, temperature);
    HeadGraphs.Shape shape = new HeadGraphs.Shape(HeadKind.LINEAR, dimension, 1, classes);
    return new TrainedHead(
        s.withRegularization(regularization),
        dimension,
        classes,
        HeadGraphs.inference(shape, values),
        List.of(),
        0,
        temperature,
        (System.nanoTime() - start) / 1e9);
  }

  // ---- Gradient-trained heads ---------------------------------------------------------------

  /**
   * Fits a linear head on {@code train} by AdamW for every epoch of {@code settings} (a {@link
   * HeadKind#LINEAR} one) and returns its weights rather than an inference graph: the head that
   * fine-tuning starts from (its linear probe), trained with the same optimizer and rates as the
   * fine-tuned head after it. {@link #train} fits the linear head exactly instead.
   */
  public static LinearWeights fitLinear(LabeledVectors train, int classes, HeadSettings settings) {
    if (settings.kind() != HeadKind.LINEAR) {
      throw new IllegalArgumentException(
          "fitLinear needs linear head settings, got " + settings.kind().id());
    }
    if (train.size() == 0) {
      throw new IllegalArgumentException("no training examples");
    }
    Fit fit = fitByGradient(train, null, classes, settings, train.vectors()[0].length, null);
    return new LinearWeights(fit.values().get("output.weight"), fit.values().get("output.bias"));
  }

  private static TrainedHead trainByGradient(
      LabeledVectors train,
      LabeledVectors valid,
      int classes,
      HeadSettings s,
      int dimension,
      Consumer<EpochMetrics> onEpoch,
      long start) {
    HeadGraphs.Shape shape = new HeadGraphs.Shape(s.kind(), dimension, s.hiddenSize(), classes);
    Fit fit = fitByGradient(train, valid, classes, s, dimension, onEpoch);
    byte[] onnx = HeadGraphs.inference(shape, fit.values());
    return new TrainedHead(
        s,
        dimension,
        classes,
        onnx,
        fit.history(),
        fit.bestEpoch(),
        Double.NaN,
        (System.nanoTime() - start) / 1e9);
  }

  /** The kept epoch's parameter values, every epoch's metrics, and which epoch was kept. */
  private record Fit(Map<String, float[]> values, List<EpochMetrics> history, int bestEpoch) {}

  private static Fit fitByGradient(
      LabeledVectors train,
      LabeledVectors valid,
      int classes,
      HeadSettings s,
      int dimension,
      Consumer<EpochMetrics> onEpoch) {
    HeadGraphs.Shape shape = new HeadGraphs.Shape(s.kind(), dimension, s.hiddenSize(), classes);
    boolean dropout = shape.hasHiddenLayer() && s.dropout() > 0;
    AdamW.Settings optimizer =
        AdamW.Settings.defaults().withWeightDecay(s.weightDecay()).withClipNorm(0);
    AdamWStep adamW = new AdamWStep(optimizer);
    Random random = new Random(s.seed());
    Map<String, HostTensor> state = initialState(shape, random);
    List<String> trained = shape.parameters().stream().map(HeadGraphs.Parameter::name).toList();
    double[] classWeight = CrossEntropy.classWeights(train.labels(), classes, s.balanceClasses());

    List<EpochMetrics> history = new ArrayList<>();
    EarlyStopping stopping = new EarlyStopping(s.patience());
    int step = 0;
    double loss = Double.NaN;
    int n = train.size();
    int[] order = IntStream.range(0, n).toArray();
    try (GraphSession trainStep =
            new GraphSession(HeadGraphs.trainingStep(shape, optimizer, dropout), 1);
        GraphSession evaluate = new GraphSession(HeadGraphs.evaluation(shape), 1)) {
      for (int epoch = 1; epoch <= s.epochs(); epoch++) {
        EpochOrder.shuffle(order, random);
        double lossSum = 0;
        for (int from = 0; from < n; from += s.batchSize()) {
          int to = Math.min(n, from + s.batchSize());
          step++;
          Map<String, HostTensor> feed =
              new HashMap<>(batch(train, order, from, to, dimension, classes, classWeight));
          if (dropout) {
            feed.put(
                HeadGraphs.DROPOUT_MASK,
                dropoutMask(to - from, s.hiddenSize(), s.dropout(), random));
          }
          adamW.feed(feed, state, trained, s.learningRate(), Map.of("", step));
          Map<String, HostTensor> out = trainStep.run(feed);
          loss = out.get(HeadGraphs.LOSS).get(0);
          TrainingDivergedException.requireFinite(loss, TRAINING, epoch, step, s.learningRate());
          lossSum += loss * (to - from);
          AdamWStep.update(state, out, trained);
        }
        Map<String, HostTensor> params = parameters(shape, state);
        TrainingDivergedException.requireFinite(
            params, TRAINING, epoch, step, loss, s.learningRate());
        float[][] trainProbabilities =
            probabilities(evaluate, params, train.vectors(), dimension, classes);
        double trainAccuracy = Predictions.accuracy(trainProbabilities, train.labels());
        double validLoss = Double.NaN;
        double validAccuracy = Double.NaN;
        double validF1 = Double.NaN;
        if (valid != null && valid.size() > 0) {
          float[][] p = probabilities(evaluate, params, valid.vectors(), dimension, classes);
          validLoss = CrossEntropy.mean(p, valid.labels());
          ClassificationMetrics m =
              ClassificationMetrics.compute(labelNames(classes), valid.labels(), p);
          validAccuracy = m.accuracy();
          validF1 = m.macroF1();
        }
        EpochMetrics metrics =
            new EpochMetrics(epoch, lossSum / n, trainAccuracy, validLoss, validAccuracy, validF1);
        history.add(metrics);
        if (onEpoch != null) {
          onEpoch.accept(metrics);
        }
        if (!stopping.improved(metrics, params) && stopping.patienceRunOut(epoch)) {
          log.debug(
              "Early stop after epoch {}: best macro-F1 {} at epoch {}",
              epoch,
              stopping.bestF1(),
              stopping.bestEpoch());
          break;
        }
      }
    }
    Map<String, float[]> values = new LinkedHashMap<>();
    stopping.best().forEach((name, t) -> values.put(name, t.floats()));
    return new Fit(values, List.copyOf(history), stopping.bestEpoch());
  }

  /** Parameters (Xavier/Glorot uniform weights, zero biases) and zero optimizer state. */
  private static Map<String, HostTensor> initialState(HeadGraphs.Shape shape, Random random) {
    Map<String, HostTensor> state = new LinkedHashMap<>();
    for (HeadGraphs.Parameter p : shape.parameters()) {
      float[] values = new float[p.size()];
      if (p.shape().length == 2) {
        double limit = Math.sqrt(6.0 / (p.shape()[0] + p.shape()[1]));
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
        }
      }
      state.put(p.name(), HostTensor.of(values, p.shape()));
    }
    AdamWStep.addZeroMoments(state);
    return state;
  }

  private static Map<String, HostTensor> parameters(
      HeadGraphs.Shape shape, Map<String, HostTensor> state) {
    Map<String, HostTensor> params = new LinkedHashMap<>();
    for (HeadGraphs.Parameter p : shape.parameters()) {
      params.put(p.name(), state.get(p.name()));
    }
    return params;
  }

  private static Map<String, HostTensor> batch(
      LabeledVectors data,
      int[] order,
      int from,
      int to,
      int dimension,
      int classes,
      double[] classWeight) {
    int rows = to - from;
    float[] x = new float[rows * dimension];
    int[] labels = new int[rows];
    for (int r = 0; r < rows; r++) {
      int i = order[from + r];
      System.arraycopy(data.vectors()[i], 0, x, r * dimension, dimension);
      labels[r] = data.labels()[i];
    }
    return Map.of(
        dev.ferry.models.bundle.ClassifierHead.INPUT, HostTensor.of(x, rows, dimension),
        HeadGraphs.TARGET, CrossEntropy.target(labels, classes, classWeight));
  }

  private static HostTensor dropoutMask(int rows, int hidden, double p, Random random) {
    float[] mask = new float[rows * hidden];
    float keep = (float) (1 / (1 - p));
    for (int i = 0; i < mask.length; i++) {
      mask[i] = random.nextDouble() < p ? 0 : keep;
    }
    return HostTensor.of(mask, rows, hidden);
  }

  // ---- Centroid head ------------------------------------------------------------------------

  /**
   * Class centroids of the (unit-length) training embeddings, turned into a linear head: logits =
   * temperature × cosine(x, centroid). The temperature minimizes the validation (or, with no
   * validation set, training) cross-entropy over a fixed grid.
   */
  private static TrainedHead trainCentroid(
      LabeledVectors train,
      LabeledVectors valid,
      int classes,
      HeadSettings s,
      int dimension,
      long start) {
    double[][] sums = new double[classes][dimension];
    int[] counts = new int[classes];
    for (int i = 0; i < train.size(); i++) {
      int y = train.labels()[i];
      counts[y]++;
      float[] v = train.vectors()[i];
      for (int k = 0; k < dimension; k++) {
        sums[y][k] += v[k];
      }
    }
    float[][] centroids = new float[classes][dimension];
    for (int c = 0; c < classes; c++) {
      double norm = 0;
      for (int k = 0; k < dimension; k++) {
        norm += sums[c][k] * sums[c][k];
      }
      norm = Math.sqrt(norm);
      for (int k = 0; k < dimension; k++) {
        centroids[c][k] = norm == 0 ? 0 : (float) (sums[c][k] / norm);
      }
    }
    LabeledVectors fitOn = valid != null && valid.size() > 0 ? valid : train;
    double bestTemperature = TEMPERATURES[0];
    double bestLoss = Double.POSITIVE_INFINITY;
    byte[] bestOnnx = null;
    HeadGraphs.Shape shape = new HeadGraphs.Shape(HeadKind.LINEAR, dimension, 1, classes);
    for (double t : TEMPERATURES) {
      float[] weight = new float[dimension * classes];
      for (int k = 0; k < dimension; k++) {
        for (int c = 0; c < classes; c++) {
          weight[k * classes + c] = (float) (t * centroids[c][k]);
        }
      }
      byte[] onnx =
          HeadGraphs.inference(
              shape, Map.of("output.weight", weight, "output.bias", new float[classes]));
      double loss;
      try (GraphSession session = new GraphSession(onnx, 1)) {
        loss =
            CrossEntropy.mean(
                probabilities(session, Map.of(), fitOn.vectors(), dimension, classes),
                fitOn.labels());
      }
      if (loss < bestLoss) {
        bestLoss = loss;
        bestTemperature = t;
        bestOnnx = onnx;
      }
    }
    return new TrainedHead(
        s,
        dimension,
        classes,
        bestOnnx,
        List.of(),
        0,
        bestTemperature,
        (System.nanoTime() - start) / 1e9);
  }

  // ---- Scoring ------------------------------------------------------------------------------

  static float[][] probabilities(
      GraphSession session,
      Map<String, HostTensor> params,
      float[][] vectors,
      int dimension,
      int classes) {
    float[][] out = new float[vectors.length][];
    for (int from = 0; from < vectors.length; from += SCORE_BATCH) {
      int to = Math.min(vectors.length, from + SCORE_BATCH);
      float[] flat = new float[(to - from) * dimension];
      for (int i = from; i < to; i++) {
        System.arraycopy(vectors[i], 0, flat, (i - from) * dimension, dimension);
      }
      float[][] rows = TrainedHead.run(session, params, flat, to - from, dimension, classes);
      System.arraycopy(rows, 0, out, from, rows.length);
    }
    return out;
  }

  private static List<String> labelNames(int classes) {
    List<String> names = new ArrayList<>(classes);
    for (int c = 0; c < classes; c++) {
      names.add(Integer.toString(c));
    }
    return names;
  }
}
