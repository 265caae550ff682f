package dev.ferry.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import dev.ferry.trainer.selection.SelectionSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --encoder auto} on 28 real examples with two int8 encoders: the manifest records the
 * candidates, their scores and the choice, the choice follows the scores, and the bundle is the one
 * that naming the chosen encoder and head gives.
 */
class AutoEncoderTrainingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  @Test
  void choosesByCrossValidatedScoresAndTrainsAsIfNamed() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < TrainerTest.SPORT.size(); i++) {
      lines.add(TrainerTest.line("s" + i, TrainerTest.SPORT.get(i), "sport"));
      lines.add(TrainerTest.line("c" + i, TrainerTest.COOKING.get(i), "cooking"));
    }
    Path data = Files.write(dir.resolve("train.jsonl"), lines);
    Path cache = dir.resolve("cache");
    SelectionSettings selection =
        SelectionSettings.builder()
            .candidates(
                List.of(BuiltinEncoder.ALL_MINILM_L6_V2_Q, BuiltinEncoder.BGE_SMALL_EN_V15_Q))
            .heads(List.of(HeadKind.LINEAR, HeadKind.CENTROID))
            .folds(3)
            .probeTexts(8)
            .build();
    HeadSettings head = HeadSettings.defaults(HeadKind.LINEAR).withEpochs(30);
    List<String> notes = new ArrayList<>();
    TrainingListener listener =
        new TrainingListener() {
          @Override
          public void note(String message) {
            notes.add(message);
          }
        };
    TrainingResult auto =
        Trainer.train(
            TrainingConfig.builder(data, dir.resolve("auto"))
                .cacheDirectory(cache)
                .encoderOptions(EncoderOptions.defaults().withIntraOpThreads(1))
                .head(head)
                .encoder(TrainingConfig.AUTO_ENCODER)
                .selection(selection)
                .build(),
            listener);

    JsonNode record = auto.bundle().manifest().training().get("encoder_selection");
    assertThat(record.get("candidates").toString())
        .isEqualTo("[\"all-minilm-l6-v2-q\",\"bge-small-en-v1.5-q\"]");
    assertThat(record.get("folds").asInt()).isEqualTo(3);
    // The best recorded score, and every pair that ties with it.
    String bestName = null;
    double best = -1;
    for (JsonNode c : record.get("scores")) {
      assertThat(c.get("texts_per_second").asDouble()).isPositive();
      assertThat(c.get("uncached_texts").asInt()).isEqualTo(28);
      Iterator<String> heads = c.get("heads").fieldNames();
      List<String> headNames = new ArrayList<>();
      heads.forEachRemaining(headNames::add);
      assertThat(headNames).containsExactly("linear", "centroid");
      for (String h : headNames) {
        JsonNode s = c.get("heads").get(h);
        assertThat(s.get("folds")).hasSize(3);
        double mean = s.get("macro_f1").asDouble();
        if (mean > best) {
          best = mean;
          bestName = c.get("encoder").asText() + " + " + h;
        }
      }
    }
    JsonNode chosen = record.get("chosen");
    String chosenName = chosen.get("encoder").asText() + " + " + chosen.get("head").asText();
    double chosenScore = chosen.get("macro_f1").asDouble();
    assertThat(chosenScore).isGreaterThanOrEqualTo(best - SelectionSettings.TIE_MARGIN - 1e-12);
    if (chosenScore < best) {
      // Only a tie may overrule the argmax, and only for a faster encoder.
      assertThat(speed(record, chosen.get("encoder").asText()))
          .isGreaterThan(speed(record, bestName.substring(0, bestName.indexOf(' '))));
    } else {
      assertThat(chosenScore).isEqualTo(best);
    }
    assertThat(chosenName).isEqualTo(auto.bundle().manifest().encoder().id() + " + " + head(auto));
    assertThat(notes.getLast()).startsWith("Chose " + chosenName + ": cross-validated macro-F1");
    String html =
        Files.readString(auto.bundle().directory().resolve("report").resolve("index.html"));
    assertThat(html).contains("Encoder selection").contains("bge-small-en-v1.5-q");

    // Naming the chosen pair gives the same head, and embeds nothing: the selection cached it.
    TrainingResult named =
        Trainer.train(
            TrainingConfig.builder(data, dir.resolve("named"))
                .cacheDirectory(cache)
                .encoderOptions(EncoderOptions.defaults().withIntraOpThreads(1))
                .head(
                    chosen.get("head").asText().equals("linear")
                        ? head
                        : HeadSettings.defaults(HeadKind.fromId(chosen.get("head").asText())))
                .encoder(chosen.get("encoder").asText())
                .build(),
            TrainingListener.NONE);
    assertThat(named.embeddedTexts()).isZero();
    assertThat(auto.embeddedTexts()).isZero();
    assertThat(Files.readAllBytes(named.bundle().directory().resolve(ModelBundle.HEAD_FILE)))
        .isEqualTo(Files.readAllBytes(auto.bundle().directory().resolve(ModelBundle.HEAD_FILE)));
    assertThat(named.bundle().manifest().training().has("encoder_selection")).isFalse();
  }

  @Test
  void autoIsRefusedOutsideFeatureExtraction() {
    assertThatThrownBy(
            () ->
                TrainingConfig.builder(dir.resolve("d.jsonl"), dir.resolve("out"))
                    .encoder("auto")
                    .mode(TrainingMode.FINETUNE)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("encoder auto (chosen by cross-validation) supports mode features")
        .hasMessageContaining("not finetune");
  }

  private static String head(TrainingResult r) {
    return r.head().settings().kind().id();
  }

  private static double speed(JsonNode record, String encoder) {
    for (JsonNode c : record.get("scores")) {
      if (c.get("encoder").asText().equals(encoder)) {
        return c.get("texts_per_second").asDouble();
      }
    }
    throw new AssertionError(encoder);
  }
}
