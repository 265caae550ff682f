package dev.ferry.eval.finetune;

import dev.ferry.eval.accuracy.PerClassSample;
import dev.ferry.eval.accuracy.Task;
import dev.ferry.eval.accuracy.Tasks;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.DocumentEmbedding;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.cache.EmbeddingCache;
import dev.ferry.trainer.finetune.Checkpoints;
import dev.ferry.trainer.finetune.FineTuneExamples;
import dev.ferry.trainer.finetune.FineTuneListener;
import dev.ferry.trainer.finetune.FineTuneResult;
import dev.ferry.trainer.finetune.FineTuner;
import dev.ferry.trainer.finetune.Quantization;
import dev.ferry.trainer.finetune.TunedEncoderWriter;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import dev.ferry.trainer.head.HeadTrainer;
import dev.ferry.trainer.head.LabeledVectors;
import dev.ferry.trainer.head.TrainedHead;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Macro-F1 of the ways Ferry trains a classifier, on the same samples and seeds (eval/RESULTS.md):
 * for each task, k examples per class and seed, a {@link PerClassSample} of the task's pool (seeds
 * as the accuracy suite draws them), scored on the task's test set ({@link FineTuneTasks}). Nothing
 * is chosen on the test set, and nothing is held out of the sample.
 *
 * <p>The methods ({@link FineTuneMethod}): {@code features}, the frozen default (a linear head on
 * {@code first_mean_max} of the model's chunks, the learning curve's recipe: fitted exactly, its
 * regularization chosen by cross-validation on the sample); {@code finetune}, {@code full} and
 * {@code lora}, {@link FineTuner} with that mode's preset and the last epoch kept, its tuned
 * encoder then embedding the test set exactly as its bundle would, scored with the bundle's head
 * (the frozen default's, fitted on the tuned encoder's vectors) and again ({@code NAME+own-head})
 * with the linear head that trained beside the encoder; {@code contrastive}, the contrastive
 * preset, then the frozen default's head fitted on the tuned encoder's vectors. Each may change
 * settings ({@code contrastive:lr=5e-5,epochs=4}) and ask for the int8 encoder too ({@code
 * int8=true}: the tuned encoder quantized as {@code --quantize int8} writes it, scored again).
 *
 * <p>Prints one tab-separated {@code ROW} line per task, k, seed and method (macro-F1, training
 * seconds, training texts per second), then {@code MEAN} lines (mean ± sd over the seeds).
 *
 * <p>Run: {@code java -Xss4m -cp ... dev.ferry.eval.finetune.FineTuneAccuracy --tasks
 * movie-reviews,trec-questions --shots 8,16,64 --seeds 1-5 --methods 'features;contrastive'}; the
 * options are those of {@link #main}.
 */
public final class FineTuneAccuracy {
  private FineTuneAccuracy() {}

  /**
   * Options: {@code --data DIR} (default {@code ../shared/data}), {@code --tasks} (comma-separated
   * {@link FineTuneTasks#ALL}), {@code --encoder} (default {@code all-minilm-l6-v2}), {@code
   * --shots} (k per class, comma-separated), {@code --seeds} ({@code 1-5} or {@code 3}), {@code
   * --methods} (semicolon-separated {@link FineTuneMethod}s), {@code --spam-test N} (the
   * SpamAssassin test subset, default 1,000), {@code --test-limit N} (score at most N test texts, a
   * stratified subset, seed 0; default all).
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    Path data = Path.of(o.getOrDefault("data", "../shared/data"));
    List<String> tasks = List.of(o.getOrDefault("tasks", String.join(",", Tasks.ALL)).split(","));
    String encoderName = o.getOrDefault("encoder", "all-minilm-l6-v2");
    int[] ks =
        Arrays.stream(o.getOrDefault("shots", "8,16,64").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    String[] seedRange = o.getOrDefault("seeds", "1-5").split("-");
    int firstSeed = seedRange.length > 1 ? Integer.parseInt(seedRange[0]) : 1;
    int lastSeed = Integer.parseInt(seedRange[seedRange.length - 1]);
    List<FineTuneMethod> methods =
        Arrays.stream(o.getOrDefault("methods", "features;contrastive").split(";"))
            .map(FineTuneMethod::parse)
            .toList();
    int spamTest = Integer.parseInt(o.getOrDefault("spam-test", "1000"));
    int testLimit = Integer.parseInt(o.getOrDefault("test-limit", "0"));
    PrintStream out = System.out;
    EncoderOptions options = EncoderOptions.defaults();
    try (Encoder base = Encoder.open(encoderName, options)) {
      for (String taskId : tasks) {
        Task task = FineTuneTasks.read(data, taskId, spamTest, testLimit);
        out.printf(Locale.ROOT, "%s: %s%n", task.id(), task.split());
        List<String> labels = task.labels();
        int[] testY = task.test().labels().stream().mapToInt(labels::indexOf).toArray();
        Map<String, List<Double>> f1 = new LinkedHashMap<>();
        for (int k : ks) {
          for (int seed = firstSeed; seed <= lastSeed; seed++) {
            int[] rows = PerClassSample.draw(task.pool().labels(), k, seed).indices();
            List<String> texts = Arrays.stream(rows).mapToObj(task.pool().texts()::get).toList();
            int[] y =
                Arrays.stream(rows).map(i -> labels.indexOf(task.pool().labels().get(i))).toArray();
            Sample sample = new Sample(texts, y, task.test().texts(), testY, labels);
            for (FineTuneMethod m : methods) {
              for (Score s : score(base, m, sample, seed)) {
                out.printf(
                    Locale.ROOT,
                    "ROW\t%s\t%s\tk=%d\tseed=%d\t%s\t%.4f\t%.1f s\t%.1f texts/s%n",
                    task.id(),
                    encoderName,
                    k,
                    seed,
                    s.method(),
                    s.macroF1(),
                    s.trainSeconds(),
                    s.textsPerSecond());
                out.flush();
                f1.computeIfAbsent("k=" + k + "\t" + s.method(), x -> new ArrayList<>())
                    .add(s.macroF1());
              }
            }
          }
        }
        f1.forEach(
            (key, v) ->
                out.printf(
                    Locale.ROOT,
                    "MEAN\t%s\t%s\t%s\t%.3f ± %.3f\t(%d seeds)%n",
                    task.id(),
                    encoderName,
                    key,
                    mean(v),
                    sd(v),
                    v.size()));
      }
    }
  }

  /** A sample and the test set, labels as indices into {@code labels}. */
  record Sample(
      List<String> texts, int[] y, List<String> testTexts, int[] testY, List<String> labels) {}

  /** One method's score on one sample. */
  record Score(String method, double macroF1, double trainSeconds, double textsPerSecond) {}

  /** Trains {@code m} on the sample and scores it (twice with {@code int8}). */
  static List<Score> score(Encoder base, FineTuneMethod m, Sample sample, int seed)
      throws IOException {
    if (m.kind() == FineTuneMethod.Kind.FEATURES) {
      long t0 = System.nanoTime();
      float[][] train = cached(base, sample.texts(), Chunking.DEFAULT);
      float[][] test = cached(base, sample.testTexts(), Chunking.DEFAULT);
      double f1 = headF1(train, sample, test);
      return List.of(new Score(m.name(), f1, (System.nanoTime() - t0) / 1e9, Double.NaN));
    }
    var settings = m.settings().withSeed(seed);
    // How the tuned bundle reads a text, in training and at classification alike.
    Chunking chunking = settings.chunking(Chunking.DEFAULT, base.descriptor().maxLength());
    long t0 = System.nanoTime();
    FineTuneExamples chunks = FineTuneExamples.chunks(base, chunking, sample.texts(), sample.y());
    FineTuneResult r =
        FineTuner.train(
            base,
            chunks,
            null,
            sample.labels().size(),
            settings,
            Checkpoints.NONE,
            FineTuneListener.NONE);
    double seconds = (System.nanoTime() - t0) / 1e9;
    List<Score> scores = new ArrayList<>();
    List<Quantization> variants =
        m.int8() ? List.of(Quantization.NONE, Quantization.INT8) : List.of(Quantization.NONE);
    for (Quantization q : variants) {
      Path dir = Files.createTempDirectory("ferry-tuned-");
      try {
        TunedEncoderWriter.TunedEncoder written =
            TunedEncoderWriter.write(base, r, m.kind().id(), dir, q);
        String name = m.name() + (q == Quantization.INT8 ? "+int8" : "");
        try (Encoder tuned = written.open(base.options())) {
          float[][] test = features(tuned, sample.testTexts(), chunking);
          // The bundle's head: the frozen default's, fitted on the tuned encoder's vectors.
          double exact = headF1(features(tuned, sample.texts(), chunking), sample, test);
          scores.add(new Score(name, exact, seconds, r.examplesPerSecond()));
          if (r.headWeight() != null) {
            // The same run read by the head that trained beside the encoder.
            double own = ownHeadF1(r, chunking, base.descriptor().dimension(), sample, test);
            scores.add(new Score(name + "+own-head", own, seconds, r.examplesPerSecond()));
          }
        }
      } finally {
        deleteRecursively(dir);
      }
    }
    return scores;
  }

  private static float[][] cached(Encoder encoder, List<String> texts, Chunking chunking)
      throws IOException {
    try (EmbeddingCache cache = EmbeddingCache.openDefault(encoder.descriptor(), chunking)) {
      return cache.embed(encoder, texts, null);
    }
  }

  private static float[][] features(Encoder encoder, List<String> texts, Chunking chunking) {
    List<DocumentEmbedding> documents = encoder.embedDocuments(texts, chunking);
    return documents.stream().map(chunking.pooling()::features).toArray(float[][]::new);
  }

  /** The learning curve's linear head: default settings, no held-out set, the last epoch. */
  private static double headF1(float[][] train, Sample sample, float[][] test) {
    TrainedHead head =
        HeadTrainer.train(
            new LabeledVectors(train, sample.y()),
            null,
            sample.labels().size(),
            HeadSettings.defaults(HeadKind.LINEAR),
            null);
    return ClassificationMetrics.compute(sample.labels(), sample.testY(), head.probabilities(test))
        .macroF1();
  }

  /**
   * The linear head that trained beside the encoder, on the test texts as the bundle reads them.
   */
  private static double ownHeadF1(
      FineTuneResult r, Chunking chunking, int dimension, Sample sample, float[][] test) {
    int width = chunking.pooling().width(dimension);
    int classes = sample.labels().size();
    TrainedHead head =
        new TrainedHead(
            HeadSettings.defaults(HeadKind.LINEAR),
            width,
            classes,
            r.head().onnx(width, classes),
            List.of(),
            0,
            Double.NaN,
            0);
    return ClassificationMetrics.compute(sample.labels(), sample.testY(), head.probabilities(test))
        .macroF1();
  }

  /** {@code --key value} pairs. */
  static Map<String, String> options(String[] args) {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "expected --option value pairs, found '" + args[i] + "'");
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    return o;
  }

  static double mean(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  static double sd(List<Double> v) {
    double m = mean(v);
    return v.size() < 2
        ? 0
        : Math.sqrt(v.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / (v.size() - 1));
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
