package dev.ferry.indexer;

import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.testing.BundleFixtures;
import dev.ferry.testing.Samples;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The indexer tests' bundles ({@link BundleFixtures#sportCooking}): the two-topic set (sport,
 * cooking) on the int8 MiniLM with small chunks (32 tokens, overlap 8), so that a paragraph is
 * several chunks.
 */
final class TestBundles {
  static final String ENCODER = "all-minilm-l6-v2-q";
  static final Chunking CHUNKING = new Chunking(32, 8, 0, ChunkPooling.FIRST_AND_MEAN);
  static final List<String> SPORT = Samples.SPORT;
  static final List<String> COOKING = Samples.COOKING;

  private TestBundles() {}

  /** The sport/cooking bundle. */
  static Path sportCooking() {
    return train("sport-cooking", ENCODER, CHUNKING, "sport", "cooking");
  }

  /** The same data and encoder with other label names: a "new head" for relabeling. */
  static Path gamesFood() {
    return train("games-food", ENCODER, CHUNKING, "games", "food");
  }

  /** The same labels on another encoder (fp32 MiniLM): must be refused by relabel. */
  static Path otherEncoder() {
    return train("other-encoder", "all-minilm-l6-v2", CHUNKING, "sport", "cooking");
  }

  /** The same encoder, another chunking: must be refused by relabel. */
  static Path otherChunking() {
    return train(
        "other-chunking",
        ENCODER,
        new Chunking(48, 8, 0, ChunkPooling.TOKEN_WEIGHTED_MEAN),
        "sport",
        "cooking");
  }

  static Path train(String name, String encoder, Chunking chunking, String sport, String cooking) {
    return BundleFixtures.sportCooking(name, encoder, chunking, sport, cooking);
  }

  /** Ingests {@code input} into {@code index} with the sport/cooking bundle. */
  static IngestResult ingest(
      FerryIndex index, Path input, IngestOptions options, IngestListener listener)
      throws IOException {
    try (Indexer indexer =
        Indexer.open(index, ModelBundle.open(sportCooking()), EncoderOptions.defaults())) {
      return indexer.ingest(input, options, listener);
    }
  }

  /**
   * JSON lines of documents {@code PREFIX<from>} to {@code PREFIX<to - 1>}: sport and cooking
   * sentences in turn.
   */
  static List<String> docs(String prefix, int from, int to) {
    List<String> lines = new ArrayList<>();
    for (int i = from; i < to; i++) {
      List<String> topic = i % 2 == 0 ? SPORT : COOKING;
      lines.add(line(prefix + i, topic.get(i % topic.size()) + " Item " + i + "."));
    }
    return lines;
  }

  /** One JSON line. */
  static String line(String id, String text) {
    return "{\"id\": \"" + id + "\", \"text\": \"" + text + "\"}";
  }
}
