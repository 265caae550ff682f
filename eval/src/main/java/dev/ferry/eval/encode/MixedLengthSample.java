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
 * Realistic text of mixed length for throughput measurements: from every record of the given
 * JSONL files, either the whole text or one of its paragraphs (blank-line separated), by a coin
 * flip; then a seeded shuffle. On the shared data sets this gives one-line replies, paragraphs,
 * whole news stories and long emails, as an ingest pipeline sees them.
 */
public final class MixedLengthSample {
  private MixedLengthSample() {}

  /**
   * Draws up to {@code count} texts, reproducibly for a given {@code seed}.
   *
   * @throws IOException if a file cannot be read
   */
  public static List<String> draw(List<Path> files, int count, long seed) throws IOException {
    Random random = new Random(seed);
    List<String> pool = new ArrayList<>();
    for (Path file : files) {
      try (JsonlReader reader = JsonlReader.open(file)) {
        for (JsonlLine line : reader) {
          if (line instanceof TextRecord record && !record.text().isBlank()) {
            pool.add(random.nextBoolean() ? record.text().strip() : paragraph(record.text(), random));
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
