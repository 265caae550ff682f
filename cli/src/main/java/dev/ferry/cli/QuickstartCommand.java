package dev.ferry.cli;

import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.Prediction;
import dev.ferry.trainer.Evaluation;
import dev.ferry.trainer.Trainer;
import dev.ferry.trainer.TrainingConfig;
import dev.ferry.trainer.TrainingResult;
import dev.ferry.trainer.data.LabeledDataReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry quickstart}: the main job on the bundled sample, start to end: train a classifier on
 * 200 labeled Reuters stories, score it on 150 held-out stories, classify a few new headlines, and
 * point at the report.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Train a classifier on the bundled sample (200 Reuters stories labeled grain,"
          + " corn or other, from the Reuters-21578 ModApte training split), score it on 150 stories"
          + " of the test split, classify a few new headlines, and write a bundle with its report."
    })
final class QuickstartCommand implements Callable<Integer>, HelpLayout.Examples {
  static final String TRAIN_SAMPLE = BundledSample.TRAIN;
  static final String TEST_SAMPLE = BundledSample.TEST;
  static final List<String> HEADLINES =
      List.of(
          "Drought cuts U.S. corn crop forecast, maize prices rise",
          "Soviet Union buys more U.S. wheat under export program",
          "Retailer reports higher quarterly profit and raises dividend");

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public List<String> examples() {
    return List.of(
        "ferry quickstart",
        "ferry quickstart --encoder all-minilm-l6-v2-q --out /tmp/ferry-quickstart");
  }

  @Mixin EncoderOptionsMixin encoderOptions;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Folder for the sample data and the bundle. Default: ${DEFAULT-VALUE}.")
  Path out = Path.of("target", "ferry-quickstart");

  @Override
  public Integer call() throws IOException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path data = Files.createDirectories(out.resolve("data"));
    Path train = BundledSample.copy(TRAIN_SAMPLE, data.resolve("train.jsonl"));
    Path test = BundledSample.copy(TEST_SAMPLE, data.resolve("test.jsonl"));
    Path bundleDir = out.resolve("bundle");
    stdout.printf(
        "Ferry quick start: train a grain/corn/other classifier on 200 Reuters stories,"
            + " encoder %s.%n%n",
        encoderOptions.encoder);
    stdout.flush();

    TrainingConfig config =
        TrainingConfig.builder(train, bundleDir)
            .encoder(encoderOptions.encoder)
            .encoderOptions(encoderOptions.options())
            .build();
    TrainingResult result;
    try (TrainCommand.ConsoleTrainingListener listener =
        new TrainCommand.ConsoleTrainingListener(
            err, config.head().epochs(), config.fineTune().epochs())) {
      result = Trainer.train(config, listener);
    }
    TrainCommand.printSummary(stdout, result);

    Evaluation.Result evaluation;
    try (Progress progress = new Progress("texts embedded", -1)) {
      evaluation =
          Evaluation.evaluate(
              result.bundle(),
              test,
              LabeledDataReader.Options.defaults(),
              encoderOptions.options(),
              (done, total) -> {
                progress.total(total);
                progress.moveTo(done);
              });
    }
    stdout.printf(
        Locale.ROOT,
        "%nTest set: %d stories the training never saw (%s)%n",
        evaluation.metrics().examples(),
        test);
    MetricsTable.print(stdout, evaluation.metrics());

    stdout.printf("%nNew headlines:%n");
    try (Classifier classifier = result.bundle().openClassifier(encoderOptions.options())) {
      List<Prediction> predictions = classifier.classify(HEADLINES);
      for (int i = 0; i < HEADLINES.size(); i++) {
        Prediction p = predictions.get(i);
        stdout.printf(
            Locale.ROOT, "  %-5s %.2f  %s%n", p.label(), p.confidence(), HEADLINES.get(i));
      }
    }
    stdout.printf("%nOpen the report: %s%n", result.bundle().reportIndex().toAbsolutePath());
    stdout.printf(
        "Next:%n  ferry eval --bundle %s --data %s --errors 10%n  ferry predict --bundle %s --text \"...\"%n"
            + "  ferry train --data YOUR.jsonl --out YOUR-bundle%n",
        bundleDir, test, bundleDir);
    stdout.flush();
    return 0;
  }
}
