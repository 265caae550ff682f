package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.trainer.Evaluation;
import dev.ferry.trainer.report.TrainingReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ferry eval --report DIR}: the training report's page for a scoring run: the scores on the
 * data file, misclassified examples per class, reliability diagram, confidence histogram, and the
 * bundle's training label distribution from its manifest.
 */
final class EvalReport {
  private EvalReport() {}

  /** Writes the report into {@code dir}; returns its index page. */
  static Path write(Path dir, ModelBundle bundle, Path data, Evaluation.Result result)
      throws IOException {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("Bundle", bundle.directory().toString());
    facts.put("Encoder", bundle.manifest().encoder().id());
    facts.put("Data", data + " (" + result.metrics().examples() + " examples scored)");
    if (!result.badRows().isEmpty()) {
      facts.put("Bad rows skipped", Integer.toString(result.badRows().size()));
    }
    if (result.unknownLabels() > 0) {
      facts.put(
          "Left out",
          result.unknownLabels()
              + " examples with labels the bundle does not know: "
              + String.join(", ", result.unknownLabelNames()));
    }
    facts.put("Labels", String.join(", ", bundle.labels()));
    List<String> notes =
        result.metrics().classesWithoutExamples().isEmpty()
            ? List.of()
            : List.of(
                "No example of "
                    + String.join(", ", result.metrics().classesWithoutExamples())
                    + " in "
                    + data
                    + ": the macro-F1"
                    + result.metrics().macroF1Coverage()
                    + " says nothing of how well they are recognized.");
    TrainingReport.write(
        dir,
        new TrainingReport.ReportContent(
                "Ferry evaluation report: "
                    + bundle.directory().toAbsolutePath().normalize().getFileName()
                    + " on "
                    + data.getFileName(),
                facts,
                List.of(),
                0,
                result.metrics(),
                notes)
            .withScored("the test file " + data, result.scored(), trainingLabelCounts(bundle)));
    return dir.resolve(TrainingReport.INDEX);
  }

  /** The bundle's training label counts, as its manifest records them; empty if it does not. */
  private static Map<String, Integer> trainingLabelCounts(ModelBundle bundle) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    JsonNode node = bundle.manifest().training();
    JsonNode labelCounts = node == null ? null : node.at("/data/label_counts");
    if (labelCounts != null && labelCounts.isObject()) {
      labelCounts.properties().forEach(e -> counts.put(e.getKey(), e.getValue().asInt()));
    }
    return counts;
  }
}
