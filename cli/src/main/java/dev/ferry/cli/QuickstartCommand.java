package dev.ferry.cli;

import dev.ferry.models.data.JsonlLine;
import dev.ferry.models.data.JsonlReader;
import dev.ferry.models.data.TextRecord;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.TextRole;
import dev.ferry.models.encoder.Vectors;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ferry quickstart}: the main job on the bundled sample, start to end. For now: embed 200
 * Reuters stories and answer a few questions by meaning, with the nearest stories and their
 * labels.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = {"Embed the bundled sample (200 Reuters stories labeled grain, corn or other)"
        + " and search it by meaning."})
final class QuickstartCommand implements Callable<Integer> {
  static final String SAMPLE = "reuters-sample.jsonl";
  static final List<String> QUESTIONS = List.of(
      "wheat sales to the Soviet Union",
      "drought damage to the corn crop",
      "quarterly profit and dividend");

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin EncoderOptionsMixin encoderOptions;

  @Option(names = "--top", paramLabel = "K", description = "Neighbours per question. Default: ${DEFAULT-VALUE}.")
  int top = 3;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    List<TextRecord> docs = sample();
    out.printf("Ferry quick start: %d Reuters stories (bundled sample), encoder %s%n%n",
        docs.size(), encoderOptions.encoder);
    out.flush();
    try (Encoder encoder = encoderOptions.open()) {
      long t0 = System.nanoTime();
      float[][] vectors;
      try (Progress progress = new Progress("embedded", docs.size())) {
        List<String> texts = docs.stream().map(TextRecord::text).toList();
        vectors = new float[texts.size()][];
        for (int start = 0; start < texts.size(); start += 32) {
          List<String> part = texts.subList(start, Math.min(texts.size(), start + 32));
          float[][] v = encoder.embed(part);
          System.arraycopy(v, 0, vectors, start, v.length);
          progress.advance(part.size());
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      out.printf(Locale.ROOT, "Embedded %d stories into %d-dimensional vectors in %.1f s (%.0f/s, %s).%n",
          docs.size(), encoder.dimension(), seconds, docs.size() / seconds, encoder.executionProvider().id());
      for (String question : QUESTIONS) {
        float[] q = encoder.embed(List.of(question), TextRole.QUERY)[0];
        out.printf("%nNearest to \"%s\":%n", question);
        for (Vectors.Neighbour n : Vectors.nearest(q, vectors, top)) {
          TextRecord doc = docs.get(n.index());
          out.printf(Locale.ROOT, "  %.3f  %-5s  %s%n", n.score(), doc.fields().path("label").asText("?"),
              headline(doc.text()));
        }
      }
      out.printf("%nNext: ferry embed --help, ferry bench encode --help, ./ferry test%n");
      out.flush();
    }
    return 0;
  }

  static List<TextRecord> sample() throws IOException {
    List<TextRecord> docs = new ArrayList<>();
    try (InputStream in = QuickstartCommand.class.getResourceAsStream(SAMPLE);
        JsonlReader reader = JsonlReader.of(in, SAMPLE, "text")) {
      for (JsonlLine line : reader) {
        if (line instanceof TextRecord r) {
          docs.add(r);
        }
      }
    }
    return docs;
  }

  static String headline(String text) {
    String first = text.strip().lines().findFirst().orElse("").strip();
    return first.length() > 72 ? first.substring(0, 71) + "…" : first;
  }
}
