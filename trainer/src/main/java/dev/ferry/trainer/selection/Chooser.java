package dev.ferry.trainer.selection;

import dev.ferry.models.encoder.BuiltinEncoder;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The rule that picks one encoder and head from their cross-validated scores: the highest mean
 * macro-F1, except that every pair within {@link SelectionSettings#TIE_MARGIN} of it ties, and of
 * those the one with the faster encoder wins (then the higher score, then the head and encoder
 * listed first).
 */
final class Chooser {
  private Chooser() {}

  /**
   * The chosen pair and the next best (by score alone; null when there is only one pair).
   *
   * @param pairs the scored pairs, in the order tried
   * @param speed each encoder's texts per second
   */
  static List<EncoderSelection.Pick> choose(
      List<EncoderSelection.Pick> pairs, Map<BuiltinEncoder, Double> speed) {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("nothing was scored");
    }
    Comparator<EncoderSelection.Pick> byScore =
        Comparator.comparingDouble((EncoderSelection.Pick p) -> p.scores().mean());
    Comparator<EncoderSelection.Pick> bySpeed =
        Comparator.comparingDouble((EncoderSelection.Pick p) -> speed.get(p.encoder()));
    Comparator<EncoderSelection.Pick> listedFirst =
        Comparator.comparingInt((EncoderSelection.Pick p) -> -pairs.indexOf(p));
    EncoderSelection.Pick best = pairs.stream().max(byScore.thenComparing(listedFirst)).get();
    double floor = best.scores().mean() - SelectionSettings.TIE_MARGIN - 1e-12;
    EncoderSelection.Pick chosen =
        pairs.stream()
            .filter(p -> p.scores().mean() >= floor)
            .max(bySpeed.thenComparing(byScore).thenComparing(listedFirst))
            .get();
    EncoderSelection.Pick next =
        pairs.stream()
            .filter(p -> p != chosen)
            .max(byScore.thenComparing(bySpeed).thenComparing(listedFirst))
            .orElse(null);
    return next == null ? List.of(chosen) : List.of(chosen, next);
  }
}
