package dev.ferry.eval.encode;

import dev.ferry.models.encoder.Batching;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.encoder.EncoderStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Encoder throughput, length-bucketed against pad-to-max-length, measured in the same run on the
 * same texts, so their ratio is meaningful on a noisy machine even where absolute numbers are not.
 * Each encoder is warmed up on both paths first; the paths then alternate for each round.
 *
 * <pre>{@code
 * List<EncodeBenchmark.Result> results = EncodeBenchmark.run(
 *     new EncodeBenchmark.Config(List.of("all-minilm-l6-v2"), texts, 2, EncoderOptions.defaults()),
 *     System.err::println);
 * }</pre>
 */
public final class EncodeBenchmark {
  private EncodeBenchmark() {}

  /**
   * What to measure.
   *
   * @param encoders built-in names or directories
   * @param texts the texts, embedded as documents
   * @param rounds how many times each path embeds all texts (after warm-up)
   * @param options base options; batching is set per path
   */
  public record Config(
      List<String> encoders, List<String> texts, int rounds, EncoderOptions options) {
    /** Validates the fields. */
    public Config {
      encoders = List.copyOf(encoders);
      texts = List.copyOf(texts);
      Objects.requireNonNull(options, "options");
      if (encoders.isEmpty() || texts.isEmpty() || rounds < 1) {
        throw new IllegalArgumentException("need at least one encoder, one text and one round");
      }
    }
  }

  /**
   * One encoder on one path.
   *
   * @param encoder encoder name
   * @param batching the path measured
   * @param texts texts embedded (all rounds)
   * @param seconds wall-clock time for them
   * @param stats the encoder's counters over the measured rounds
   */
  public record Result(
      String encoder, Batching batching, long texts, double seconds, EncoderStats stats) {
    /** Texts embedded per second of wall-clock time. */
    public double textsPerSecond() {
      return texts / seconds;
    }

    /** Share of the wall-clock time spent tokenizing. */
    public double tokenizeShareOfWallTime() {
      return stats.tokenizeNanos() / (seconds * 1e9);
    }
  }

  /** Runs the benchmark; {@code progress} receives one line per step. */
  public static List<Result> run(Config config, Consumer<String> progress) {
    List<Result> results = new ArrayList<>();
    List<String> warmup = config.texts().subList(0, Math.min(32, config.texts().size()));
    for (String name : config.encoders()) {
      try (Encoder bucketed =
              Encoder.open(name, config.options().withBatching(Batching.LENGTH_BUCKETED));
          Encoder naive =
              Encoder.open(name, config.options().withBatching(Batching.PAD_TO_MAX_LENGTH))) {
        progress.accept(name + ": warming up");
        bucketed.embed(warmup);
        naive.embed(warmup);
        double[] seconds = new double[2];
        EncoderStats[] before = {bucketed.stats(), naive.stats()};
        Encoder[] paths = {bucketed, naive};
        for (int round = 1; round <= config.rounds(); round++) {
          for (int p = 0; p < 2; p++) {
            progress.accept(
                String.format(
                    "%s: round %d/%d, %s",
                    name, round, config.rounds(), paths[p].options().batching()));
            long t0 = System.nanoTime();
            paths[p].embed(config.texts());
            seconds[p] += (System.nanoTime() - t0) / 1e9;
          }
        }
        long count = (long) config.texts().size() * config.rounds();
        for (int p = 0; p < 2; p++) {
          results.add(
              new Result(
                  name,
                  paths[p].options().batching(),
                  count,
                  seconds[p],
                  paths[p].stats().since(before[p])));
        }
      }
    }
    return results;
  }

  /** Token-count percentiles (10, 50, 90, max) of the texts under an encoder's tokenizer. */
  public static int[] tokenPercentiles(Encoder encoder, List<String> texts) {
    int[] lengths = texts.stream().mapToInt(t -> encoder.tokenIds(t).length).sorted().toArray();
    return new int[] {
      lengths[lengths.length / 10],
      lengths[lengths.length / 2],
      lengths[lengths.length * 9 / 10],
      lengths[lengths.length - 1]
    };
  }

  /** The results as a Markdown table, one row per encoder and path, with the speed-up. */
  public static String markdown(List<Result> results) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| encoder | batching | texts/s | real tokens/s | padding | tokenize share | speed-up |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      double baseline =
          results.stream()
              .filter(
                  o ->
                      o.encoder().equals(r.encoder()) && o.batching() == Batching.PAD_TO_MAX_LENGTH)
              .mapToDouble(Result::textsPerSecond)
              .findFirst()
              .orElse(Double.NaN);
      sb.append(
          String.format(
              "| %s | %s | %.1f | %.0f | %.0f%% | %.1f%% | %.2fx |%n",
              r.encoder(),
              r.batching().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
              r.textsPerSecond(),
              r.stats().tokens() / r.seconds(),
              100 * r.stats().paddingFraction(),
              100 * r.tokenizeShareOfWallTime(),
              r.textsPerSecond() / baseline));
    }
    return sb.toString();
  }

  /** A line describing this machine and runtime, for the record next to the numbers. */
  public static String machine() {
    String cpu = "unknown CPU";
    try {
      cpu =
          java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .findFirst()
              .orElse(cpu);
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux: the CPU name stays unknown
    }
    return String.format(
        "%s, %d cores visible to the JVM, %s %s, Java %s",
        cpu,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name"),
        System.getProperty("os.arch"),
        System.getProperty("java.runtime.version"));
  }
}
