package dev.ferry.plugin;

import dev.ferry.models.encoder.Chunking;
import dev.ferry.testing.BundleFixtures;
import dev.ferry.testing.Samples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

  private TestBundles() {}

  /** The trained bundle's folder; trains it on first use, reuses it while it opens cleanly. */
  static Path reuters() {
    return BundleFixtures.trained(
        REUTERS, Samples.reuters(Samples.REUTERS_TRAIN), ENCODER, Chunking.DEFAULT);
  }

  /** The first {@code n} texts of the sample's held-out test stories. */
  static List<String> testTexts(int n) {
    return Samples.reutersTestTexts(n);
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
}
