package dev.ferry.cli;

import static dev.ferry.cli.FerryCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.FerryCliTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** quickstart, train, eval and predict end to end, in-process, with the int8 MiniLM. */
class TrainEvalPredictCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static Run quickstart;
  static Path bundle;
  static Path test;

  @BeforeAll
  static void runQuickstart() {
    quickstart =
        run("quickstart", "--encoder", "all-minilm-l6-v2-q", "--out", dir.resolve("qs").toString());
    bundle = dir.resolve("qs/bundle");
    test = dir.resolve("qs/data/test.jsonl");
  }

  @Test
  void quickstartTrainsScoresOnHeldOutStoriesAndPointsAtTheReport() {
    assertThat(quickstart.code()).as(quickstart.err()).isZero();
    assertThat(quickstart.out())
        .contains("Test set: 150 stories", "macro-F1", "confusion matrix", "Open the report:");
    assertThat(bundle.resolve("manifest.json")).isRegularFile();
    assertThat(bundle.resolve("report/index.html")).isRegularFile();
    // The drought/corn headline is about corn or grain, the profit one is not.
    String headlines = quickstart.out().substring(quickstart.out().indexOf("New headlines:"));
    List<String> lines = headlines.lines().skip(1).limit(3).toList();
    assertThat(lines.get(0)).containsAnyOf("corn", "grain");
    assertThat(lines.get(2).strip()).startsWith("other");
  }

  @Test
  void evalJsonHasAccuracyAndMacroF1() throws IOException {
    Run r = run("eval", "--bundle", bundle.toString(), "--data", test.toString(), "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode o = JSON.readTree(r.out());
    assertThat(o.get("accuracy").asDouble()).isBetween(0.5, 1.0);
    assertThat(o.get("macro_f1").asDouble()).isBetween(0.3, 1.0);
    assertThat(o.get("examples").asInt()).isEqualTo(150);
    assertThat(o.at("/per_class/corn/support").asInt()).isEqualTo(24);
    assertThat(o.at("/confusion/grain").size()).isEqualTo(3);

    Run table = run("eval", "--bundle", bundle.toString(), "--data", test.toString());
    assertThat(table.out()).contains("precision", "recall", "confusion matrix");
  }

  @Test
  void evalReadsTheEmbeddingCacheSoASecondRunEmbedsNothing() throws IOException {
    run("eval", "--bundle", bundle.toString(), "--data", test.toString());
    JsonNode again =
        JSON.readTree(
            run("eval", "--bundle", bundle.toString(), "--data", test.toString(), "--json").out());
    assertThat(again.get("cached_embeddings").asInt()).isEqualTo(150);
    JsonNode fresh =
        JSON.readTree(
            run(
                    "eval",
                    "--bundle",
                    bundle.toString(),
                    "--data",
                    test.toString(),
                    "--json",
                    "--no-cache")
                .out());
    assertThat(fresh.get("cached_embeddings").asInt()).isZero();
    assertThat(fresh.get("macro_f1").asDouble())
        .isCloseTo(again.get("macro_f1").asDouble(), within(0.02));
  }

  @Test
  void evalErrorsListsTheSurestMistakesAndTheLeastSureCorrectPredictions() throws IOException {
    Run table =
        run("eval", "--bundle", bundle.toString(), "--data", test.toString(), "--errors", "3");
    assertThat(table.code()).as(table.err()).isZero();
    assertThat(table.out())
        .contains("Most confident mistakes", "Least confident correct predictions")
        .contains("test.jsonl:")
        .containsPattern(
            "(?m)^    test\\.jsonl:\\d+ +(corn|grain|other) +(corn|grain|other) +0\\.\\d{3}  \\S");

    JsonNode o =
        JSON.readTree(
            run(
                    "eval",
                    "--bundle",
                    bundle.toString(),
                    "--data",
                    test.toString(),
                    "--errors",
                    "2",
                    "--json")
                .out());
    JsonNode mistakes = o.get("confident_mistakes");
    JsonNode unsure = o.get("least_confident_correct");
    assertThat(mistakes.size()).isEqualTo(2);
    assertThat(unsure.size()).isEqualTo(2);
    for (JsonNode m : mistakes) {
      assertThat(m.get("label").asText()).isNotEqualTo(m.get("predicted").asText());
      assertThat(m.get("location").asText()).contains("test.jsonl:");
      assertThat(m.get("text").asText()).isNotBlank();
    }
    assertThat(mistakes.get(0).get("confidence").asDouble())
        .isGreaterThanOrEqualTo(mistakes.get(1).get("confidence").asDouble());
    for (JsonNode c : unsure) {
      assertThat(c.get("label").asText()).isEqualTo(c.get("predicted").asText());
    }
    assertThat(unsure.get(0).get("confidence").asDouble())
        .isLessThanOrEqualTo(unsure.get(1).get("confidence").asDouble());
  }

  @Test
  void evalReportShowsTheTestScoresMistakesPerClassCalibrationAndTrainingLabels()
      throws IOException {
    Path report = dir.resolve("eval-report");
    Run r =
        run(
            "eval",
            "--bundle",
            bundle.toString(),
            "--data",
            test.toString(),
            "--report",
            report.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("Report: " + report.resolve("index.html"));
    String html = Files.readString(report.resolve("index.html"));
    JsonNode metrics = JSON.readTree(report.resolve("metrics.json").toFile());
    int wrong = metrics.get("misclassified").size();
    assertThat((double) wrong)
        .isCloseTo(150 - metrics.at("/validation/accuracy").asDouble() * 150, within(0.01));
    java.util.Map<String, Integer> perClass = new java.util.HashMap<>();
    metrics
        .get("misclassified")
        .forEach(m -> perClass.merge(m.get("label").asText(), 1, Integer::sum));
    assertThat(html)
        .contains("<h2>Scores on the test file " + test)
        .contains("id=\"mistakes\"", "id=\"reliability\"", "id=\"histogram\"", "id=\"labels\"")
        .contains("<h2>Training labels</h2>", "200 examples in 3 classes");
    // One row per mistake, at most 10 per true class.
    assertThat(count(html, "<tr class=\"mistake\">"))
        .isEqualTo(perClass.values().stream().mapToInt(n -> Math.min(n, 10)).sum());
    assertThat(metrics.at("/label_counts/other").asInt()).isEqualTo(120);
    assertThat(metrics.get("scored_on").asText()).isEqualTo("the test file " + test);
    // Reuters is imbalanced (93 other, 33 grain, 24 corn): macro-F1 leads.
    assertThat(html.indexOf("<div class=\"k\">Macro-F1"))
        .isLessThan(html.indexOf("<div class=\"k\">Accuracy"));
  }

  @Test
  void theTrainingReportHasTheHeldOutMistakesCalibrationAndLabelDistribution() throws IOException {
    String html = Files.readString(bundle.resolve("report/index.html"));
    assertThat(html)
        .contains("<h2>Scores on the held-out 20% of ")
        .contains("id=\"mistakes\"", "id=\"reliability\"", "id=\"histogram\"")
        .contains("<h2>Training labels</h2>");
    JsonNode metrics = JSON.readTree(bundle.resolve("report/metrics.json").toFile());
    assertThat(metrics.at("/label_counts/corn").asInt()).isEqualTo(40);
    assertThat(metrics.has("best_epoch")).isTrue();
  }

  @Test
  void aClassWithoutTestExamplesIsNamedBesideTheMacroF1() throws IOException {
    List<String> noCorn =
        Files.readAllLines(test).stream().filter(l -> !l.contains("\"corn\"")).toList();
    Path data = Files.write(dir.resolve("no-corn.jsonl"), noCorn);
    Run table = run("eval", "--bundle", bundle.toString(), "--data", data.toString());
    // corn has no example here (it may still be predicted, and then counts with F1 0).
    assertThat(table.out())
        .containsPattern("macro-F1 0\\.\\d{4} \\(over [23] of 3 classes; no examples of corn\\)");
    JsonNode o =
        JSON.readTree(
            run("eval", "--bundle", bundle.toString(), "--data", data.toString(), "--json").out());
    assertThat(o.get("classes_without_examples")).hasSize(1);
    assertThat(o.get("classes_without_examples").get(0).asText()).isEqualTo("corn");
  }

  @Test
  void predictTakesTextsAsArgumentsAndCarriesInputFieldsThrough() throws IOException {
    Run args =
        run("predict", "--bundle", bundle.toString(), "Wheat exports rose", "Bank raises rates");
    assertThat(args.code()).as(args.err()).isZero();
    assertThat(args.lines()).hasSize(2);
    List<String> input = Files.readAllLines(test).subList(0, 5);
    Path file = Files.write(dir.resolve("keep.jsonl"), input);
    Run kept =
        run(
            "predict",
            "--bundle",
            bundle.toString(),
            "--input",
            file.toString(),
            "--keep-fields",
            "label,text");
    assertThat(kept.code()).as(kept.err()).isZero();
    assertThat(kept.lines()).hasSize(5);
    for (int i = 0; i < 5; i++) {
      JsonNode in = JSON.readTree(input.get(i));
      JsonNode out = JSON.readTree(kept.lines().get(i));
      assertThat(out.at("/fields/label")).isEqualTo(in.get("label"));
      assertThat(out.at("/fields/text")).isEqualTo(in.get("text"));
      assertThat(out.get("label").asText()).isIn("corn", "grain", "other");
    }
    assertUsageError(
        "--keep-fields copies fields of --input records",
        "predict",
        "--bundle",
        bundle.toString(),
        "--keep-fields",
        "label",
        "some text");
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void predictPrintsLabelConfidenceAndEveryProbability() throws IOException {
    Run r =
        run(
            "predict",
            "--bundle",
            bundle.toString(),
            "--text",
            "Wheat exports to China rose sharply",
            "--text",
            "Bank raises its prime rate");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.lines()).hasSize(2);
    JsonNode first = JSON.readTree(r.lines().get(0));
    assertThat(first.get("label").asText()).isIn("corn", "grain", "other");
    double sum = 0;
    for (String label : List.of("corn", "grain", "other")) {
      sum += first.at("/probabilities/" + label).asDouble();
    }
    assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(first.get("confidence").asDouble())
        .isEqualTo(first.at("/probabilities/" + first.get("label").asText()).asDouble());
  }

  @Test
  void predictFileKeepsIdsAndPrintsNullForABadLine() throws IOException {
    Path input =
        Files.writeString(
            dir.resolve("in.jsonl"),
            "{\"id\": 7, \"text\": \"Corn planting delayed by rain\"}\n{broken\n{\"id\": \"x\", \"text\": \"Shares fell\"}\n");
    Run r = run("predict", "--bundle", bundle.toString(), "--input", input.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.lines()).hasSize(3);
    assertThat(JSON.readTree(r.lines().get(0)).get("id").asInt()).isEqualTo(7);
    assertThat(r.lines().get(1)).isEqualTo("null");
    assertThat(JSON.readTree(r.lines().get(2)).get("id").asText()).isEqualTo("x");
    assertThat(r.err()).contains("in.jsonl:2:");
  }

  @Test
  void finetuneModeWritesABundleWithItsOwnEncoderThatPredictRuns() throws IOException {
    Path tuned = dir.resolve("tuned");
    Run r =
        run(
            "train",
            "--data",
            dir.resolve("qs/data/train.jsonl").toString(),
            "--max-examples",
            "30",
            "--mode",
            "finetune",
            "--unfreeze",
            "1",
            "--epochs",
            "1",
            "--chunk-tokens",
            "32",
            "--max-chunks",
            "2",
            "--train-on",
            "chunks",
            "--head-start",
            "random",
            "--threads",
            "1",
            "--out",
            tuned.toString());
    assertThat(r.code()).as(r.err()).isZero();
    // The default encoder is int8: its float twin is tuned, and the bundle's encoder written int8.
    assertThat(r.out())
        .contains("Fine-tuned e5-small-v2+finetune-q, then a linear head on it, on 30 examples");
    assertThat(r.err()).contains("epoch 1/1: loss");
    JsonNode manifest = JSON.readTree(tuned.resolve("manifest.json").toFile());
    assertThat(manifest.at("/encoder/source").asText()).isEqualTo("fine-tuned");
    // Trained on each text's first two 32-token chunks, and read the same way; the overlap
    // (32 by default) is cut to a quarter of a chunk.
    assertThat(manifest.at("/encoder/chunking/max_tokens").asInt()).isEqualTo(32);
    assertThat(manifest.at("/encoder/chunking/max_chunks").asInt()).isEqualTo(2);
    assertThat(manifest.at("/encoder/chunking/overlap_tokens").asInt()).isEqualTo(8);
    assertThat(manifest.at("/encoder/chunking/pooling").asText()).isEqualTo("token_weighted_mean");
    assertThat(manifest.at("/training/training_chunks").asInt())
        .isBetween(31, 60); // 30 texts, some of two chunks
    assertThat(manifest.at("/training/hyperparameters/train_on").asText()).isEqualTo("chunks");
    assertThat(manifest.at("/training/hyperparameters/head_start").asText()).isEqualTo("random");
    assertThat(manifest.at("/training/hyperparameters/batch_size").asInt()).isEqualTo(16);
    assertThat(manifest.at("/training/device").asText()).isEqualTo("cpu");
    assertThat(tuned.resolve("encoder.onnx")).isRegularFile();
    Run predict =
        run(
            "predict",
            "--bundle",
            tuned.toString(),
            "--text",
            "Wheat exports to China rose sharply");
    assertThat(predict.code()).as(predict.err()).isZero();

    // By default on whole texts from a probe, the head reading --chunk-pooling (default
    // first_mean_max) of their chunks of the model's window (MiniLM's 256 tokens), in the bundle
    // too; the epochs come to about 60 steps.
    Path onDocuments = dir.resolve("tuned-documents");
    Run documents =
        run(
            "train",
            "--data",
            dir.resolve("qs/data/train.jsonl").toString(),
            "--max-examples",
            "30",
            "--mode",
            "finetune",
            "--unfreeze",
            "1",
            "--max-chunks",
            "2",
            "--encoder",
            "all-minilm-l6-v2",
            "--threads",
            "1",
            "--out",
            onDocuments.toString());
    assertThat(documents.code()).as(documents.err()).isZero();
    JsonNode documentsManifest = JSON.readTree(onDocuments.resolve("manifest.json").toFile());
    assertThat(documentsManifest.at("/encoder/chunking/pooling").asText())
        .isEqualTo("first_mean_max");
    assertThat(documentsManifest.at("/training/hyperparameters/train_on").asText())
        .isEqualTo("documents");
    assertThat(documentsManifest.at("/training/hyperparameters/head_start").asText())
        .isEqualTo("probe");
    assertThat(documentsManifest.at("/training/hyperparameters/batch_size").asInt()).isEqualTo(4);
    assertThat(documentsManifest.at("/encoder/chunking/max_tokens").asInt()).isEqualTo(256);
    assertThat(documentsManifest.at("/training/hyperparameters/max_tokens").asInt()).isEqualTo(256);
    // 30 training texts: 8 steps an epoch, so 8 epochs at most, and early stopping.
    assertThat(documentsManifest.at("/training/hyperparameters/epochs").asInt()).isEqualTo(8);
    assertThat(documentsManifest.at("/training/epochs_run").asInt()).isBetween(3, 8);

    assertUsageError(
        "--chunk-pooling applies to --mode features",
        "train",
        "--data",
        "a.jsonl",
        "--mode",
        "finetune",
        "--train-on",
        "chunks",
        "--chunk-pooling",
        "first_mean_max",
        "--out",
        "x");
    assertUsageError(
        "--train-on takes chunks or documents, found 'sentences'",
        "train",
        "--data",
        "a.jsonl",
        "--mode",
        "finetune",
        "--train-on",
        "sentences",
        "--out",
        "x");
    assertUsageError(
        "--head-start takes random or probe, found 'zero'",
        "train",
        "--data",
        "a.jsonl",
        "--mode",
        "finetune",
        "--head-start",
        "zero",
        "--out",
        "x");
    assertUsageError(
        "need --mode finetune",
        "train",
        "--data",
        "a.jsonl",
        "--train-on",
        "documents",
        "--out",
        "x");
    assertUsageError(
        "need --mode finetune", "train", "--data", "a.jsonl", "--unfreeze", "2", "--out", "x");
    assertUsageError(
        "--unfreeze takes a number of layers or 'all', found 'top'",
        "train",
        "--data",
        "a.jsonl",
        "--mode",
        "finetune",
        "--unfreeze",
        "top",
        "--out",
        "x");
    assertUsageError(
        "unknown training mode 'adapters'",
        "train",
        "--data",
        "a.jsonl",
        "--mode",
        "adapters",
        "--out",
        "x");
  }

  @Test
  void trainUsageErrorsExitWithTwoAndDataErrorsWithOne() throws IOException {
    assertThat(run("train", "--data", "a.jsonl").code()).isEqualTo(2);
    assertUsageError(
        "mutually exclusive",
        "train",
        "--data",
        "a.jsonl",
        "--valid",
        "b.jsonl",
        "--valid-split",
        "0.3",
        "--out",
        "x");
    assertUsageError(
        "unknown head 'svm'", "train", "--data", "a.jsonl", "--head", "svm", "--out", "x");
    Run missing =
        run(
            "train",
            "--data",
            dir.resolve("missing.jsonl").toString(),
            "--out",
            dir.resolve("o").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("missing.jsonl");
    Path bad =
        Files.writeString(dir.resolve("bad.csv"), "text,label\nfine text,a\n\"unterminated,b\n");
    Run badRun = run("train", "--data", bad.toString(), "--out", dir.resolve("o2").toString());
    assertThat(badRun.code()).isEqualTo(1);
    assertThat(badRun.err()).contains("bad.csv:");
    Run noBundle =
        run("eval", "--bundle", dir.resolve("nothing").toString(), "--data", test.toString());
    assertThat(noBundle.code()).isEqualTo(1);
    assertThat(noBundle.err()).contains("no such bundle directory");
  }

  @Test
  void trainChecksOutBeforeReadingTheDataAndReplacesOnlyABundleOfItsOwnFiles() throws IOException {
    Path withNotes = Files.createDirectories(dir.resolve("bundle-with-notes"));
    Files.writeString(withNotes.resolve("manifest.json"), "{}");
    Files.writeString(withNotes.resolve("notes.txt"), "keep me");
    // No such data: the refusal comes first, not after embedding and training.
    assertUsageError(
        "--out: output folder "
            + withNotes
            + " holds notes.txt besides the model bundle: replacing"
            + " the bundle would delete it",
        "train",
        "--data",
        dir.resolve("no-such.jsonl").toString(),
        "--out",
        withNotes.toString());
    assertThat(withNotes.resolve("notes.txt")).hasContent("keep me");
    Path notABundle = Files.createDirectories(dir.resolve("not-a-bundle"));
    Files.writeString(notABundle.resolve("thesis.tex"), "keep me too");
    assertUsageError(
        "is not empty and is not a model bundle",
        "train",
        "--data",
        "a.jsonl",
        "--out",
        notABundle.toString());

    Path again = dir.resolve("again");
    for (int run = 0; run < 2; run++) {
      Run r =
          run(
              "train",
              "--data",
              dir.resolve("qs/data/train.jsonl").toString(),
              "--max-examples",
              "40",
              "--encoder",
              "all-minilm-l6-v2-q",
              "--threads",
              "1",
              "--out",
              again.toString());
      assertThat(r.code()).as(r.err()).isZero();
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith(".again."));
    }
  }

  @Test
  void theOldBatchOptionIsRefusedNamingTheNewOnes() {
    assertUsageError(
        "--batch is now --examples-per-step",
        "train",
        "--data",
        "a.jsonl",
        "--batch",
        "8",
        "--out",
        "x");
  }

  @Test
  void nonFiniteOrNonPositiveNumbersAreUsageErrorsNamingTheFlag() {
    assertUsageError(
        "--lr: learning rate must be a finite number above 0, was Infinity",
        "train",
        "--data",
        "a.jsonl",
        "--lr",
        "Infinity",
        "--out",
        "x");
    assertUsageError(
        "--lr: learning rate must be a finite number above 0, was NaN",
        "train",
        "--data",
        "a.jsonl",
        "--lr",
        "NaN",
        "--out",
        "x");
    assertUsageError(
        "--lr: learning rate must be a finite number above 0, was -0.1",
        "train",
        "--data",
        "a.jsonl",
        "--mode",
        "finetune",
        "--lr",
        "-0.1",
        "--out",
        "x");
    assertUsageError(
        "--weight-decay: weight decay must be a finite number of at least 0, was Infinity",
        "train",
        "--data",
        "a.jsonl",
        "--weight-decay",
        "Infinity",
        "--out",
        "x");
    assertUsageError(
        "--dropout: dropout must be in [0, 1), was NaN",
        "train",
        "--data",
        "a.jsonl",
        "--head",
        "mlp",
        "--dropout",
        "NaN",
        "--out",
        "x");
    assertUsageError(
        "--valid-split: validation split must be between 0 and 1 (exclusive), was Infinity",
        "train",
        "--data",
        "a.jsonl",
        "--valid-split",
        "Infinity",
        "--out",
        "x");
  }

  @Test
  void aLearningRateFarTooHighStopsWithWhereAndWhatToTryInsteadOfHanging() {
    // It used to train on to the end and hang drawing losses of 1e30 and more in the report.
    Run r =
        assertTimeoutPreemptively(
            Duration.ofMinutes(3),
            () ->
                run(
                    "train",
                    "--data",
                    dir.resolve("qs/data/train.jsonl").toString(),
                    "--encoder",
                    "all-minilm-l6-v2-q",
                    "--threads",
                    "1",
                    "--head",
                    "mlp",
                    "--lr",
                    "1e7",
                    "--out",
                    dir.resolve("diverged").toString()));
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.err())
        .containsPattern("head training diverged at epoch \\d+, step \\d+: ")
        .contains("--lr 1E+7 is very likely too high: try a lower one, such as --lr 1E+6");
    assertThat(dir.resolve("diverged")).doesNotExist();
  }

  @Test
  void aGradientOptionWithTheExactLinearHeadIsRefusedNotIgnored() {
    Run r =
        run(
            "train",
            "--data",
            dir.resolve("qs/data/train.jsonl").toString(),
            "--lr",
            "0.1",
            "--epochs",
            "5",
            "--out",
            dir.resolve("ignored").toString());
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err())
        .contains("--lr, --epochs apply to the mlp head and to fine-tuning")
        .contains("--regularization");
    assertThat(dir.resolve("ignored")).doesNotExist();
  }

  @Test
  void oneExamplePerClassSaysThereIsNoHeldOutDataInsteadOfPrintingZeros() throws IOException {
    Path data =
        Files.write(
            dir.resolve("one-each.jsonl"),
            List.of(
                "{\"text\": \"Wheat exports rose sharply\", \"label\": \"grain\"}",
                "{\"text\": \"Corn planting was delayed by rain\", \"label\": \"corn\"}",
                "{\"text\": \"The bank raised its prime rate\", \"label\": \"other\"}"));
    Path out = dir.resolve("one-each");
    Run r =
        run(
            "train",
            "--data",
            data.toString(),
            "--encoder",
            "all-minilm-l6-v2-q",
            "--threads",
            "1",
            "--out",
            out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("No held-out data: 3 examples, too few per class to hold out", "--valid FILE")
        .doesNotContain("accuracy", "Held-out examples");
    assertThat(r.err()).contains("no held-out data: 3 examples").doesNotContain("valid macro-F1");
    assertThat(r.err())
        .contains(
            "warning: 3 classes have fewer than 5 examples: corn (1), grain (1), other (1)",
            "label more examples of each");
    JsonNode metrics = JSON.readTree(out.resolve("manifest.json").toFile()).get("metrics");
    assertThat(metrics.get("validation").isNull()).isTrue();
    assertThat(metrics.get("no_validation_reason").asText())
        .startsWith("no held-out data: 3 examples");

    // Scoring the bundle on labeled data is another matter: eval prints real scores of 3 examples.
    Run eval = run("eval", "--bundle", out.toString(), "--data", data.toString(), "--json");
    assertThat(eval.code()).as(eval.err()).isZero();
    assertThat(JSON.readTree(eval.out()).get("examples").asInt()).isEqualTo(3);
  }

  /** {@code ferry ARGS} is refused as bad usage (exit 2), saying {@code message}. */
  private static void assertUsageError(String message, String... args) {
    Run r = run(args);
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(message);
  }
}
