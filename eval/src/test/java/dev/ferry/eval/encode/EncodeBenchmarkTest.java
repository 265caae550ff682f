package dev.ferry.eval.encode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.models.encoder.Batching;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's mechanics on a small real run; speed itself is measured by `ferry bench`. */
class EncodeBenchmarkTest {
  @TempDir Path dir;

  @Test
  void measuresBothPathsOnTheSameTexts() {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      texts.add("word ".repeat(1 + i * i / 4));
    }
    List<EncodeBenchmark.Result> results =
        EncodeBenchmark.run(
            new EncodeBenchmark.Config(
                List.of("all-minilm-l6-v2-q"),
                texts,
                1,
                EncoderOptions.defaults().withMaxBatchSize(8)),
            line -> {});
    assertThat(results)
        .extracting(EncodeBenchmark.Result::batching)
        .containsExactly(Batching.LENGTH_BUCKETED, Batching.PAD_TO_MAX_LENGTH);
    EncodeBenchmark.Result bucketed = results.get(0);
    EncodeBenchmark.Result naive = results.get(1);
    assertThat(bucketed.texts()).isEqualTo(24);
    assertThat(bucketed.stats().texts()).isEqualTo(24);
    assertThat(naive.stats().paddedTokens()).isEqualTo(24L * 256);
    assertThat(bucketed.stats().tokens()).isEqualTo(naive.stats().tokens());
    assertThat(bucketed.stats().paddedTokens()).isLessThan(naive.stats().paddedTokens() / 2);
    assertThat(EncodeBenchmark.markdown(results))
        .contains("| all-minilm-l6-v2-q | length-bucketed |")
        .contains("| 1.00x |");
  }

  @Test
  void sampleTakesParagraphsOrDocumentsReproducibly() throws IOException {
    Path file = dir.resolve("docs.jsonl");
    StringBuilder jsonl = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      jsonl
          .append("{\"text\": \"doc ")
          .append(i)
          .append(" first paragraph\\n\\nsecond paragraph of ")
          .append(i)
          .append("\"}\n");
    }
    jsonl.append("not json\n");
    Files.writeString(file, jsonl);
    List<String> a =
        MixedLengthSample.draw(List.of(file), MixedLengthSample.Unit.PARAGRAPHS, 30, 7);
    List<String> b =
        MixedLengthSample.draw(List.of(file), MixedLengthSample.Unit.PARAGRAPHS, 30, 7);
    assertThat(a)
        .hasSize(30)
        .isEqualTo(b)
        .noneMatch(t -> t.contains("\n\n"))
        .anyMatch(t -> t.startsWith("doc"))
        .anyMatch(t -> t.startsWith("second"));
    assertThat(MixedLengthSample.draw(List.of(file), MixedLengthSample.Unit.DOCUMENTS, 500, 7))
        .hasSize(50)
        .allMatch(t -> t.contains("\n\n"));
  }

  @Test
  void sharedDataGivesMixedLengths() throws IOException {
    Path data = Path.of(System.getProperty("ferry.shared.data", "../shared/data"));
    Assumptions.assumeTrue(
        Files.exists(data.resolve("spamassassin.jsonl.gz")), "no ../shared/data");
    List<String> texts =
        MixedLengthSample.draw(
            List.of(
                data.resolve("reuters-grain-train.jsonl.gz"),
                data.resolve("spamassassin.jsonl.gz")),
            MixedLengthSample.Unit.PARAGRAPHS,
            200,
            42);
    int shortest = texts.stream().mapToInt(String::length).min().orElseThrow();
    int longest = texts.stream().mapToInt(String::length).max().orElseThrow();
    assertThat(shortest).isLessThan(100);
    assertThat(longest).isGreaterThan(2000);
  }
}
