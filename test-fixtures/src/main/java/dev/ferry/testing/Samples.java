package dev.ferry.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The texts tests train and classify: a two-topic set (sport, cooking) of short sentences, and the
 * Reuters stories that the quick start ships (200 to train on, 150 held out).
 */
public final class Samples {
  /** Twelve sport sentences. */
  public static final List<String> SPORT =
      List.of(
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

  /** Twelve cooking sentences. */
  public static final List<String> COOKING =
      List.of(
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

  /** The quick start's training sample: 200 Reuters stories labeled grain, corn or other. */
  public static final String REUTERS_TRAIN = "reuters-sample.jsonl";

  /** The quick start's held-out sample: 150 stories of the Reuters test split. */
  public static final String REUTERS_TEST = "reuters-sample-test.jsonl";

  /**
   * Where the cli module keeps the quick start's samples, from any module's folder (where Maven
   * runs tests).
   */
  private static final Path SAMPLES =
      Path.of("..", "cli", "src", "main", "resources", "dev", "ferry", "cli");

  private static final ObjectMapper JSON = new ObjectMapper();

  private Samples() {}

  /** The sport and cooking sentences in turn as JSONL training lines, labeled so. */
  public static List<String> sportCookingLines(String sport, String cooking) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < SPORT.size(); i++) {
      lines.add("{\"text\": \"" + SPORT.get(i) + "\", \"label\": \"" + sport + "\"}");
      lines.add("{\"text\": \"" + COOKING.get(i) + "\", \"label\": \"" + cooking + "\"}");
    }
    return lines;
  }

  /**
   * The quick start's sample {@code name} ({@link #REUTERS_TRAIN} or {@link #REUTERS_TEST}), an
   * absolute path.
   */
  public static Path reuters(String name) {
    Path file = SAMPLES.resolve(name).toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          file.toAbsolutePath()
              + ": the quick start's Reuters sample is missing; "
              + "run the tests from a module folder (Maven does)");
    }
    return file;
  }

  /** The first {@code n} texts of the held-out Reuters stories. */
  public static List<String> reutersTestTexts(int n) {
    List<String> texts = texts(reuters(REUTERS_TEST), n);
    if (texts.size() < n) {
      throw new IllegalStateException(
          "the Reuters test sample has " + texts.size() + " stories, asked for " + n);
    }
    return texts;
  }

  /** The {@code text} of the first {@code n} records of a JSONL file (fewer if it has fewer). */
  public static List<String> texts(Path file, int n) {
    List<String> texts = new ArrayList<>();
    try (Stream<String> lines = Files.lines(file)) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (texts.size() >= n) {
          break;
        }
        texts.add(JSON.readTree(line).get("text").asText());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return texts;
  }
}
