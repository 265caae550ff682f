package dev.ferry.eval.accuracy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.models.encoder.EncoderOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cost step's mechanics on a small real run (int8 MiniLM); speed itself is measured by `ferry
 * bench`.
 */
class EncoderCostTest {
  @Test
  void timesEveryEncoderInRoundsAndMeasuresMemoryInAJvmOfItsOwn() throws IOException {
    List<String> shortTexts =
        List.of(
            "How far is the moon?",
            "A tender, funny film.",
            "Wheat exports rose.",
            "Who invented the telephone?");
    List<String> longDocuments =
        List.of("spam offer ".repeat(400), "meeting notes and plans. ".repeat(150));
    List<String> progress = new ArrayList<>();
    List<EncoderCost.Measurement> costs =
        EncoderCost.measure(
            new EncoderCost.Config(
                List.of("all-minilm-l6-v2-q"),
                shortTexts,
                longDocuments,
                2,
                EncoderOptions.defaults().withIntraOpThreads(1),
                true),
            progress::add);
    assertThat(costs).hasSize(1);
    EncoderCost.Measurement c = costs.get(0);
    assertThat(c.shortTexts()).isEqualTo(8);
    assertThat(c.longDocuments()).isEqualTo(4);
    // 800 and 750 words do not fit one 256-token window: each email is read in several chunks.
    assertThat(c.chunksPerDocument()).isGreaterThan(2);
    assertThat(c.shortPerSecond()).isPositive();
    assertThat(c.longPerSecond()).isPositive();
    assertThat(c.peakRssMib()).as("progress: %s", progress).isGreaterThan(50);
    assertThat(progress).contains("round 1/2: all-minilm-l6-v2-q", "round 2/2: all-minilm-l6-v2-q");
  }
}
