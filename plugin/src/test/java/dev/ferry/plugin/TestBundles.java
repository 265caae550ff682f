package dev.ferry.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.Trainer;
import dev.ferry.trainer.TrainingConfig;
import dev.ferry.trainer.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The bundle the plugin tests classify with: a grain/corn/other head on the int8 MiniLM, trained
 * once per build on the Reuters sample that the quick start ships, and the sample's test stories.
 */
final class TestBundles {
  /** The bundle's folder name under {@code config/ferry/}. */
  static final String REUTERS = "reuters";
  static final String ENCODER = "all-minilm-l6-v2-q";

  private static final Path SAMPLES = Path.of("..", "cli", "src", "main", "resources", "dev", "ferry", "cli");
  private static final Path TARGET = Path.of("target", "test-bundles");

  private TestBundles() {}

  /** The trained bundle's folder; trains it on first use, reuses it while it opens cleanly. */
  static synchronized Path reuters() {
    Path dir = TARGET.resolve(REUTERS).toAbsolutePath();
    if (Files.isDirectory(dir)) {
      try {
        ModelBundle.open(dir);
        return dir;
      } catch (BundleLoadException e) {
        // stale or half-written: train again below
      }
    }
    TrainingConfig config = TrainingConfig.builder(sample("reuters-sample.jsonl"), dir)
        .encoder(ENCODER)
        .encoderOptions(EncoderOptions.defaults())
        .cacheDirectory(TARGET.resolve("embedding-cache").toAbsolutePath())
        .build();
    try {
      Trainer.train(config, TrainingListener.NONE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** The first {@code n} texts of the sample's held-out test stories. */
  static List<String> testTexts(int n) {
    ObjectMapper json = new ObjectMapper();
    List<String> texts = new ArrayList<>();
    try (Stream<String> lines = Files.lines(sample("reuters-sample-test.jsonl"))) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (texts.size() == n) {
          break;
        }
        JsonNode record = json.readTree(line);
        texts.add(record.get("text").asText());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (texts.size() < n) {
      throw new IllegalStateException("the Reuters test sample has " + texts.size() + " stories, asked for " + n);
    }
    return texts;
  }

  /** Copies the bundle folder {@code bundle} to {@code configDir/ferry/name}. */
  static Path install(Path bundle, Path configDir, String name) {
    Path target = configDir.resolve(FerryPlugin.BUNDLES_FOLDER).resolve(name);
    try (Stream<Path> files = Files.walk(bundle)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path copy = target.resolve(bundle.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(copy);
        } else {
          Files.copy(source, copy);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  private static Path sample(String name) {
    Path file = SAMPLES.resolve(name);
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(file.toAbsolutePath() + ": the quick start's Reuters sample is missing; "
          + "run the tests from the plugin module folder (Maven does)");
    }
    return file;
  }
}
