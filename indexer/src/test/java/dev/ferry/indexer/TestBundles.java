package dev.ferry.indexer;

import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.trainer.Trainer;
import dev.ferry.trainer.TrainingConfig;
import dev.ferry.trainer.TrainingListener;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tiny real bundles for the tests, trained once per JVM on a two-topic set (sport, cooking) with
 * the int8 MiniLM and small chunks (32 tokens, overlap 8), so that a paragraph is several chunks.
 */
final class TestBundles {
  static final String ENCODER = "all-minilm-l6-v2-q";
  static final Chunking CHUNKING = new Chunking(32, 8, 0, ChunkPooling.FIRST_AND_MEAN);
  static final List<String> SPORT = List.of(
      "The striker scored twice in the second half to win the match.",
      "The home team lost the final after a penalty shootout.",
      "She won the marathon in record time despite the heat.",
      "The goalkeeper saved three shots in the first ten minutes.",
      "Our club signed a new midfielder before the transfer deadline.",
      "The tennis champion was knocked out in the quarter-final.",
      "The coach was sacked after five defeats in a row.",
      "The cyclist took the yellow jersey on the mountain stage.",
      "A late touchdown gave the visitors a narrow victory.",
      "The sprinter false-started and was disqualified from the race.",
      "The basketball team clinched the title with a buzzer-beater.",
      "Fans filled the stadium for the derby on Sunday.");
  static final List<String> COOKING = List.of(
      "Simmer the onions in butter until they turn golden.",
      "Knead the dough for ten minutes, then let it rise.",
      "Season the soup with salt, pepper and a little nutmeg.",
      "Whisk the eggs with sugar until pale and fluffy.",
      "Roast the chicken at two hundred degrees for an hour.",
      "Chop the garlic finely and fry it in olive oil.",
      "Let the cake cool before you spread the icing.",
      "Add the rice and stir until every grain is coated.",
      "Marinate the beef overnight in soy sauce and ginger.",
      "Bake the bread until the crust sounds hollow when tapped.",
      "Fold the cream gently into the chocolate mixture.",
      "Grate the cheese over the pasta just before serving.");

  private static final Map<String, Path> TRAINED = new HashMap<>();

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
    return train("other-chunking", ENCODER, new Chunking(48, 8, 0, ChunkPooling.TOKEN_WEIGHTED_MEAN), "sport", "cooking");
  }

  static synchronized Path train(String name, String encoder, Chunking chunking, String sport, String cooking) {
    return TRAINED.computeIfAbsent(name, n -> {
      try {
        Path dir = Files.createTempDirectory("ferry-indexer-test-bundles");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < SPORT.size(); i++) {
          lines.add("{\"text\": \"" + SPORT.get(i) + "\", \"label\": \"" + sport + "\"}");
          lines.add("{\"text\": \"" + COOKING.get(i) + "\", \"label\": \"" + cooking + "\"}");
        }
        Path data = Files.write(dir.resolve("train.jsonl"), lines);
        Path out = dir.resolve(n);
        Trainer.train(TrainingConfig.builder(data, out).encoder(encoder).chunking(chunking)
            .encoderOptions(EncoderOptions.defaults().withIntraOpThreads(1)).cacheEmbeddings(false)
            .head(HeadSettings.defaults(HeadKind.LINEAR).withEpochs(40)).build(), TrainingListener.NONE);
        return out;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** Ingests {@code input} into {@code index} with the sport/cooking bundle. */
  static IngestResult ingest(FerryIndex index, Path input, IngestOptions options, IngestListener listener)
      throws IOException {
    try (Indexer indexer = Indexer.open(index, ModelBundle.open(sportCooking()), EncoderOptions.defaults())) {
      return indexer.ingest(input, options, listener);
    }
  }

  /** JSON lines of documents {@code PREFIX<from>} to {@code PREFIX<to - 1>}: sport and cooking sentences in turn. */
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
