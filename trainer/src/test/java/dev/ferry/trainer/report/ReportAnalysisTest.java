package dev.ferry.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.trainer.metrics.ClassificationMetrics;
import dev.ferry.trainer.metrics.ScoredExample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's error analysis, read from its HTML and metrics.json: misclassified examples per
 * class, the reliability diagram and confidence histogram, the label distribution, and the headline
 * that leads with macro-F1 when classes are imbalanced.
 */
class ReportAnalysisTest {
  private static final List<String> LABELS = List.of("corn", "grain", "other");
  @TempDir Path dir;

  /**
   * 100 "other" (90 right), 20 "grain" (12 wrong, confidences spread), no "corn": imbalanced, with
   * a class missing.
   */
  static List<ScoredExample> scored() {
    List<ScoredExample> out = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      boolean right = i >= 10;
      out.add(
          new ScoredExample(
              "o" + i,
              "test.jsonl:" + (i + 1),
              "other story <" + i + "> with some words",
              "other",
              right ? "other" : "grain",
              right ? 0.95 : 0.55 + i * 0.04));
    }
    for (int i = 0; i < 20; i++) {
      boolean right = i >= 12;
      out.add(
          new ScoredExample(
              null,
              "test.jsonl:" + (101 + i),
              "grain story " + i,
              "grain",
              right ? "grain" : "other",
              0.41 + i * 0.029));
    }
    return out;
  }

  static ClassificationMetrics metrics(List<ScoredExample> scored) {
    int[] truth = scored.stream().mapToInt(s -> LABELS.indexOf(s.truth())).toArray();
    int[] predicted = scored.stream().mapToInt(s -> LABELS.indexOf(s.predicted())).toArray();
    double[] confidence = scored.stream().mapToDouble(ScoredExample::confidence).toArray();
    return ClassificationMetrics.compute(LABELS, truth, predicted, confidence);
  }

  String write() throws IOException {
    List<ScoredExample> scored = scored();
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("other", 400);
    counts.put("grain", 80);
    counts.put("corn", 3);
    TrainingReport.write(
        dir,
        new TrainingReport.ReportContent(
                "analysis", Map.of(), List.of(), 0, metrics(scored), List.of())
            .withScored("the test file test.jsonl", scored, counts));
    return Files.readString(dir.resolve(TrainingReport.INDEX));
  }

  @Test
  void misclassifiedExamplesAreListedPerTrueClassSurestFirstTenAtMost() throws IOException {
    String html = write();
    String mistakes = section(html, "mistakes");
    assertThat(mistakes)
        .contains("22 of 120 examples of the test file test.jsonl were misclassified");
    // grain has 12 mistakes (10 shown), other 10: grain first.
    assertThat(mistakes.indexOf("data-label=\"grain\""))
        .isLessThan(mistakes.indexOf("data-label=\"other\""));
    assertThat(mistakes)
        .contains("12 of 20 misclassified, the 10 surest shown", "10 of 100 misclassified");
    assertThat(count(mistakes, "<tr class=\"mistake\">")).isEqualTo(20);
    // Surest first within a class; the id, else file:line; the text escaped.
    String other = mistakes.substring(mistakes.indexOf("data-label=\"other\""));
    assertThat(other.indexOf(">o9<")).isLessThan(other.indexOf(">o0<"));
    assertThat(mistakes).contains("test.jsonl:112", "other story &lt;3&gt; with some words");
    // The two least sure of grain's 12 mistakes are left out.
    assertThat(mistakes).doesNotContain("test.jsonl:101<", "test.jsonl:102<");
  }

  @Test
  void theReliabilityDiagramAndHistogramAccountForEveryExample() throws IOException {
    String html = write();
    String confidence = section(html, "confidence");
    Matcher bins =
        Pattern.compile("<title>confidence [0-9.]+–[0-9.]+: (\\d+) correct, (\\d+) misclassified")
            .matcher(confidence);
    int right = 0;
    int wrong = 0;
    List<String> seen = new ArrayList<>();
    while (bins.find()) {
      if (seen.contains(bins.group())) {
        continue; // a bin's two bars share one tooltip
      }
      seen.add(bins.group());
      right += Integer.parseInt(bins.group(1));
      wrong += Integer.parseInt(bins.group(2));
    }
    assertThat(right).isEqualTo(98);
    assertThat(wrong).isEqualTo(22);
    Matcher reliability =
        Pattern.compile("<title>confidence [0-9.]+–[0-9.]+: (\\d+) examples, accuracy")
            .matcher(confidence);
    int examples = 0;
    while (reliability.find()) {
      examples += Integer.parseInt(reliability.group(1));
    }
    assertThat(examples).isEqualTo(120);
    assertThat(confidence).contains("class=\"diag\"", "Expected calibration error (ECE): 0.");
  }

  @Test
  void macroF1LeadsOnImbalancedClassesAndSaysWhichClassesItCovers() throws IOException {
    String html = write();
    assertThat(html.indexOf("<div class=\"k\">Macro-F1"))
        .isLessThan(html.indexOf("<div class=\"k\">Accuracy"));
    assertThat(html).contains("over 2 of 3 classes: none of corn; classes are imbalanced");
    JsonNode json = new ObjectMapper().readTree(dir.resolve(TrainingReport.METRICS_JSON).toFile());
    assertThat(json.at("/validation/classes_without_examples/0").asText()).isEqualTo("corn");
    assertThat(json.get("misclassified")).hasSize(22);
    assertThat(json.at("/misclassified/0/confidence").asDouble())
        .isGreaterThanOrEqualTo(json.at("/misclassified/21/confidence").asDouble());
    assertThat(json.at("/label_counts/corn").asInt()).isEqualTo(3);
  }

  @Test
  void theLabelDistributionShowsEveryTrainingLabelAndTheImbalance() throws IOException {
    String labels = section(write(), "labels");
    assertThat(labels).contains("483 examples in 3 classes", "133.3× the examples of the smallest");
    assertThat(count(labels, "<tr><th scope=\"row\">")).isEqualTo(3);
  }

  @Test
  void learningCurvesBesideTheReportAreShown() throws IOException {
    Files.write(dir.resolve("learning-curve-reuters.png"), new byte[] {1});
    String html = write();
    assertThat(section(html, "learning-curves"))
        .contains("<img src=\"learning-curve-reuters.png\"");
  }

  @Test
  void theHistogramAxisEndsJustAboveTheTallestBar() {
    assertThat(AnalysisSections.Svg.niceCeiling(109)).isEqualTo(120);
    assertThat(AnalysisSections.Svg.niceCeiling(3)).isEqualTo(4);
    assertThat(AnalysisSections.Svg.niceCeiling(40)).isEqualTo(40);
    assertThat(AnalysisSections.Svg.niceCeiling(41)).isEqualTo(50);
    assertThat(Charts.labelStep(1, 100)).isEqualTo(20);
    assertThat(Charts.labelStep(1, 8)).isEqualTo(1);
  }

  private static String section(String html, String id) {
    int start = html.indexOf("<section id=\"" + id + "\">");
    assertThat(start).as(id).isNotNegative();
    return html.substring(start, html.indexOf("</section>", start));
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
