package dev.ferry.trainer.selection;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.head.HeadSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link EncoderSelector} found: every candidate's speed and cross-validated scores, the
 * choice and the next best. The bundle manifest records it as {@code training.encoder_selection}
 * ({@link #toJson}).
 *
 * @param settings what was tried
 * @param folds the folds the cross-validation used
 * @param seed the seed of the folds and the heads
 * @param candidates every candidate, in the order tried, scored or left out
 * @param chosen the encoder and head chosen
 * @param nextBest the best of the other pairs by score, or null when only one pair was scored
 */
public record EncoderSelection(
    SelectionSettings settings,
    int folds,
    long seed,
    List<Candidate> candidates,
    Pick chosen,
    Pick nextBest) {

  /** Checks the fields. */
  public EncoderSelection {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(chosen, "chosen");
    candidates = List.copyOf(candidates);
  }

  /**
   * One candidate encoder.
   *
   * @param encoder the encoder
   * @param textsPerSecond documents per second on the probe of the user's texts
   * @param uncachedTexts distinct texts the cache did not hold before this run
   * @param embedSeconds time spent getting the vectors (0 when left out)
   * @param scores each head's fold scores, in the order tried (empty when left out)
   * @param leftOut why it was not scored (the budget), or null
   */
  public record Candidate(
      BuiltinEncoder encoder,
      double textsPerSecond,
      int uncachedTexts,
      double embedSeconds,
      Map<HeadKind, FoldScores> scores,
      String leftOut) {
    /** Copies the scores. */
    public Candidate {
      scores = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scores));
    }
  }

  /**
   * An encoder with a head, and its scores.
   *
   * @param encoder the encoder
   * @param head the head's settings, as training will use them
   * @param scores its fold scores
   */
  public record Pick(BuiltinEncoder encoder, HeadSettings head, FoldScores scores) {
    /** "bge-small-en-v1.5-q + linear". */
    public String name() {
      return encoder.id() + " + " + head.kind().id();
    }
  }

  /** The candidates that were scored. */
  public List<Candidate> scored() {
    return candidates.stream().filter(c -> c.leftOut() == null).toList();
  }

  /** The chosen encoder's speed. */
  private double speed(BuiltinEncoder encoder) {
    return candidates.stream()
        .filter(c -> c.encoder() == encoder)
        .findFirst()
        .orElseThrow()
        .textsPerSecond();
  }

  /**
   * One line saying what was chosen and why: "Chose bge-small-en-v1.5-q + linear: cross-validated
   * macro-F1 0.842 ± 0.020 (5 folds), best of 3 encoders x 3 heads; next best e5-small-v2-q +
   * linear 0.838".
   */
  public String summary() {
    int heads = scored().stream().mapToInt(c -> c.scores().size()).max().orElse(0);
    StringBuilder s =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "Chose %s: cross-validated macro-F1 %.3f ± %.3f (%d folds), best of %d encoder%s x"
                    + " %d head%s",
                chosen.name(),
                chosen.scores().mean(),
                chosen.scores().std(),
                folds,
                scored().size(),
                scored().size() == 1 ? "" : "s",
                heads,
                heads == 1 ? "" : "s"));
    if (nextBest != null) {
      if (nextBest.scores().mean() > chosen.scores().mean()) {
        s.append(
            String.format(
                Locale.ROOT,
                "; %s scored %.3f, within %.3f, and %s is faster (%.1f against %.1f texts/s)",
                nextBest.name(),
                nextBest.scores().mean(),
                SelectionSettings.TIE_MARGIN,
                chosen.encoder().id(),
                speed(chosen.encoder()),
                speed(nextBest.encoder())));
      } else {
        s.append(
            String.format(
                Locale.ROOT, "; next best %s %.3f", nextBest.name(), nextBest.scores().mean()));
      }
    }
    List<String> leftOut =
        candidates.stream().filter(c -> c.leftOut() != null).map(c -> c.encoder().id()).toList();
    if (!leftOut.isEmpty()) {
      s.append("; left out for the budget: ").append(String.join(", ", leftOut));
    }
    return s.toString();
  }

  /**
   * The record in the manifest: {@code candidates}, {@code heads}, {@code folds}, {@code seed},
   * {@code tie_margin}, {@code budget_seconds} (null for none), {@code scores} (per candidate:
   * {@code encoder}, {@code texts_per_second}, {@code uncached_texts}, {@code embed_seconds},
   * {@code left_out} and per head {@code macro_f1}, {@code std} and the {@code folds}), {@code
   * chosen} and {@code next_best} ({@code encoder}, {@code head}, {@code macro_f1}, {@code std})
   * and the {@code summary}.
   */
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    ArrayNode names = o.putArray("candidates");
    settings.candidates().forEach(e -> names.add(e.id()));
    ArrayNode heads = o.putArray("heads");
    settings.heads().forEach(h -> heads.add(h.id()));
    o.put("folds", folds);
    o.put("seed", seed);
    o.put("tie_margin", SelectionSettings.TIE_MARGIN);
    if (settings.budget() != null) {
      o.put("budget_seconds", settings.budget().toMillis() / 1000.0);
    } else {
      o.putNull("budget_seconds");
    }
    ArrayNode scores = o.putArray("scores");
    for (Candidate c : candidates) {
      ObjectNode n = scores.addObject();
      n.put("encoder", c.encoder().id());
      n.put("texts_per_second", round(c.textsPerSecond()));
      n.put("uncached_texts", c.uncachedTexts());
      n.put("embed_seconds", round(c.embedSeconds()));
      if (c.leftOut() != null) {
        n.put("left_out", c.leftOut());
      } else {
        n.putNull("left_out");
      }
      ObjectNode perHead = n.putObject("heads");
      c.scores()
          .forEach(
              (kind, f) -> {
                ObjectNode h = perHead.putObject(kind.id());
                h.put("macro_f1", f.mean());
                h.put("std", f.std());
                ArrayNode folds = h.putArray("folds");
                for (double x : f.folds()) {
                  folds.add(x);
                }
              });
    }
    o.set("chosen", pick(chosen));
    if (nextBest != null) {
      o.set("next_best", pick(nextBest));
    } else {
      o.putNull("next_best");
    }
    o.put("summary", summary());
    return o;
  }

  /**
   * The report's table: one row per candidate encoder, its speed, and each head's mean ± standard
   * deviation (the chosen pair marked).
   */
  public List<List<String>> table() {
    List<List<String>> rows = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("encoder", "texts/s", "texts embedded"));
    settings.heads().forEach(h -> header.add(h.id() + " macro-F1"));
    rows.add(header);
    for (Candidate c : candidates) {
      List<String> row = new ArrayList<>();
      row.add(c.encoder().id());
      row.add(String.format(Locale.ROOT, "%.1f", c.textsPerSecond()));
      row.add(String.format(Locale.ROOT, "%,d", c.uncachedTexts()));
      for (HeadKind h : settings.heads()) {
        FoldScores f = c.scores().get(h);
        if (f == null) {
          row.add(c.leftOut() != null ? "left out: " + c.leftOut() : "");
        } else {
          boolean mark = c.encoder() == chosen.encoder() && h == chosen.head().kind();
          row.add(
              String.format(
                  Locale.ROOT, "%.3f ± %.3f%s", f.mean(), f.std(), mark ? " (chosen)" : ""));
        }
      }
      rows.add(row);
    }
    return rows;
  }

  private static ObjectNode pick(Pick p) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("encoder", p.encoder().id());
    o.put("head", p.head().kind().id());
    o.put("macro_f1", p.scores().mean());
    o.put("std", p.scores().std());
    return o;
  }

  private static double round(double x) {
    return Math.round(x * 1000) / 1000.0;
  }
}
