package dev.ferry.plugin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.testing.BundleFixtures;
import dev.ferry.testing.Samples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The bundles the plugin tests classify with, trained once per build on the Reuters sample that the
 * quick start ships, all on the int8 MiniLM, and the sample's stories.
 *
 * <ul>
 *   <li>{@link #reuters()}: grain/corn/other, the default chunking ({@code first_mean_max}).
 *   <li>{@link #crops()}: the same stories labeled crops (grain and corn) or other, the same
 *       encoder and chunking: a new head that may relabel what the first one labeled.
 *   <li>{@link #meanPooled()}: grain/corn/other with the head reading the token-weighted mean only:
 *       other features, so it must not relabel what the first one labeled.
 * </ul>
 */
final class TestBundles {
  /** The bundles' folder names under {@code config/ferry/}. */
  static final String REUTERS = "reuters";

  static final String CROPS = "reuters-crops";
  static final String MEAN_POOLED = "reuters-mean";
  static final String ENCODER = "all-minilm-l6-v2-q";

  private static final Path TARGET = Path.of("target", "test-bundles");
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestBundles() {}

  /**
   * The grain/corn/other bundle's folder; trains it on first use, reuses it while it opens cleanly.
   */
  static Path reuters() {
    return BundleFixtures.trained(
        REUTERS, Samples.reuters(Samples.REUTERS_TRAIN), ENCODER, Chunking.DEFAULT);
  }

  /** A crops/other head on the same encoder and chunking as {@link #reuters()}. */
  static Path crops() {
    return BundleFixtures.trained(
        CROPS,
        relabeled(
            "reuters-crops.jsonl",
            label -> label.equals("grain") || label.equals("corn") ? "crops" : label),
        ENCODER,
        Chunking.DEFAULT);
  }

  /** A grain/corn/other head reading the token-weighted mean of the chunks: other features. */
  static Path meanPooled() {
    return BundleFixtures.trained(
        MEAN_POOLED,
        Samples.reuters(Samples.REUTERS_TRAIN),
        ENCODER,
        Chunking.DEFAULT.withPooling(ChunkPooling.TOKEN_WEIGHTED_MEAN));
  }

  /**
   * A grain/corn/other head on {@code encoder} reading only the first {@code tokens} tokens of a
   * text (one window, no chunks): the setting of OpenSearch's 2023 semantic-search benchmark, for
   * {@code PluginBenchmarkIT}.
   */
  static Path firstWindow(String encoder, int tokens) {
    return BundleFixtures.trained(
        "bench-" + encoder + "-" + tokens,
        Samples.reuters(Samples.REUTERS_TRAIN),
        encoder,
        new Chunking(tokens, 0, 1, ChunkPooling.TOKEN_WEIGHTED_MEAN));
  }

  /** The training sample with its labels mapped, written under target/. */
  private static Path relabeled(String file, UnaryOperator<String> label) {
    Path out = TARGET.resolve(file).toAbsolutePath();
    List<String> lines = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Samples.reuters(Samples.REUTERS_TRAIN))) {
        ObjectNode record = (ObjectNode) JSON.readTree(line);
        record.put("label", label.apply(record.get("label").asText()));
        lines.add(JSON.writeValueAsString(record));
      }
      Files.createDirectories(out.getParent());
      Files.write(out, lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The first {@code n} texts of the sample's held-out test stories. */
  static List<String> testTexts(int n) {
    return Samples.reutersTestTexts(n);
  }

  /** {@code n} different stories: the 150 test stories, then training stories (350 in all). */
  static List<String> stories(int n) {
    List<String> texts = new ArrayList<>(Samples.texts(Samples.reuters(Samples.REUTERS_TEST), n));
    texts.addAll(Samples.texts(Samples.reuters(Samples.REUTERS_TRAIN), n - texts.size()));
    if (texts.size() < n) {
      throw new IllegalStateException(
          "the Reuters samples have " + texts.size() + " stories, asked for " + n);
    }
    return texts;
  }

  /** {@code n} texts: {@code texts} over and over. */
  static List<String> repeat(List<String> texts, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(texts.get(i % texts.size()));
    }
    return out;
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

  /** Installs {@link #reuters()}, {@link #crops()} and {@link #meanPooled()} under their names. */
  static void installAll(Path configDir) {
    for (Map.Entry<String, Path> b :
        Map.of(REUTERS, reuters(), CROPS, crops(), MEAN_POOLED, meanPooled()).entrySet()) {
      install(b.getValue(), configDir, b.getKey());
    }
  }
}
