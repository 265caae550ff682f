package dev.ferry.eval.accuracy;

import dev.ferry.trainer.head.HeadKind;
import dev.ferry.trainer.selection.SelectionSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Picks an encoder and head from scored candidates: the best macro-F1 among the encoders fast
 * enough; of candidates that tie, the one that misses fewer of the default's targets, then the
 * faster encoder. The suite applies it to its averages to choose the default; {@code --encoder
 * auto} applies the same margin and speed tie-break to cross-validated scores (a user's data has no
 * targets).
 */
public final class CandidateChoice {
  /**
   * Scores closer than this are a tie: the margin {@code --encoder auto} gives a user's data
   * ({@link SelectionSettings#TIE_MARGIN}), a fraction of the seed-to-seed spread of one task.
   */
  public static final double TIE = SelectionSettings.TIE_MARGIN;

  private CandidateChoice() {}

  /**
   * One encoder and head.
   *
   * @param encoder the encoder
   * @param head the head's id
   * @param macroF1 its score
   * @param speed its encoder's speed relative to the reference encoder (1 = as fast; NaN if not
   *     measured)
   * @param targetsMissed how many of the default's targets it misses ({@link
   *     AccuracySummary#targets})
   */
  public record Candidate(
      String encoder, String head, double macroF1, double speed, int targetsMissed) {
    /** Checks the fields. */
    public Candidate {
      Objects.requireNonNull(encoder, "encoder");
      Objects.requireNonNull(head, "head");
    }

    /** A candidate with no targets checked. */
    public Candidate(String encoder, String head, double macroF1, double speed) {
      this(encoder, head, macroF1, speed, 0);
    }
  }

  /**
   * What the rule decided.
   *
   * @param chosen the best eligible candidate, if any
   * @param eligible the candidates fast enough, best first
   * @param tooSlow the candidates left out for speed
   * @param minSpeed the least speed allowed
   */
  public record Decision(
      Optional<Candidate> chosen,
      List<Candidate> eligible,
      List<Candidate> tooSlow,
      double minSpeed) {}

  /**
   * Applies the rule.
   *
   * @param candidates the scored candidates
   * @param minSpeed the least speed, relative to the reference encoder, an encoder needs to be
   *     considered (0.5: at least half as fast)
   */
  public static Decision choose(List<Candidate> candidates, double minSpeed) {
    List<Candidate> eligible = new ArrayList<>();
    List<Candidate> tooSlow = new ArrayList<>();
    for (Candidate c : candidates) {
      (c.speed() >= minSpeed ? eligible : tooSlow).add(c);
    }
    eligible.sort(BEST_FIRST);
    return new Decision(
        eligible.stream().findFirst(), List.copyOf(eligible), List.copyOf(tooSlow), minSpeed);
  }

  /**
   * Higher macro-F1 first; within {@link #TIE}, fewer targets missed first, then the faster
   * encoder, and of one encoder's heads the linear one (the head fine-tuning and relabelling start
   * from).
   */
  static final Comparator<Candidate> BEST_FIRST =
      (a, b) -> {
        if (Math.abs(a.macroF1() - b.macroF1()) >= TIE) {
          return Double.compare(b.macroF1(), a.macroF1());
        }
        if (a.targetsMissed() != b.targetsMissed()) {
          return Integer.compare(a.targetsMissed(), b.targetsMissed());
        }
        if (a.speed() != b.speed()) {
          return Double.compare(b.speed(), a.speed());
        }
        return Boolean.compare(!linear(a), !linear(b));
      };

  private static boolean linear(Candidate c) {
    return c.head().equals(HeadKind.LINEAR.id());
  }
}
