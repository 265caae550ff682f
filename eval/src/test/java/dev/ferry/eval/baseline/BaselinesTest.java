package dev.ferry.eval.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselinesTest {
  @TempDir Path dir;

  private static Baselines.LabeledTexts data(int a, int b, int c) {
    List<String> texts = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    int[] counts = {a, b, c};
    String[] names = {"a", "b", "c"};
    for (int k = 0; k < 3; k++) {
      for (int i = 0; i < counts[k]; i++) {
        texts.add(names[k] + i);
        labels.add(names[k]);
      }
    }
    return new Baselines.LabeledTexts(texts, labels);
  }

  @Test
  void stratifiedSplitKeepsProportionsAndIsReproducible() {
    Baselines.LabeledTexts all = data(70, 20, 10);
    Baselines.Split split = Baselines.stratifiedSplit(all, 25, 1);
    // Exact shares 17.5, 5, 2.5: the two halves go to a and c by largest remainder.
    assertThat(split.train().labels()).filteredOn("a"::equals).hasSize(18);
    assertThat(split.train().labels()).filteredOn("b"::equals).hasSize(5);
    assertThat(split.train().labels()).filteredOn("c"::equals).hasSize(2);
    assertThat(split.test().size()).isEqualTo(75);
    List<String> union = new ArrayList<>(split.train().texts());
    union.addAll(split.test().texts());
    assertThat(union).containsExactlyInAnyOrderElementsOf(all.texts());
    assertThat(Baselines.stratifiedSplit(all, 25, 1)).isEqualTo(split);
    assertThat(Baselines.stratifiedSplit(all, 25, 2).train()).isNotEqualTo(split.train());
    assertThatThrownBy(() -> Baselines.stratifiedSplit(all, 101, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void evaluateScoresTheTestSetWithTheBaselinesLabels() {
    List<String> train = List.of("corn corn maize", "corn maize", "oil crude", "oil barrel crude");
    List<String> trainLabels = List.of("corn", "corn", "oil", "oil");
    ClassificationMetrics m =
        Baselines.evaluate(
            new NaiveBayesBaseline(),
            train,
            trainLabels,
            List.of("maize corn", "crude oil", "corn"),
            List.of("corn", "oil", "oil"));
    assertThat(m.labels()).containsExactly("corn", "oil");
    assertThat(m.examples()).isEqualTo(3);
    assertThat(m.accuracy()).isEqualTo(2.0 / 3);
    assertThat(m.confusion()[1][0]).isEqualTo(1);
    assertThat(Baselines.summary("nb", m)).startsWith("nb: accuracy 0.6667").contains("F1[oil]");

    assertThatThrownBy(
            () ->
                Baselines.evaluate(
                    new NaiveBayesBaseline(),
                    train,
                    trainLabels,
                    List.of("wheat"),
                    List.of("wheat")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"wheat\"");
  }

  @Test
  void readsTextAndLabelAndRejectsLinesWithout() throws IOException {
    Path good = dir.resolve("good.jsonl");
    Files.writeString(
        good,
        "{\"text\": \"hello\", \"label\": \"greeting\"}\n\n"
            + "{\"text\": \"bye\", \"label\": \"farewell\", \"id\": 3}\n");
    Baselines.LabeledTexts read = Baselines.read(good);
    assertThat(read.texts()).containsExactly("hello", "bye");
    assertThat(read.labels()).containsExactly("greeting", "farewell");

    Path noLabel = dir.resolve("nolabel.jsonl");
    Files.writeString(noLabel, "{\"text\": \"hello\"}\n");
    assertThatThrownBy(() -> Baselines.read(noLabel))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(":1:")
        .hasMessageContaining("label");
    Path broken = dir.resolve("broken.jsonl");
    Files.writeString(broken, "{\"text\": \"a\", \"label\": \"x\"}\nnot json\n");
    assertThatThrownBy(() -> Baselines.read(broken))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(":2:");
  }
}
