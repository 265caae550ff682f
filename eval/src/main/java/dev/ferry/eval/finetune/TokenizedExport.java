package dev.ferry.eval.finetune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.eval.accuracy.PerClassSample;
import dev.ferry.eval.accuracy.Task;
import dev.ferry.eval.accuracy.Tasks;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.finetune.FineTuneSettings;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes what fine-tuning trains and is tested on, as token ids, for the PyTorch reference
 * (eval/pytorch/finetune_reference.py): the same {@link PerClassSample} and test set as {@link
 * FineTuneAccuracy}, each text's ids as the encoder tokenizes a one-chunk document (prefix and
 * special tokens included), so that both read exactly the same inputs. A header line gives the
 * classes, the encoder's pooling and normalization and what the head reads; then one line per text:
 * {@code {"split": "train"|"test", "label": N, "ids": [...]}}. Texts longer than the model's window
 * are refused: the reference reads one chunk per text.
 *
 * <p>Run: {@code java -cp ... dev.ferry.eval.finetune.TokenizedExport --task movie-reviews --k 250
 * --seed 1 --out /tmp/mr-250-1.jsonl} (options as {@link FineTuneAccuracy}'s, plus {@code --k},
 * {@code --seed}, {@code --out}, {@code --no-test}).
 */
public final class TokenizedExport {
  private TokenizedExport() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = FineTuneAccuracy.options(args);
    Path data = Path.of(o.getOrDefault("data", "../shared/data"));
    Task task =
        FineTuneTasks.read(
            data,
            o.getOrDefault("task", Tasks.MOVIES),
            Integer.parseInt(o.getOrDefault("spam-test", "1000")),
            Integer.parseInt(o.getOrDefault("test-limit", "0")));
    int k = Integer.parseInt(o.getOrDefault("k", "250"));
    int seed = Integer.parseInt(o.getOrDefault("seed", "1"));
    boolean withTest = !o.containsKey("no-test");
    List<String> labels = task.labels();
    ObjectMapper json = new ObjectMapper();
    try (Encoder encoder =
            Encoder.open(o.getOrDefault("encoder", "all-minilm-l6-v2"), EncoderOptions.defaults());
        BufferedWriter out = Files.newBufferedWriter(Path.of(o.get("out")))) {
      int window = encoder.descriptor().maxLength();
      ObjectNode header = json.createObjectNode();
      header.put("task", task.id());
      header.put("encoder", encoder.descriptor().id());
      header.put("k", k);
      header.put("seed", seed);
      header.put("classes", labels.size());
      header.put("labels", String.join(",", labels));
      header.put("pooling", encoder.descriptor().pooling().id());
      header.put("normalize", encoder.descriptor().normalize());
      header.put(
          "head_reads",
          FineTuneSettings.finetune().chunking(Chunking.DEFAULT, window).pooling().id());
      out.write(json.writeValueAsString(header));
      out.newLine();
      int[] rows = PerClassSample.draw(task.pool().labels(), k, seed).indices();
      for (int i : rows) {
        write(
            out,
            json,
            encoder,
            window,
            "train",
            task.pool().texts().get(i),
            labels.indexOf(task.pool().labels().get(i)));
      }
      if (withTest) {
        for (int i = 0; i < task.test().size(); i++) {
          write(
              out,
              json,
              encoder,
              window,
              "test",
              task.test().texts().get(i),
              labels.indexOf(task.test().labels().get(i)));
        }
      }
      System.out.printf(
          "%s: %d training and %d test texts to %s%n",
          task.id(), rows.length, withTest ? task.test().size() : 0, o.get("out"));
    }
  }

  private static void write(
      BufferedWriter out,
      ObjectMapper json,
      Encoder encoder,
      int window,
      String split,
      String text,
      int label)
      throws java.io.IOException {
    long[] ids = encoder.tokenIds(text);
    if (encoder.chunkTexts(text, Chunking.DEFAULT).size() > 1 || ids.length > window) {
      throw new IllegalArgumentException(
          "a "
              + split
              + " text is longer than the model's window ("
              + window
              + " tokens): the reference reads one chunk per text");
    }
    ObjectNode row = json.createObjectNode();
    row.put("split", split);
    row.put("label", label);
    Arrays.stream(ids).forEach(row.putArray("ids")::add);
    out.write(json.writeValueAsString(row));
    out.newLine();
  }
}
