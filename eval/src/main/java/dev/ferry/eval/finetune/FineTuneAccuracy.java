package dev.ferry.eval.finetune;

import dev.ferry.eval.accuracy.PerClassSample;
import dev.ferry.eval.baseline.Baselines;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.DocumentEmbedding;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.cache.EmbeddingCache;
import dev.ferry.trainer.finetune.Checkpoints;
import dev.ferry.trainer.finetune.FineTuneExamples;
import dev.ferry.trainer.finetune.FineTuneListener;
import dev.ferry.trainer.finetune.FineTuneResult;
import dev.ferry.trainer.finetune.FineTuneSettings;
import dev.ferry.trainer.finetune.FineTuner;
import dev.ferry.trainer.finetune.HeadStart;
import dev.ferry.trainer.finetune.TunedEncoderWriter;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import dev.ferry.trainer.head.HeadTrainer;
import dev.ferry.trainer.head.LabeledVectors;
import dev.ferry.trainer.head.TrainedHead;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Macro-F1 of feature extraction against fine-tuning the top 2 layers at k training examples per
 * class (eval/RESULTS.md): for each k and seed, a {@link PerClassSample} of the training file; a
 * linear head on frozen embeddings of the whole text (the learning curve's recipe: default
 * settings, 100 epochs, the last kept), once given the chunks' mean and once the default {@code
 * first_mean_max} pooling; and {@link FineTuner} on the same sample with its defaults ({@code ferry
 * train --mode finetune}: top 2 layers, whole texts, the head reading {@code first_mean_max} of
 * their chunks of the model's window and starting from a linear probe), the last epoch kept, its
 * tuned encoder then embedding the test file exactly as its bundle would. A fourth line asks
 * whether the default pooling helps a tuned encoder too: a fresh linear head, fitted like the
 * frozen ones, on the tuned encoder's {@code first_mean_max} reading of the training texts; a fifth
 * is the frozen {@code first_mean_max} head again, reading fine-tuning's chunks (what the chunk
 * size costs before any training). Nothing is chosen on the test file.
 *
 * <p>A sixth argument, a comma-separated list, changes the fine-tuning: {@code chunks} every chunk
 * alone with its text's label, 16 per step, from a random head, 128 tokens ({@code --train-on
 * chunks --head-start random --chunk-tokens 128}), the bundle's head reading the chunks' mean;
 * {@code tokens=N} chunks of N tokens; {@code random} or {@code probe} the head's start ({@code
 * --head-start}); {@code head=X} the head's learning rate X times the encoder's; {@code features}
 * no fine-tuning, the frozen lines only; {@code documents}, the default, changes nothing.
 *
 * <p>Run: {@code java -Xss4m -cp ... dev.ferry.eval.finetune.FineTuneAccuracy reuters
 * ../shared/data 16,64,256 1-2} or {@code ... spamassassin ../shared/data 64 1-5 1000 chunks}
 */
public final class FineTuneAccuracy {
  private static final Chunking WHOLE_MEAN =
      Chunking.DEFAULT.withPooling(ChunkPooling.TOKEN_WEIGHTED_MEAN);
  private static final String[] METHODS = {
    "features, whole text, mean",
    "features, whole text, first_mean_max",
    "fine-tune top 2",
    "fine-tune top 2, then head on first_mean_max",
    "features, fine-tuning's chunks, first_mean_max"
  };

  private FineTuneAccuracy() {}

