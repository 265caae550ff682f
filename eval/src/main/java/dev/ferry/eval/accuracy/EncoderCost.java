package dev.ferry.eval.accuracy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What each encoder costs, measured in one run on one machine so that the encoders can be compared:
 * texts per second on short texts, documents per second on whole long documents (read in chunks as
 * {@code ferry train} and the indexer read them, {@link Chunking#DEFAULT}), and the peak resident
 * memory of a JVM that embeds them with that encoder alone.
 *
 * <p>Speed: every encoder is opened and warmed up first; then each round times every encoder on the
 * short texts and on the long documents, starting each round with the next encoder, so that a burst
 * of load from other work on the machine falls on all of them alike. Memory: one child JVM per
 * encoder ({@link MemoryProbe}) embeds the same texts and reports its peak resident set ({@code
 * VmHWM}, Linux), so each figure is that encoder's own.
 *
 * <pre>{@code
 * List<EncoderCost.Measurement> costs = EncoderCost.measure(new EncoderCost.Config(
 *     List.of("all-minilm-l6-v2", "bge-small-en-v1.5-q"), shortTexts, longDocuments, 3,
 *     EncoderOptions.defaults(), true), System.err::println);
 * }</pre>
 */
public final class EncoderCost {
  private EncoderCost() {}

  /**
   * What to measure.
   *
   * @param encoders built-in names or directories
   * @param shortTexts texts of a sentence or a paragraph
   * @param longDocuments whole long documents (emails)
   * @param rounds timed passes, each over every encoder
   * @param options how the encoders run (threads)
   * @param memory whether to measure peak memory in a child JVM per encoder
   */
  public record Config(
      List<String> encoders,
      List<String> shortTexts,
      List<String> longDocuments,
      int rounds,
      EncoderOptions options,
      boolean memory) {
    /** Checks the fields. */
    public Config {
      encoders = List.copyOf(encoders);
      shortTexts = List.copyOf(shortTexts);
      longDocuments = List.copyOf(longDocuments);
      Objects.requireNonNull(options, "options");
      if (encoders.isEmpty() || rounds < 1 || (shortTexts.isEmpty() && longDocuments.isEmpty())) {
        throw new IllegalArgumentException("need an encoder, a round and some texts");
      }
    }
  }

  /**
   * One encoder's cost.
   *
   * @param encoder its name
   * @param shortTexts short texts embedded (all rounds)
   * @param shortSeconds time for them
   * @param longDocuments long documents embedded (all rounds)
   * @param longChunks chunks those documents were read in (all rounds)
   * @param longSeconds time for them
   * @param peakRssMib peak resident set of a JVM embedding the same texts with this encoder alone,
   *     MiB; -1 if not measured
   */
  public record Measurement(
      String encoder,
      long shortTexts,
      double shortSeconds,
      long longDocuments,
      long longChunks,
      double longSeconds,
      long peakRssMib) {
    /** Short texts per second; NaN if none were measured. */
    public double shortPerSecond() {
      return shortTexts == 0 ? Double.NaN : shortTexts / shortSeconds;
    }

    /** Long documents per second; NaN if none were measured. */
    public double longPerSecond() {
      return longDocuments == 0 ? Double.NaN : longDocuments / longSeconds;
    }

    /** Chunks per long document. */
    public double chunksPerDocument() {
      return longDocuments == 0 ? Double.NaN : (double) longChunks / longDocuments;
    }
  }

  /**
   * Measures every encoder; {@code progress} receives one line per step.
   *
   * @throws IOException if the memory probe's input cannot be written
   */
  public static List<Measurement> measure(Config config, Consumer<String> progress)
      throws IOException {
    Map<String, Long> memory = new LinkedHashMap<>();
    if (config.memory()) {
      for (String name : config.encoders()) {
        progress.accept(name + ": peak memory, in a JVM of its own");
        memory.put(name, MemoryProbe.run(name, config, progress));
      }
    }
    int n = config.encoders().size();
    double[] shortSeconds = new double[n];
    double[] longSeconds = new double[n];
    long[] chunks = new long[n];
    List<Encoder> open = new ArrayList<>();
    try {
      for (String name : config.encoders()) {
        Encoder e = Encoder.open(name, config.options());
        open.add(e);
        progress.accept(name + ": warming up");
        embed(e, config.shortTexts().subList(0, Math.min(16, config.shortTexts().size())));
        embed(e, config.longDocuments().subList(0, Math.min(2, config.longDocuments().size())));
      }
      for (int round = 0; round < config.rounds(); round++) {
        for (int j = 0; j < n; j++) {
          int i = (round + j) % n;
          progress.accept(
              String.format(
                  Locale.ROOT,
                  "round %d/%d: %s",
                  round + 1,
                  config.rounds(),
                  config.encoders().get(i)));
          long t0 = System.nanoTime();
          embed(open.get(i), config.shortTexts());
          long t1 = System.nanoTime();
          chunks[i] += embed(open.get(i), config.longDocuments());
          long t2 = System.nanoTime();
          shortSeconds[i] += (t1 - t0) / 1e9;
          longSeconds[i] += (t2 - t1) / 1e9;
        }
      }
    } finally {
      open.forEach(Encoder::close);
    }
    List<Measurement> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = config.encoders().get(i);
      out.add(
          new Measurement(
              name,
              (long) config.rounds() * config.shortTexts().size(),
              shortSeconds[i],
              (long) config.rounds() * config.longDocuments().size(),
              chunks[i],
              longSeconds[i],
              memory.getOrDefault(name, -1L)));
    }
    return out;
  }

  /** Embeds as {@code ferry train} and the indexer do; returns the chunks read. */
  private static long embed(Encoder encoder, List<String> texts) {
    if (texts.isEmpty()) {
      return 0;
    }
    return encoder.embedDocuments(texts, Chunking.DEFAULT).stream()
        .mapToLong(d -> d.chunks().size())
        .sum();
  }

  /** VmHWM from /proc/self/status (Linux), in KiB; -1 elsewhere. */
  static long peakRssKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  /**
   * Run in a JVM of its own: opens one encoder, embeds the short texts and the long documents once
   * each, and prints {@code VmHWM-KiB N}. Arguments: the encoder, the intra-op threads, and a JSON
   * file holding {@code {"short": [...], "long": [...]}}.
   */
  public static final class MemoryProbe {
    static final String MARKER = "VmHWM-KiB ";

    private MemoryProbe() {}

    /** Entry point of the child JVM. */
    public static void main(String[] args) throws IOException {
      @SuppressWarnings("unchecked")
      Map<String, List<String>> texts =
          new ObjectMapper().readValue(Path.of(args[2]).toFile(), Map.class);
      try (Encoder e =
          Encoder.open(
              args[0], EncoderOptions.defaults().withIntraOpThreads(Integer.parseInt(args[1])))) {
        embed(e, texts.get("short"));
        embed(e, texts.get("long"));
      }
      System.out.println(MARKER + peakRssKib());
    }

    /** Runs the probe for {@code encoder}; its peak RSS in MiB, or -1 if it could not be read. */
    static long run(String encoder, Config config, Consumer<String> progress) throws IOException {
      Path input = Files.createTempFile("ferry-memory-probe", ".json");
      try {
        new ObjectMapper()
            .writeValue(
                input.toFile(),
                Map.of("short", config.shortTexts(), "long", config.longDocuments()));
        String java =
            ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command =
            new ArrayList<>(
                List.of(
                    java,
                    "--enable-native-access=ALL-UNNAMED",
                    "-Xss4m",
                    "-Djava.awt.headless=true"));
        // The same cache folder as this JVM: the built-in models are extracted there once.
        if (System.getProperty("ferry.cache.dir") != null) {
          command.add("-Dferry.cache.dir=" + System.getProperty("ferry.cache.dir"));
        }
        command.addAll(
            List.of(
                "-cp",
                System.getProperty("java.class.path"),
                MemoryProbe.class.getName(),
                encoder,
                Integer.toString(config.options().intraOpThreads()),
                input.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
          p.destroyForcibly();
          progress.accept(
              encoder
                  + ": the memory probe failed (exit "
                  + (p.isAlive() ? "none" : p.exitValue())
                  + "); its output ends: "
                  + tail(output));
          return -1;
        }
        int at = output.lastIndexOf(MARKER);
        long kib =
            at < 0
                ? -1
                : Long.parseLong(output.substring(at + MARKER.length()).trim().split("\\s+")[0]);
        return kib < 0 ? -1 : kib >> 10;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while measuring " + encoder + "'s memory", e);
      } finally {
        Files.deleteIfExists(input);
      }
    }

    private static String tail(String s) {
      return s.length() <= 400 ? s.strip() : s.substring(s.length() - 400).strip();
    }
  }
}
