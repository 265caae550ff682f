package dev.ferry.trainer.finetune;

import dev.ferry.autodiff.AdamW;
import dev.ferry.autodiff.OnnxImport;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.ExecutionProvider;
import dev.ferry.models.graph.GraphSession;
import dev.ferry.models.graph.HostTensor;
import dev.ferry.trainer.EpochMetrics;
import dev.ferry.trainer.TrainingDivergedException;
import dev.ferry.trainer.loop.CrossEntropy;
import dev.ferry.trainer.loop.EpochOrder;
import dev.ferry.trainer.loop.Predictions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fine-tunes an encoder's layers (all, or the top K) together with a linear head, in Java graphs on
 * the ordinary ONNX Runtime session (no {@code onnxruntime-training}): the training loop.
 *
 * <p>The encoder's own graph is imported ({@link OnnxImport}) and followed by its pooling, a linear
 * head and the class-weighted cross-entropy; one graph run is one step with the AdamW update
 * ({@link FineTuneGraphs}). The layers below the trained ones run once ({@link FrozenLayers}). The
 * rates follow {@link LearningRateSchedule}; layers open as {@link UnfreezeSchedule} says; the head
 * starts as {@link HeadStart} says ({@link LinearProbe}). After each epoch the held-out examples
 * are scored ({@link Scoring}), the best epoch is kept and training stops early as {@link
 * dev.ferry.trainer.loop.EarlyStopping} decides, and the state is saved ({@link Checkpoint}), so
 * that a resumed run gives the same result as one never interrupted.
 */
public final class FineTuner {
  private static final Logger log = LoggerFactory.getLogger(FineTuner.class);

  /** What {@link TrainingDivergedException} calls this training. */
  private static final String TRAINING = "fine-tuning";

  private FineTuner() {}

  /**
   * Fine-tunes {@code encoder} on labeled texts for every epoch, with no held-out examples and no
   * checkpoints.
   *
   * @param labels per text, its class in {@code 0..classes-1}
   */
  public static FineTuneResult train(
      Encoder encoder, List<String> texts, int[] labels, int classes, FineTuneSettings s) {
    return train(
        encoder,
        new FineTuneExamples(texts, labels),
        null,
        classes,
        s,
        Checkpoints.NONE,
        FineTuneListener.NONE);
  }

  /**
   * Fine-tunes {@code encoder}, scoring each epoch on {@code valid} and keeping the best. The
   * encoder's ONNX Runtime session is released once the texts are tokenized ({@link
   * Encoder#releaseSession}); the caller's next embedding opens it again.
   *
   * @param valid held-out examples, or null to run every epoch and keep the last
   * @param listener hears the steps and epochs
   */
  public static FineTuneResult train(
      Encoder encoder,
      FineTuneExamples train,
      FineTuneExamples valid,
      int classes,
      FineTuneSettings settings,
      Checkpoints checkpoints,
      FineTuneListener listener) {
    if (train.size() == 0) {
      throw new IllegalArgumentException("no training examples");
    }
    OnnxImport model;
    try {
      model = OnnxImport.read(encoder.modelFile());
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + encoder.modelFile(), e);
    }
    Batches.Units units = Batches.Units.of(train, settings.trainOn());
    FineTuneSettings s = resolve(settings, encoder, model, units.size());
    FineTuneGraphs.Spec spec =
        FineTuneGraphs.Spec.of(
            model, s, classes, encoder.descriptor().pooling(), encoder.descriptor().normalize());
    // A contrastive loss has no head to score held-out examples with: its head is fitted later.
    boolean hasValid = valid != null && valid.size() > 0 && spec.classifier();
    int threads = threads(encoder);
    long[][] ids = Batches.tokenize(encoder, train.texts(), s.maxTokens());
    long[][] validIds = hasValid ? Batches.tokenize(encoder, valid.texts(), s.maxTokens()) : null;
    // The encoder's own session is idle from here on (the graphs below hold the model): its memory
    // is freed until the caller embeds again.
    encoder.releaseSession();
    long t0 = System.nanoTime();
    // Every graph runs where the encoder really runs (--device): on the CPU if CUDA fell back,
    // which
    // the encoder has already said once.
    ExecutionProvider device = encoder.executionProvider();
    log.info("Fine-tuning graphs run on {}", device.id());
    Scoring.Prepared trainSet =
        new Scoring.Prepared(units, ids, FrozenLayers.run(spec, ids, device, threads));
    Scoring.Prepared validSet =
        hasValid
            ? new Scoring.Prepared(
                Batches.Units.of(valid, s.trainOn()),
                validIds,
                FrozenLayers.run(spec, validIds, device, threads))
            : null;
    double cacheSeconds = (System.nanoTime() - t0) / 1e9;

