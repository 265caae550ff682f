package dev.ferry.eval.finetune;

import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.encoder.ExecutionProvider;
import dev.ferry.trainer.data.LabeledDataReader;
import dev.ferry.trainer.data.LabeledExample;
import dev.ferry.trainer.finetune.FineTuneResult;
import dev.ferry.trainer.finetune.FineTuneSettings;
import dev.ferry.trainer.finetune.FineTuner;
import dev.ferry.trainer.finetune.HeadStart;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training speed and memory on CPU per mode (eval/RESULTS.md): the first 128 stories of a labeled
 * file cut to 500 characters; {@code features} embeds them once with the frozen encoder, {@code
 * top2} runs one epoch of top-2 fine-tuning on them, {@code full} one epoch of full fine-tuning and
 * {@code lora} one epoch of rank-8 adapters on every layer, both on 32 of them. Run one mode per
 * JVM, so that its peak heap and peak resident set (native memory included) are its own.
 *
 * <p>Run: {@code java -Xss4m -cp ... dev.ferry.eval.finetune.FineTuneSpeed
 * ../shared/data/reuters-grain-train.jsonl.gz MODE [cpu|cuda]} (the device defaults to cpu; cuda
 * needs the {@code -Pgpu} build and falls back to the CPU, saying so).
 */
public final class FineTuneSpeed {
  private FineTuneSpeed() {}

  /** Prints one line: the mode, examples per second, peak heap and peak RSS. */
  public static void main(String[] args) throws Exception {
    String mode = args.length > 1 ? args[1] : "top2";
    ExecutionProvider device =
        args.length > 2 && args[2].equals("cuda") ? ExecutionProvider.CUDA : ExecutionProvider.CPU;
    List<LabeledExample> examples =
        LabeledDataReader.read(Path.of(args[0]), LabeledDataReader.Options.defaults())
            .examples()
            .stream()
            .limit(128)
            .toList();
    List<String> texts =
        examples.stream()
            .map(e -> e.text().substring(0, Math.min(e.text().length(), 500)))
            .toList();
    Map<String, Integer> classes = new LinkedHashMap<>();
    int[] labels =
        examples.stream()
            .mapToInt(e -> classes.computeIfAbsent(e.label(), k -> classes.size()))
            .toArray();
    double rate;
    String note;
    try (Encoder encoder =
        Encoder.open("all-minilm-l6-v2", EncoderOptions.defaults().withExecutionProvider(device))) {
      if (mode.equals("features")) {
        encoder.embed(texts.subList(0, 16));
        long t0 = System.nanoTime();
        encoder.embed(texts);
        rate = texts.size() / ((System.nanoTime() - t0) / 1e9);
        note =
            "embed once, frozen encoder on "
                + encoder.executionProvider().id()
                + ", default threads";
      } else {
        // Each text one example, 16 per step, up to 128 tokens, as eval/RESULTS.md's speed table
        // measured.
        FineTuneSettings steps =
            FineTuneSettings.finetune()
                .onChunks()
                .withHeadStart(HeadStart.RANDOM)
                .withMaxTokens(128);
        FineTuneSettings settings =
            switch (mode) {
              case "top2" -> steps.withUnfreeze(2);
              case "full" -> steps.withUnfreeze(FineTuneSettings.ALL);
              case "lora" -> steps.withUnfreeze(FineTuneSettings.ALL).withRank(8);
              default ->
                  throw new IllegalArgumentException(
                      "mode must be features, top2, full or lora, was " + mode);
            };
        List<String> subset = mode.equals("top2") ? texts : texts.subList(0, 32);
        FineTuneResult r =
            FineTuner.train(
                encoder,
                subset,
                Arrays.copyOf(labels, subset.size()),
                classes.size(),
                settings.withEpochs(1));
        rate = r.examplesPerSecond();
        note =
            subset.size()
                + " examples on "
                + r.device().id()
                + ", frozen layers cached in "
                + String.format("%.1f", r.cacheSeconds())
                + " s";
      }
    }
    long heap = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heap += pool.getPeakUsage().getUsed();
      }
    }
    System.out.printf(
        "%s: %.1f examples/s (%s); peak heap %d MiB, peak RSS %d MiB%n",
        mode, rate, note, heap >> 20, peakRssKib() >> 10);
  }

  /** VmHWM from /proc/self/status (Linux), in KiB; -1 elsewhere. */
  private static long peakRssKib() throws IOException {
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