  /**
   * Prints one line per k, seed and method, then the means. Arguments: {@code reuters} or {@code
   * spamassassin}, the data folder ({@code ../shared/data}), the k values ({@code 16,64,256}), the
   * number of seeds (or a range {@code 2-3}), and optionally at most how many test examples to
   * score (a stratified subset, seed 0; 0 or absent: all). Reuters trains from its train split and
   * tests on its test split; SpamAssassin, as the learning curve does, samples from a stratified
   * half (seed 0) and tests on the other half.
   */
  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[1]);
    Baselines.Split split =
        switch (args[0]) {
          case "reuters" ->
              new Baselines.Split(
                  Baselines.read(data.resolve("reuters-grain-train.jsonl.gz")),
                  Baselines.read(data.resolve("reuters-grain-test.jsonl.gz")));
          case "spamassassin" -> {
            Baselines.LabeledTexts all = Baselines.read(data.resolve("spamassassin.jsonl.gz"));
            yield Baselines.stratifiedSplit(all, all.texts().size() - all.texts().size() / 2, 0);
          }
          default ->
              throw new IllegalArgumentException(
                  "data set must be reuters or spamassassin, was " + args[0]);
        };
    int[] ks = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
    String[] seedRange = args[3].split("-");
    int firstSeed = seedRange.length > 1 ? Integer.parseInt(seedRange[0]) : 1;
    int lastSeed = Integer.parseInt(seedRange[seedRange.length - 1]);
    int seeds = lastSeed - firstSeed + 1;
    int testLimit = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    List<String> flags = args.length > 5 ? List.of(args[5].split(",")) : List.of();
    for (String flag : flags) {
      if (!flag.matches("chunks|documents|random|probe|features|tokens=\\d+|head=[0-9.eE+-]+")) {
        throw new IllegalArgumentException(
            "unknown flag '"
                + flag
                + "': expected chunks, documents, random, probe,"
                + " features, tokens=N or head=X");
      }
    }
    // "chunks": every chunk alone with its text's label, 16 per step, from a random head, 128
    // tokens.
    boolean onChunks = flags.contains("chunks");
    FineTuneSettings tuning = FineTuneSettings.finetune().withUnfreeze(2);
    if (onChunks) {
      tuning = tuning.onChunks().withHeadStart(HeadStart.RANDOM).withMaxTokens(128);
    }
    if (flags.contains("random") || flags.contains("probe")) {
      tuning = tuning.withHeadStart(flags.contains("probe") ? HeadStart.PROBE : HeadStart.RANDOM);
    }
    for (String flag : flags) {
      if (flag.startsWith("tokens=")) {
        tuning = tuning.withMaxTokens(Integer.parseInt(flag.substring(7)));
      } else if (flag.startsWith("head=")) {
        // The head's learning rate X times the encoder's (default 20).
        tuning = tuning.withHeadRateFactor(Double.parseDouble(flag.substring(5)));
      }
    }
    Baselines.LabeledTexts test =
        testLimit > 0 && testLimit < split.test().texts().size()
            ? Baselines.stratifiedSplit(split.test(), testLimit, 0).train()
            : split.test();
    List<String> trainLabels = split.train().labels();
    List<String> trainTexts = split.train().texts();
    List<String> labels = List.copyOf(new TreeSet<>(trainLabels));
    int[] testY = test.labels().stream().mapToInt(labels::indexOf).toArray();
    List<String> testTexts = test.texts();
    System.out.printf(
        Locale.ROOT, "%s: pool %d, test %d%n", args[0], trainTexts.size(), testTexts.size());
    EncoderOptions options = EncoderOptions.defaults();
    try (Encoder base = Encoder.open("all-minilm-l6-v2", options)) {
      // How fine-tuning and its bundle read a text: its chunks (of the model's window by default).
      Chunking tunedChunks = tuning.chunking(Chunking.DEFAULT, base.descriptor().maxLength());
      // The same chunks read as the default pooling reads them, for a head fitted on them.
      Chunking tunedFirstMeanMax = tunedChunks.withPooling(ChunkPooling.FIRST_MEAN_MAX);
      float[][] testMean = embed(base, testTexts, WHOLE_MEAN);
      float[][] testFirstMeanMax = embed(base, testTexts, Chunking.DEFAULT);
      float[][] testTunedChunks = embed(base, testTexts, tunedFirstMeanMax);
      for (int k : ks) {
        double[][] f1 = new double[METHODS.length][seeds];
        for (int seed = firstSeed; seed <= lastSeed; seed++) {
          int at = seed - firstSeed;
          int[] rows = PerClassSample.draw(trainLabels, k, seed).indices();
          List<String> texts = Arrays.stream(rows).mapToObj(trainTexts::get).toList();
          int[] y = Arrays.stream(rows).map(i -> labels.indexOf(trainLabels.get(i))).toArray();
          f1[0][at] = features(base, texts, y, testMean, testY, labels, WHOLE_MEAN);
          f1[1][at] = features(base, texts, y, testFirstMeanMax, testY, labels, Chunking.DEFAULT);
          f1[4][at] = features(base, texts, y, testTunedChunks, testY, labels, tunedFirstMeanMax);
          if (flags.contains("features")) {
            // Frozen readings only: what the chunk size costs a head before any fine-tuning.
            System.out.printf(
                Locale.ROOT,
                "k=%d seed=%d: %s %.3f, %s %.3f, %s %.3f%n",
                k,
                seed,
                METHODS[0],
                f1[0][at],
                METHODS[1],
                f1[1][at],
                METHODS[4],
                f1[4][at]);
            continue;
          }
          long t0 = System.nanoTime();
          FineTuneExamples chunks = FineTuneExamples.chunks(base, tunedChunks, texts, y);
          FineTuneResult r =
              FineTuner.train(
                  base,
                  chunks,
                  null,
                  labels.size(),
                  tuning.withSeed(seed),
                  Checkpoints.NONE,
                  FineTuneListener.NONE);
          double trainSeconds = (System.nanoTime() - t0) / 1e9;
          double[] tuned =
              tuned(base, r, texts, y, testTexts, testY, labels, tunedChunks, tunedFirstMeanMax);
          f1[2][at] = tuned[0];
          f1[3][at] = tuned[1];
          System.out.printf(
              Locale.ROOT,
              "k=%d seed=%d n=%d (%d chunks): %s %.3f, %s %.3f, %s %.3f, %s %.3f, %s %.3f"
                  + " (%d epochs, %.0f s training, %.1f ex/s, %.0f s in all)%n",
              k,
              seed,
              rows.length,
              chunks.size(),
              METHODS[0],
              f1[0][at],
              METHODS[1],
              f1[1][at],
              METHODS[2],
              f1[2][at],
              METHODS[3],
              f1[3][at],
              METHODS[4],
              f1[4][at],
              r.settings().epochs(),
              trainSeconds,
              r.examplesPerSecond(),
              (System.nanoTime() - t0) / 1e9);
        }
        for (int m = 0; m < METHODS.length; m++) {
          System.out.printf(
              Locale.ROOT,
              "RESULT k=%d %s: %.3f ± %.3f over seeds %d-%d%n",
              k,
              METHODS[m],
              mean(f1[m]),
              sd(f1[m]),
              firstSeed,
              lastSeed);
        }
      }
    }
  }

  private static float[][] embed(Encoder encoder, List<String> texts, Chunking chunking)
      throws Exception {
    try (EmbeddingCache cache = EmbeddingCache.openDefault(encoder.descriptor(), chunking)) {
      return cache.embed(encoder, texts, null);
    }
  }

  private static double features(
      Encoder base,
      List<String> texts,
      int[] y,
      float[][] testVectors,
      int[] testY,
      List<String> labels,
      Chunking chunking)
      throws Exception {
    TrainedHead head =
        HeadTrainer.train(
            new LabeledVectors(embed(base, texts, chunking), y),
            null,
            labels.size(),
            HeadSettings.defaults(HeadKind.LINEAR),
            null);
    return ClassificationMetrics.compute(labels, testY, head.probabilities(testVectors)).macroF1();
  }

  /**
   * Scores the tuned encoder two ways, embedding the test texts once in the chunks it was trained
   * on: its own head on the reading its bundle would classify ({@code own}: the chunks' mean, or
   * with {@code --train-on documents} its pooling), what fine-tuning alone gives; and a fresh
   * linear head, fitted like the feature-extraction heads, on {@code refitReads} of the training
   * texts' chunks.
   */
  private static double[] tuned(
      Encoder base,
      FineTuneResult r,
      List<String> trainTexts,
      int[] trainY,
      List<String> testTexts,
      int[] testY,
      List<String> labels,
      Chunking own,
      Chunking refitReads)
      throws Exception {
    Path dir = Files.createTempDirectory("ferry-tuned-");
    try {
      TunedEncoderWriter.TunedEncoder written = TunedEncoderWriter.write(base, r, "finetune", dir);
      List<DocumentEmbedding> train;
      List<DocumentEmbedding> test;
      try (Encoder tuned = written.open(base.options())) {
        train = tuned.embedDocuments(trainTexts, own);
        test = tuned.embedDocuments(testTexts, own);
      }
      int width = own.pooling().width(base.descriptor().dimension());
      byte[] head = r.head().onnx(width, labels.size());
      TrainedHead ownHead =
          new TrainedHead(
              HeadSettings.defaults(HeadKind.LINEAR),
              width,
              labels.size(),
              head,
              List.of(),
              0,
              Double.NaN,
              0);
      double ownF1 =
          ClassificationMetrics.compute(labels, testY, ownHead.probabilities(features(test, own)))
              .macroF1();
      TrainedHead refit =
          HeadTrainer.train(
              new LabeledVectors(features(train, refitReads), trainY),
              null,
              labels.size(),
              HeadSettings.defaults(HeadKind.LINEAR),
              null);
      double refitF1 =
          ClassificationMetrics.compute(
                  labels, testY, refit.probabilities(features(test, refitReads)))
              .macroF1();
      return new double[] {ownF1, refitF1};
    } finally {
      for (Path p :
          List.of(
              dir.resolve(ModelBundle.ENCODER_FILE),
              dir.resolve(ModelBundle.TOKENIZER_FILE),
              dir)) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static float[][] features(List<DocumentEmbedding> documents, Chunking chunking) {
    return documents.stream().map(chunking.pooling()::features).toArray(float[][]::new);
  }

  private static double mean(double[] v) {
    return Arrays.stream(v).average().orElse(Double.NaN);
  }

  private static double sd(double[] v) {
    double m = mean(v);
    return v.length < 2
        ? 0
        : Math.sqrt(Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1));
  }
}
