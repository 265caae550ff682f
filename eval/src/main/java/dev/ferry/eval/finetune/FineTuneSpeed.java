package dev.ferry.eval.finetune;

import dev.ferry.autodiff.OnnxImport;
import dev.ferry.eval.accuracy.PerClassSample;
import dev.ferry.eval.accuracy.Task;
import dev.ferry.eval.accuracy.Tasks;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.finetune.Checkpoints;
import dev.ferry.trainer.finetune.FineTuneExamples;
import dev.ferry.trainer.finetune.FineTuneListener;
import dev.ferry.trainer.finetune.FineTuneResult;
import dev.ferry.trainer.finetune.FineTuneSettings;
import dev.ferry.trainer.finetune.FineTuner;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fine-tuning's speed and memory on one sample (eval/RESULTS.md), one mode per JVM so that its peak
 * heap and peak resident set (native memory included) are its own: the sample that {@link
 * TokenizedExport} writes for the PyTorch reference ({@code --task}, {@code --k}, {@code --seed}),
 * trained for {@code --epochs} with the recipe the reference runs ({@code --mode top2}: the
 * finetune preset, {@code full}: every layer, {@code contrastive}: the contrastive preset; the
 * method keys of {@link FineTuneMethod} after {@code --set}), on {@code --threads} intra-op threads
 * (0: one per core). {@code --mode features} embeds the sample once with the frozen encoder
 * instead.
 *
 * <p>Prints one JSON line: training texts per second over the steps (graph building and session
 * creation, paid once per run, left out, as the reference leaves out building its model), the
 * seconds of the whole run and of the one-time costs, peak heap and peak RSS ({@code VmHWM}).
 *
 * <p>Run: {@code java -Xss4m -cp ... dev.ferry.eval.finetune.FineTuneSpeed --task movie-reviews --k
 * 64 --mode full --threads 2}; eval/pytorch/speed.sh runs it against the reference, alternately.
 */
public final class FineTuneSpeed {
  private FineTuneSpeed() {}

  public static void main(String[] args) throws Exception {
    long start = System.nanoTime();
    Map<String, String> o = FineTuneAccuracy.options(args);
    Task task =
        FineTuneTasks.read(
            Path.of(o.getOrDefault("data", "../shared/data")),
            o.getOrDefault("task", Tasks.MOVIES),
            Integer.parseInt(o.getOrDefault("spam-test", "1000")),
            0);
    int k = Integer.parseInt(o.getOrDefault("k", "64"));
    int seed = Integer.parseInt(o.getOrDefault("seed", "1"));
    int epochs = Integer.parseInt(o.getOrDefault("epochs", "1"));
    int threads = Integer.parseInt(o.getOrDefault("threads", "0"));
    String mode = o.getOrDefault("mode", "top2");
    List<String> labels = task.labels();
    int[] rows = PerClassSample.draw(task.pool().labels(), k, seed).indices();
    List<String> texts = Arrays.stream(rows).mapToObj(task.pool().texts()::get).toList();
    int[] y = Arrays.stream(rows).map(i -> labels.indexOf(task.pool().labels().get(i))).toArray();
    String result;
    try (Encoder encoder =
        Encoder.open(
            o.getOrDefault("encoder", "all-minilm-l6-v2"),
            EncoderOptions.defaults().withIntraOpThreads(threads))) {
      if (mode.equals("features")) {
        encoder.embedDocuments(texts.subList(0, Math.min(16, texts.size())), Chunking.DEFAULT);
        long t0 = System.nanoTime();
        encoder.embedDocuments(texts, Chunking.DEFAULT);
        double seconds = (System.nanoTime() - t0) / 1e9;
        result = String.format(Locale.ROOT, "\"texts_per_second\": %.2f", texts.size() / seconds);
      } else {
        String method =
            switch (mode) {
              case "top2" -> "finetune:unfreeze=2";
              case "full" -> "full";
              case "contrastive" -> "contrastive";
              default ->
                  throw new IllegalArgumentException(
                      "mode must be features, top2, full or contrastive, was " + mode);
            };
        if (o.containsKey("set")) {
          method += (method.contains(":") ? "," : ":") + o.get("set");
        }
        FineTuneSettings s =
            FineTuneMethod.parse(method).settings().withEpochs(epochs).withSeed(seed);
        Chunking chunking = s.chunking(Chunking.DEFAULT, encoder.descriptor().maxLength());
        FineTuneExamples examples = FineTuneExamples.chunks(encoder, chunking, texts, y);
        FineTuneResult r =
            FineTuner.train(
                encoder, examples, null, labels.size(), s, Checkpoints.NONE, FineTuneListener.NONE);
        result =
            String.format(
                Locale.ROOT,
                "\"texts_per_second\": %.2f, \"epochs\": %d, \"steps\": %d, \"cache_seconds\":"
                    + " %.2f, \"recipe\": \"%s\", \"batch\": %d, \"layers_trained\": %d,"
                    + " \"embeddings_trained\": %b, \"dropout\": %s",
                r.examplesPerSecond(),
                epochs,
                r.stepLosses().size(),
                r.cacheSeconds(),
                method,
                s.batchSize(),
                r.settings().unfreeze(),
                r.settings().trainEmbeddings()
                    && r.settings().unfreeze() == OnnxImport.read(encoder.modelFile()).layerCount(),
                s.dropout());
      }
    }
    long heap = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heap += pool.getPeakUsage().getUsed();
      }
    }
    System.out.printf(
        Locale.ROOT,
        "{\"system\": \"ferry\", \"mode\": \"%s\", \"task\": \"%s\", \"k\": %d, \"threads\": %d,"
            + " \"train_texts\": %d, %s, \"total_seconds\": %.1f, \"peak_heap_mib\": %d,"
            + " \"peak_rss_mib\": %d}%n",
        mode,
        task.id(),
        k,
        threads,
        texts.size(),
        result,
        (System.nanoTime() - start) / 1e9,
        heap >> 20,
        peakRssKib() >> 10);
  }

  /** VmHWM from /proc/self/status (Linux), in KiB; -1 elsewhere. */
  static long peakRssKib() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return -1;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return -1;
  }
}