    String fingerprint =
        Checkpoint.fingerprint(encoder.descriptor().modelSha256(), s, train, valid);
    Checkpoint resumed =
        checkpoints.resume() && checkpoints.directory() != null
            ? Checkpoint.readLast(checkpoints.directory(), fingerprint)
            : null;
    FineTuneState p;
    if (resumed != null) {
      p = FineTuneState.resume(resumed, s.patience());
      log.info(
          "Resuming fine-tuning after epoch {} from {}", resumed.epoch(), checkpoints.directory());
    } else {
      p = FineTuneState.start(spec, model, s.seed(), s.patience());
      if (spec.classifier() && s.headStart() == HeadStart.PROBE) {
        LinearProbe.startHead(spec, p.values, trainSet, s, device, threads);
      }
    }
    Map<String, Double> rateScale = LearningRateSchedule.rateScales(spec, s);
    double[] classWeight = CrossEntropy.classWeights(units.labels(), classes, s.balanceClasses());
    AdamW.Settings optimizer =
        AdamW.Settings.defaults().withWeightDecay(s.weightDecay()).withClipNorm(s.clipNorm());
    int n = units.size();
    long rowsRun = 0;
    // Time in the steps alone: graph building and session creation, paid once, are left out.
    long stepNanos = 0;
    long buildNanos = 0;
    int stepsPerEpoch = (n + s.batchSize() - 1) / s.batchSize();
    int totalSteps = stepsPerEpoch * s.epochs();
    LearningRateSchedule schedule =
        new LearningRateSchedule(s.learningRate(), s.warmupFraction(), totalSteps);
    long t1 = System.nanoTime();
    int stepsRun = 0;
    int stepOpen = -1;
    int lastEpoch = resumed != null && resumed.stopped() ? resumed.epoch() : s.epochs();
    List<String> dropped = s.dropout() > 0 ? FineTuneGraphs.dropoutValues(spec) : List.of();
    Map<String, Integer> opensAfter = s.unfreezeSchedule().opensAfter(spec);
    try (GraphSession evaluate =
            hasValid ? new GraphSession(FineTuneGraphs.evaluation(spec), threads, device) : null;
        TrainingSteps steps =
            new TrainingSteps(
                spec,
                optimizer,
                rateScale,
                UnfreezeSchedule.groups(opensAfter),
                s.dropout() > 0,
                threads,
                device,
                s.tokensPerPass())) {
      for (int epoch = p.epoch + 1; epoch <= lastEpoch; epoch++) {
        int open = s.unfreezeSchedule().open(epoch, s.unfreeze());
        if (open != stepOpen) {
          log.debug("Epoch {}: {} of {} top layers train", epoch, open, s.unfreeze());
          stepOpen = open;
        }
        // The trained parameters and moments stay in native memory, and only there, until the
        // epoch ends.
        List<String> trained = steps.open(open, p.values);
        int[] order = IntStream.range(0, n).toArray();
        Random random = EpochOrder.ofEpoch(s.seed(), epoch);
        if (spec.classifier()) {
          EpochOrder.shuffle(order, random);
        } else {
          // Every batch drawn evenly over the labels, so that each has pairs of both kinds.
          order = Batches.balancedOrder(units.labels(), classes, s.batchSize(), random);
        }
        SplittableRandom dropoutRandom = new SplittableRandom(random.nextLong());
        double lossSum = 0;
        int correct = 0;
        Set<String> outputs =
            spec.classifier()
                ? Set.of(FineTuneGraphs.LOSS, FineTuneGraphs.PROBABILITIES)
                : Set.of(FineTuneGraphs.LOSS);
        for (int from = 0; from < n; from += s.batchSize()) {
          long stepStart = System.nanoTime();
          int[] batchUnits = Arrays.copyOfRange(order, from, Math.min(n, from + s.batchSize()));
          int[] rows = units.rows(batchUnits);
          int t = ++p.step;
          // What the loss reads of the whole batch; the chunks' inputs come pass by pass.
          Map<String, HostTensor> feed = new HashMap<>();
          if (units.documents()) {
            feed.putAll(
                Batches.documentInputs(spec.chunkPooling(), units, batchUnits, trainSet.ids()));
          }
          int[] batchLabels = units.labels(batchUnits);
          if (spec.classifier()) {
            feed.put(FineTuneGraphs.TARGET, CrossEntropy.target(batchLabels, classes, classWeight));
          } else {
            feed.putAll(Batches.pairInputs(spec, batchUnits, batchLabels));
          }
          // Each parameter counts its own steps, from the epoch it opened (gradual) or from the
          // start.
          Map<String, Integer> stepOfGroup = new LinkedHashMap<>();
          for (int after : UnfreezeSchedule.groupStarts(trained, opensAfter)) {
            stepOfGroup.put(UnfreezeSchedule.group(after), t - after * stepsPerEpoch);
          }
          int[][] passes = Batches.passes(trainSet.ids(), rows, s.tokensPerPass());
          // In passes each pass is made twice (GradientCache): its dropout masks come from a seed
          // of its own.
          long[] passSeeds = new long[passes.length];
          if (passes.length > 1) {
            Arrays.setAll(passSeeds, k -> dropoutRandom.nextLong());
          }
          Map<String, HostTensor> out =
              steps.step(
                  feed,
                  passes,
                  k ->
                      chunkInputs(
                          spec,
                          trainSet,
                          passes[k],
                          dropped,
                          s.dropout(),
                          passes.length == 1 ? dropoutRandom : new SplittableRandom(passSeeds[k])),
                  outputs,
                  schedule.at(t),
                  stepOfGroup);
          double loss = out.get(FineTuneGraphs.LOSS).get(0);
          TrainingDivergedException.requireFinite(loss, TRAINING, epoch, t, s.learningRate());
          p.stepLosses.add(loss);
          lossSum += loss * batchUnits.length;
          rowsRun += rows.length;
          if (spec.classifier()) {
            correct +=
                Predictions.correct(
                    rowsOf(out.get(FineTuneGraphs.PROBABILITIES), classes), batchLabels);
          }
          stepsRun++;
          stepNanos += System.nanoTime() - stepStart;
          listener.steps(t, totalSteps);
        }
        // The moments only for a checkpoint: the next epoch keeps them in native memory.
        steps.copyOut(p.values, checkpoints.directory() != null);
        buildNanos = steps.buildNanos();
        p.epoch = epoch;
        Map<String, HostTensor> parameters = p.parameters(spec);
        TrainingDivergedException.requireFinite(
            parameters, TRAINING, epoch, p.step, p.stepLosses.getLast(), s.learningRate());
        EpochMetrics metrics =
            Scoring.score(
                evaluate,
                spec,
                parameters,
                epoch,
                lossSum / n,
                spec.classifier() ? (double) correct / n : Double.NaN,
                validSet);
        p.history.add(metrics);
        boolean better = p.stopping.improved(metrics, parameters);
        log.info(
            "Fine-tuning epoch {}/{} ({} open): loss {}, valid macro-F1 {}",
            epoch,
            s.epochs(),
            open == 1 ? "1 layer" : open + " layers",
            String.format(Locale.ROOT, "%.4f", metrics.trainLoss()),
            String.format(Locale.ROOT, "%.4f", metrics.validMacroF1()));
        boolean stop = !better && p.stopping.patienceRunOut(epoch);
        if (checkpoints.directory() != null) {
          Checkpoint.write(checkpoints.directory(), p.checkpoint(fingerprint, stop));
        }
        listener.epoch(metrics);
        if (stop) {
          log.info(
              "Early stop after epoch {}: best macro-F1 {} at epoch {}",
              epoch,
              p.stopping.bestF1(),
              p.stopping.bestEpoch());
          break;
        }
      }
    }
    double seconds = (System.nanoTime() - t1) / 1e9;
    Map<String, HostTensor> best = p.kept(spec);
    // The moments are not needed any more: let them go before the tuned model is written.
    p.values = Map.of();
    Map<String, HostTensor> adapters = new LinkedHashMap<>();
    byte[] encoderOnnx =
        model.withParameters(AdapterMerge.tunedParameters(spec, model, best, adapters));
    return new FineTuneResult(
        List.copyOf(p.stepLosses),
        encoderOnnx,
        spec.classifier() ? best.get(FineTuneGraphs.HEAD_WEIGHT) : null,
        spec.classifier() ? best.get(FineTuneGraphs.HEAD_BIAS) : null,
        List.copyOf(p.history),
        p.stopping.bestEpoch(),
        cacheSeconds,
        stepsRun == 0 ? 0 : rowsRun / ((stepNanos - buildNanos) / 1e9),
        resumed == null ? 0 : resumed.epoch(),
        Map.copyOf(adapters),
        device,
        s);
  }

  /**
   * The inputs of some chunks: their cached hidden states (or token ids), the attention mask and,
   * in training with dropout, the keep scale and a mask per dropped value drawn from {@code
   * random}.
   */
  private static Map<String, HostTensor> chunkInputs(
      FineTuneGraphs.Spec spec,
      Scoring.Prepared set,
      int[] rows,
      List<String> dropped,
      double dropout,
      SplittableRandom random) {
    Map<String, HostTensor> in =
        new HashMap<>(Batches.examples(spec, set.ids(), set.cached(), rows));
    int[] size = Batches.rowsAndWidth(spec, in);
    if (!dropped.isEmpty()) {
      in.put(FineTuneGraphs.DROPOUT_SCALE, Batches.dropoutScale(dropout));
    }
    for (String value : dropped) {
      in.put(
          FineTuneGraphs.dropoutMask(value),
          Batches.dropoutMask(spec.model().shape(value), size[0], size[1], dropout, random));
    }
    return in;
  }

  /**
   * The settings with {@link FineTuneSettings#ALL}, the model window and the automatic epochs
   * resolved.
   */
  private static FineTuneSettings resolve(
      FineTuneSettings settings, Encoder encoder, OnnxImport model, int units) {
    FineTuneSettings s =
        (settings.unfreeze() == FineTuneSettings.ALL
                ? settings.withUnfreeze(model.layerCount())
                : settings)
            .withMaxTokens(settings.maxTokensFor(encoder.descriptor().maxLength()))
            .withEpochs(settings.epochsFor(units));
    if (s.unfreeze() > model.layerCount()) {
      throw new IllegalArgumentException(
          "unfreeze must be at most "
              + model.layerCount()
              + " (the layers of "
              + encoder.descriptor().id()
              + "), was "
              + s.unfreeze());
    }
    return s;
  }

  /**
   * The intra-op threads of the fine-tuning graphs: the encoder's ({@code --threads}; by default
   * one per core). On the CPU, one thread gives results that repeat bit for bit on any machine;
   * more repeat on the same machine and thread count.
   */
  static int threads(Encoder encoder) {
    return encoder.options().effectiveIntraOpThreads();
  }

  /** The rows of a float [rows, width] tensor. */
  private static float[][] rowsOf(HostTensor t, int width) {
    float[] p = t.floats();
    float[][] rows = new float[p.length / width][];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = Arrays.copyOfRange(p, r * width, (r + 1) * width);
    }
    return rows;
  }
}
