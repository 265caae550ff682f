package dev.ferry.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stratified k-fold assignment: balance per label, duplicates together, repeatable. */
class StratifiedFoldsTest {
  private static List<LabeledExample> examples(Map<String, Integer> perLabel) {
    List<LabeledExample> out = new ArrayList<>();
    perLabel.forEach(
        (label, n) -> {
          for (int i = 0; i < n; i++) {
            out.add(new LabeledExample(null, label + " text " + i, label, "f", out.size() + 1));
          }
        });
    return out;
  }

  @Test
  void spreadsEachLabelEvenlyOverTheFolds() {
    List<LabeledExample> data = examples(Map.of("a", 23, "b", 10, "c", 7));
    int[] fold = StratifiedSplit.folds(data, 5, 42);
    assertThat(StratifiedSplit.foldCount(data, 5)).isEqualTo(5);
    Map<String, int[]> counts = new HashMap<>();
    for (int i = 0; i < data.size(); i++) {
      counts.computeIfAbsent(data.get(i).label(), l -> new int[5])[fold[i]]++;
    }
    for (int[] c : counts.values()) {
      int min = Integer.MAX_VALUE;
      int max = 0;
      for (int x : c) {
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
      assertThat(max - min).isLessThanOrEqualTo(1);
    }
    assertThat(StratifiedSplit.folds(data, 5, 42)).isEqualTo(fold);
    assertThat(StratifiedSplit.folds(data, 5, 7)).isNotEqualTo(fold);
  }

  @Test
  void usesFewerFoldsWhenTheSmallestClassHasFewerTexts() {
    List<LabeledExample> data = examples(Map.of("a", 20, "b", 3));
    assertThat(StratifiedSplit.foldCount(data, 5)).isEqualTo(3);
    int[] fold = StratifiedSplit.folds(data, 5, 1);
    assertThat(java.util.Arrays.stream(fold).boxed().toList()).containsOnly(0, 1, 2);
    assertThat(StratifiedSplit.foldCount(examples(Map.of("a", 5, "b", 1)), 5)).isEqualTo(2);
  }

  @Test
  void keepsIdenticalTextsInOneFold() {
    List<LabeledExample> data = new ArrayList<>(examples(Map.of("a", 10, "b", 10)));
    data.add(new LabeledExample(null, "a text 3", "a", "f", 100));
    data.add(new LabeledExample(null, "  a text 3 ", "a", "f", 101));
    int[] fold = StratifiedSplit.folds(data, 5, 3);
    int first = -1;
    for (int i = 0; i < data.size(); i++) {
      if (data.get(i).text().trim().equals("a text 3")) {
        if (first < 0) {
          first = fold[i];
        }
        assertThat(fold[i]).isEqualTo(first);
      }
    }
  }
}
