package dev.ferry.eval.accuracy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Small generated stand-ins for the shared data files, and a fake encoder, so the suite runs in
 * tests without the data or a model: each label has topic words that separate it from the others.
 */
final class GeneratedSuite {
  private static final Map<String, String> TOPIC =
      Map.ofEntries(
          Map.entry("other", "shares profit quarter dividend"),
              Map.entry("grain", "wheat tonnes harvest export"),
          Map.entry("corn", "corn maize acreage bushels"),
              Map.entry("ham", "meeting lunch project thanks"),
          Map.entry("spam", "free offer click viagra money"),
              Map.entry("positive", "great wonderful moving superb"),
          Map.entry("negative", "dull boring awful mess"),
              Map.entry("ABBR", "abbreviation stand acronym short"),
          Map.entry("DESC", "why how describe reason"),
              Map.entry("HUM", "who person actor inventor"));
  private static final String[] NOISE = "the a of and to in for on with said it was".split(" ");

  private GeneratedSuite() {}

  /**
   * Writes all seven files into {@code dir}: Reuters train (other 24, grain 8, corn 3) and test
   * (12, 4, 3); SpamAssassin (ham 40, spam 20); movie reviews train (20 + 20) and test (8 + 8);
   * TREC train (ABBR 3, DESC 10, HUM 10) and test (2, 4, 4).
   */
  static void write(Path dir) throws IOException {
    file(dir, "reuters-grain-train.jsonl.gz", Map.of("other", 24, "grain", 8, "corn", 3), 1);
    file(dir, "reuters-grain-test.jsonl.gz", Map.of("other", 12, "grain", 4, "corn", 3), 2);
    file(dir, "spamassassin.jsonl.gz", Map.of("ham", 40, "spam", 20), 3);
    file(dir, "movie-reviews-train.jsonl.gz", Map.of("positive", 20, "negative", 20), 4);
    file(dir, "movie-reviews-test.jsonl.gz", Map.of("positive", 8, "negative", 8), 5);
    file(dir, "trec-questions-train.jsonl.gz", Map.of("ABBR", 3, "DESC", 10, "HUM", 10), 6);
    file(dir, "trec-questions-test.jsonl.gz", Map.of("ABBR", 2, "DESC", 4, "HUM", 4), 7);
  }

  /**
   * Writes {@code name} as gzipped JSONL: per label, that many texts of its topic words and noise.
   */
  private static void file(Path dir, String name, Map<String, Integer> counts, long seed)
      throws IOException {
    Random random = new Random(seed);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve(name)));
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
      int id = 0;
      for (var e : counts.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
        String[] topic = TOPIC.get(e.getKey()).split(" ");
        for (int i = 0; i < e.getValue(); i++) {
          StringBuilder text = new StringBuilder(name + " " + id++);
          for (int j = 0; j < 12; j++) {
            text.append(' ')
                .append(
                    random.nextInt(3) == 0
                        ? topic[random.nextInt(topic.length)]
                        : NOISE[random.nextInt(NOISE.length)]);
          }
          w.write("{\"text\": \"" + text + "\", \"label\": \"" + e.getKey() + "\"}\n");
        }
      }
    }
  }

  /** Hashes each word into one of 16 dimensions; unit length, like the real encoders' vectors. */
  static float[] fakeEmbedding(String text) {
    float[] v = new float[16];
    for (String word : text.split(" ")) {
      if (!word.chars().allMatch(Character::isDigit) && !word.contains("jsonl")) {
        v[Math.floorMod(word.hashCode(), 16)] += 1;
      }
    }
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    for (int i = 0; i < v.length; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }

  /** The fake encoder for every text. */
  static float[][] fakeEmbeddings(List<String> texts) {
    return texts.stream().map(GeneratedSuite::fakeEmbedding).toArray(float[][]::new);
  }
}
