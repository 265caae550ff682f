package dev.ferry.eval.encode;

import dev.ferry.models.data.JsonlLine;
import dev.ferry.models.data.JsonlReader;
import dev.ferry.models.data.TextRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Realistic text for throughput measurements, drawn reproducibly from JSONL files.
 *
 * <p>{@link Unit#PARAGRAPHS} takes one random paragraph (blank-line separated) of every record, the
 * way an indexer that chunks long documents feeds its encoder: on the shared data sets that gives
 * one-line replies, email paragraphs, header blocks and whole news stories (which have no blank
 * lines). {@link Unit#DOCUMENTS} takes whole records: on the shared sets most are longer than the
 * model's window and are truncated.
 */
public final class MixedLengthSample {
  /** What one sampled text is. */
  public enum Unit {
    /** One random paragraph of each record. */
    PARAGRAPHS,
    /** Each record's whole text. */
    DOCUMENTS
  }

  private MixedLengthSample() {}

  /**
   * Draws up to {@code count} texts, the same ones for the same files, unit and seed.
   *
   * @throws IOException if a file cannot be read
   */
  public static List<String> draw(List<Path> files, Unit unit, int count, long seed)
      throws IOException {
    Random random = new Random(seed);
    List<String> pool = new ArrayList<>();
    for (Path file : files) {
      try (JsonlReader reader = JsonlReader.open(file)) {
        for (JsonlLine line : reader) {
          if (line instanceof TextRecord record && !record.text().isBlank()) {
            pool.add(
                unit == Unit.DOCUMENTS ? record.text().strip() : paragraph(record.text(), random));
          }
        }
      }
    }
    Collections.shuffle(pool, random);
    return List.copyOf(pool.subList(0, Math.min(count, pool.size())));
  }

  private static String paragraph(String text, Random random) {
    List<String> paragraphs = new ArrayList<>();
    for (String p : text.split("\\n\\s*\\n")) {
      if (!p.isBlank()) {
        paragraphs.add(p.strip());
      }
    }
    return paragraphs.isEmpty() ? text.strip() : paragraphs.get(random.nextInt(paragraphs.size()));
  }
}
