package dev.ferry.trainer.selection;

import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.trainer.head.HeadKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What {@code --encoder auto} tries: the candidate encoders, the heads, the folds, and how long it
 * may take. The defaults are declared once, in {@link Builder}'s fields.
 *
 * @param candidates the built-in encoders to compare, in order; by default the int8 ones
 *     (all-minilm-l6-v2-q, bge-small-en-v1.5-q, e5-small-v2-q): int8 matches fp32 accuracy within
 *     noise at about twice the speed, so embedding both would be waste
 * @param heads the head kinds to score on each encoder; by default every kind
 * @param folds the folds of the cross-validation (fewer when the smallest class has fewer distinct
 *     texts, at least 2)
 * @param budget the most time embedding may take, estimated from each candidate's measured speed
 *     and the texts not yet cached; the slowest candidates are left out until the rest fit; null
 *     for no bound
 * @param probeTexts how many of the user's texts each candidate embeds to measure its speed
 */
public record SelectionSettings(
    List<BuiltinEncoder> candidates,
    List<HeadKind> heads,
    int folds,
    Duration budget,
    int probeTexts) {

  /**
   * Scores within this much macro-F1 of the best count as a tie, which the faster encoder wins:
   * below the noise of cross-validation on a few hundred examples, while the speed difference is
   * paid on every text ever classified or indexed.
   */
  public static final double TIE_MARGIN = 0.005;

  /** Checks the settings. Each message starts with the setting's name. */
  public SelectionSettings {
    candidates = distinct("candidates", candidates);
    heads = distinct("heads", heads);
    if (folds < 2) {
      throw new IllegalArgumentException("folds must be at least 2, was " + folds);
    }
    if (budget != null && (budget.isNegative() || budget.isZero())) {
      throw new IllegalArgumentException("budget must be longer than 0, was " + budget);
    }
    if (probeTexts < 1) {
      throw new IllegalArgumentException("probe texts must be at least 1, was " + probeTexts);
    }
  }

  /** The defaults. */
  public static SelectionSettings defaults() {
    return builder().build();
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings. */
  public Builder toBuilder() {
    return new Builder()
        .candidates(candidates)
        .heads(heads)
        .folds(folds)
        .budget(budget)
        .probeTexts(probeTexts);
  }

  /**
   * The built-in encoders named by {@code ids} (any case, surrounding spaces ignored).
   *
   * @throws IllegalArgumentException starting "candidates", naming the unknown one and listing the
   *     built-ins
   */
  public static List<BuiltinEncoder> parseCandidates(List<String> ids) {
    List<BuiltinEncoder> out = new ArrayList<>();
    for (String id : ids) {
      BuiltinEncoder found = null;
      for (BuiltinEncoder e : BuiltinEncoder.values()) {
        if (e.id().equalsIgnoreCase(id.trim())) {
          found = e;
        }
      }
      if (found == null) {
        throw new IllegalArgumentException(
            "candidates must be built-in encoders; '"
                + id.trim()
                + "' is not one of "
                + BuiltinEncoder.ids());
      }
      out.add(found);
    }
    return out;
  }

  private static <T> List<T> distinct(String name, List<T> values) {
    if (values == null || values.isEmpty()) {
      throw new IllegalArgumentException(name + " must name at least one");
    }
    if (new LinkedHashSet<>(values).size() != values.size()) {
      throw new IllegalArgumentException(name + " must not repeat one, were " + values);
    }
    return List.copyOf(values);
  }

  /** Builds {@link SelectionSettings}; its fields are the library's defaults. */
  public static final class Builder {
    private List<BuiltinEncoder> candidates =
        List.of(
            BuiltinEncoder.ALL_MINILM_L6_V2_Q,
            BuiltinEncoder.BGE_SMALL_EN_V15_Q,
            BuiltinEncoder.E5_SMALL_V2_Q);
    private List<HeadKind> heads = List.of(HeadKind.values());
    private int folds = 5;
    private Duration budget;
    private int probeTexts = 16;

    private Builder() {}

    /** The encoders to compare. */
    public Builder candidates(List<BuiltinEncoder> value) {
      candidates = value;
      return this;
    }

    /** The encoders to compare, by id ({@link #parseCandidates}). */
    public Builder candidateIds(List<String> ids) {
      return candidates(parseCandidates(ids));
    }

    /** The head kinds to score. */
    public Builder heads(List<HeadKind> value) {
      heads = value;
      return this;
    }

    /** The folds of the cross-validation. */
    public Builder folds(int value) {
      folds = value;
      return this;
    }

    /** The most time embedding may take; null for no bound. */
    public Builder budget(Duration value) {
      budget = value;
      return this;
    }

    /** Texts embedded to measure each candidate's speed. */
    public Builder probeTexts(int value) {
      probeTexts = value;
      return this;
    }

    /** The settings. */
    public SelectionSettings build() {
      return new SelectionSettings(candidates, heads, folds, budget, probeTexts);
    }
  }
}
