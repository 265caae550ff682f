package dev.ferry.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.trainer.EpochMetrics;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTrainingReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void writesTheCurvesOfADivergedRunWithoutHanging() throws IOException {
    // What a far too high learning rate gives: losses that explode, overflow, then turn NaN.
    List<EpochMetrics> history =
        List.of(
            new EpochMetrics(1, 0.69, 0.5, 0.7, 0.5, 0.4),
            new EpochMetrics(2, 3e15, 0.5, 1e30, 0.5, 0.33),
            new EpochMetrics(3, 1e300, 0.4, Double.POSITIVE_INFINITY, 0.5, 0.33),
            new EpochMetrics(4, Double.NaN, Double.NaN, Double.NaN, 0.5, 0.33));
    TrainingReport.ReportContent content =
        new TrainingReport.ReportContent("diverged", null, history, 1, null, List.of());
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> TrainingReport.write(dir, content));
    assertThat(ImageIO.read(dir.resolve("loss.png").toFile())).isNotNull();
    assertThat(ImageIO.read(dir.resolve("accuracy.png").toFile())).isNotNull();
    JsonNode json = JSON.readTree(dir.resolve("metrics.json").toFile());
    assertThat(json.at("/history/2/valid_loss").isNull()).isTrue();
  }

  @Test
  void writesPageChartsAndJson() throws IOException {
    TrainingReport.write(dir, ReportFixtures.threeClass());

    assertThat(dir.resolve("index.html")).isRegularFile();
    assertThat(dir.resolve("metrics.json")).isRegularFile();
    for (String chart : List.of("loss.png", "accuracy.png")) {
      BufferedImage image = ImageIO.read(dir.resolve(chart).toFile());
      assertThat(image).as(chart).isNotNull();
      assertThat(image.getWidth()).isEqualTo(TrainingReport.CHART_WIDTH * Charts.SCALE);
      assertThat(image.getHeight()).isEqualTo(TrainingReport.CHART_HEIGHT * Charts.SCALE);
    }
    String html = Files.readString(dir.resolve("index.html"));
    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .contains("<img src=\"loss.png\"", "<img src=\"accuracy.png\"")
        .contains("reuters-grain", "grain", "corn", "other")
        .contains("true ↓ / predicted →")
        .contains("14 texts appear twice")
        .contains("epoch 12")
        .doesNotContain("<script", "http://", "https://", "@import", "url(");
  }

  @Test
  void metricsJsonRoundTripsTheNumbers() throws IOException {
    TrainingReport.ReportContent content = ReportFixtures.threeClass();
    TrainingReport.write(dir, content);
    JsonNode json = JSON.readTree(dir.resolve("metrics.json").toFile());
    ClassificationMetrics v = content.validation();

    assertThat(json.get("title").asText()).isEqualTo("reuters-grain");
    assertThat(json.get("best_epoch").asInt()).isEqualTo(12);
    List<String> factKeys = new ArrayList<>();
    json.get("facts").fieldNames().forEachRemaining(factKeys::add);
    assertThat(factKeys).containsExactlyElementsOf(content.facts().keySet());

    // The manifest's shape (MetricsJson): snake_case, rounded to 6 decimals, keyed by label.
    JsonNode val = json.get("validation");
    List<String> labels = new ArrayList<>();
    val.get("per_class").fieldNames().forEachRemaining(labels::add);
    assertThat(labels).hasSize(3);
    assertThat(val.get("examples").asInt()).isEqualTo(v.examples());
    assertThat(val.get("accuracy").asDouble()).isCloseTo(v.accuracy(), within(1e-6));
    assertThat(val.get("macro_f1").asDouble()).isCloseTo(v.macroF1(), within(1e-6));
    assertThat(val.get("expected_calibration_error").asDouble())
        .isCloseTo(v.expectedCalibrationError(), within(1e-6));
    for (int c = 0; c < 3; c++) {
      ClassificationMetrics.ClassMetrics expected = v.perClass().get(c);
      assertThat(labels.get(c)).isEqualTo(expected.label());
      JsonNode pc = val.get("per_class").get(expected.label());
      assertThat(pc.get("precision").asDouble()).isCloseTo(expected.precision(), within(1e-6));
      assertThat(pc.get("recall").asDouble()).isCloseTo(expected.recall(), within(1e-6));
      assertThat(pc.get("f1").asDouble()).isCloseTo(expected.f1(), within(1e-6));
      assertThat(pc.get("support").asInt()).isEqualTo(expected.support());
    }
    JsonNode confusion = val.get("confusion");
    assertThat(labels.get(1)).isEqualTo("corn");
    int[][] matrix = new int[3][3];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        matrix[i][j] = confusion.get(labels.get(i)).get(labels.get(j)).asInt(); // truth → predicted
      }
    }
    assertThat(matrix).isDeepEqualTo(v.confusion());

    JsonNode history = json.get("history");
    assertThat(history).hasSize(content.history().size());
    EpochMetrics first = content.history().get(0);
    assertThat(history.get(0).get("epoch").asInt()).isEqualTo(1);
    assertThat(history.get(0).get("train_loss").asDouble()).isEqualTo(first.trainLoss());
    assertThat(history.get(0).get("valid_macro_f1").asDouble()).isEqualTo(first.validMacroF1());
    assertThat(json.get("notes")).hasSize(2);
  }

  @Test
  void undefinedNumbersAreNullInJson() throws IOException {
    List<EpochMetrics> history =
        List.of(
            new EpochMetrics(1, 0.9, 0.6, Double.NaN, Double.NaN, Double.NaN),
            new EpochMetrics(2, 0.5, 0.8, Double.NaN, Double.NaN, Double.NaN));
    TrainingReport.write(
        dir, new TrainingReport.ReportContent("no-valid", null, history, 0, null, null));
    String text = Files.readString(dir.resolve("metrics.json"));
    assertThat(text).doesNotContain("NaN");
    JsonNode json = JSON.readTree(text);
    assertThat(json.get("history").get(0).get("valid_loss").isNull()).isTrue();
    assertThat(json.get("validation").isNull()).isTrue();
    assertThat(json.get("best_epoch").isNull()).isTrue();
    assertThat(ImageIO.read(dir.resolve("loss.png").toFile())).isNotNull();
    assertThat(ImageIO.read(dir.resolve("accuracy.png").toFile())).isNotNull();
  }

  @Test
  void labelsAndTextAreEscaped() throws IOException {
    String nasty = "<b>&\"x\"";
    ClassificationMetrics v =
        ReportFixtures.metrics(List.of(nasty, "plain"), new int[][] {{5, 1}, {2, 7}}, 1);
    TrainingReport.write(
        dir,
        new TrainingReport.ReportContent(
            "title <script>alert(1)</script>",
            java.util.Map.of("key <i>", "value & 'quoted'"),
            List.of(),
            0,
            v,
            List.of("note with <tag> & \"quotes\"")));
    String html = Files.readString(dir.resolve("index.html"));
    assertThat(html)
        .contains("&lt;b&gt;&amp;&quot;x&quot;")
        .doesNotContain(nasty)
        .doesNotContain("<b>")
        .doesNotContain("<script>")
        .contains("title &lt;script&gt;")
        .contains("key &lt;i&gt;", "value &amp; &#39;quoted&#39;")
        .contains("note with &lt;tag&gt; &amp; &quot;quotes&quot;");
    JsonNode json = JSON.readTree(dir.resolve("metrics.json").toFile());
    assertThat(json.get("validation").get("per_class").fieldNames().next()).isEqualTo(nasty);
  }

  @Test
  void rendersWithoutHistoryOrValidation() throws IOException {
    Files.writeString(dir.resolve("loss.png"), "stale");
    TrainingReport.write(dir, ReportFixtures.noHistoryNoValidation());
    String html = Files.readString(dir.resolve("index.html"));
    assertThat(html)
        .contains("tiny-centroid", "nearest centroid")
        .contains("No training curves")
        .contains("No held-out set")
        .contains("too few to hold any out")
        .doesNotContain("<img");
    assertThat(dir.resolve("loss.png")).doesNotExist();
    assertThat(dir.resolve("accuracy.png")).doesNotExist();
    assertThat(JSON.readTree(dir.resolve("metrics.json").toFile()).get("history")).isEmpty();
  }

  @Test
  void rendersTwoClasses() throws IOException {
    TrainingReport.write(dir, ReportFixtures.twoClass());
    String html = Files.readString(dir.resolve("index.html"));
    assertThat(html).contains(">spam<", ">ham<");
    assertThat(countOf(html, "<td class=\"diag")).isEqualTo(2);
  }

  @Test
  void rendersTwentyFiveClasses() throws IOException {
    TrainingReport.write(dir, ReportFixtures.manyClasses(25));
    String html = Files.readString(dir.resolve("index.html"));
    assertThat(html).contains("class=\"cm compact\"", "class=\"scroll\"");
    assertThat(countOf(html, "<th class=\"row\"")).isEqualTo(25);
    assertThat(countOf(html, "<td class=\"diag")).isEqualTo(25);
    assertThat(countOf(html, "<td class=\"off")).isEqualTo(25 * 24);
    assertThat(html).contains("&lt;b&gt;&amp;&quot;x&quot;").doesNotContain("<b>&");
    JsonNode json = JSON.readTree(dir.resolve("metrics.json").toFile());
    assertThat(json.get("validation").get("confusion")).hasSize(25);
  }

  private static int countOf(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
