package dev.ferry.eval.finetune;

import dev.ferry.models.encoder.Encoder;
import dev.ferry.trainer.data.LabeledDataReader;
import dev.ferry.trainer.data.LabeledExample;
import dev.ferry.trainer.finetune.FineTuner;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training speed on CPU, features against fine-tuning (eval/RESULTS.md): the first 128 stories
 * of a labeled file cut to 500 characters; embedding them once with the frozen encoder, one
 * epoch of top-2 fine-tuning, one epoch of full fine-tuning on 32 of them.
 *
 * <p>Run: {@code java -Xss4m -cp ... dev.ferry.eval.finetune.FineTuneSpeed ../shared/data/reuters-grain-train.jsonl.gz}
 */
public final class FineTuneSpeed {
  private FineTuneSpeed() {}

  /** Prints one line per mode. */
  public static void main(String[] args) throws Exception {
    List<LabeledExample> examples = LabeledDataReader.read(Path.of(args[0]), LabeledDataReader.Options.defaults())
        .examples().stream().limit(128).toList();
    List<String> texts = examples.stream().map(e -> e.text().substring(0, Math.min(e.text().length(), 500))).toList();
    Map<String, Integer> classes = new LinkedHashMap<>();
    int[] labels = examples.stream().mapToInt(e -> classes.computeIfAbsent(e.label(), k -> classes.size())).toArray();
    try (Encoder encoder = Encoder.open("all-minilm-l6-v2")) {
      encoder.embed(texts.subList(0, 16));
      long t0 = System.nanoTime();
      encoder.embed(texts);
      System.out.printf("features (embed once, frozen encoder): %.1f examples/s%n",
          texts.size() / ((System.nanoTime() - t0) / 1e9));
      for (int k : new int[] {2, 6}) {  // MiniLM has 6 layers: 6 trains all of it
        List<String> subset = k == 2 ? texts : texts.subList(0, 32);
        FineTuner.Result r = FineTuner.train(encoder, subset, Arrays.copyOf(labels, subset.size()), classes.size(),
            FineTuner.Settings.defaults().withUnfreeze(k).withEpochs(1));
        System.out.printf("fine-tune top %d: %d examples, lower layers cached in %.1f s, %.1f examples/s per epoch%n",
            k, subset.size(), r.cacheSeconds(), r.examplesPerSecond());
      }
    }
  }
}
