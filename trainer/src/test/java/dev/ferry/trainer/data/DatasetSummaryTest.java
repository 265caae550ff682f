package dev.ferry.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatasetSummaryTest {
  private static LabeledExample ex(String text, String label, int line) {
    return new LabeledExample(null, text, label, "d.jsonl", line);
  }

  @Test
  void labelCountsAreSortedByCountThenLabel() {
    DatasetSummary summary =
        DatasetSummary.of(
            List.of(
                ex("1", "b", 1),
                ex("2", "a", 2),
                ex("3", "c", 3),
                ex("4", "c", 4),
                ex("5", "b", 5),
                ex("6", "c", 6),
                ex("7", "d", 7)));
    assertThat(summary.labelCounts())
        .containsExactly(
            Map.entry("c", 3), Map.entry("b", 2), Map.entry("a", 1), Map.entry("d", 1));
    assertThat(summary.examples()).isEqualTo(7);
    assertThat(summary.duplicates()).isZero();
    assertThat(summary.conflicts()).isEmpty();
  }

  @Test
  void duplicatesCountRepeatsOfTheSameTrimmedTextAndLabel() {
    DatasetSummary summary =
        DatasetSummary.of(
            List.of(
                ex("same", "a", 1),
                ex("  same\n", "a", 2),
                ex("same", "a", 3), // 2 duplicates
                ex("Same", "a", 4), // case differs: not one
                ex("other", "b", 5),
                ex("other", "b", 6))); // 1 duplicate
    assertThat(summary.duplicates()).isEqualTo(3);
    assertThat(summary.conflicts()).isEmpty();
  }

  @Test
  void conflictsListWhereEachLabelOccursInInputOrder() {
    String longText = "x".repeat(100);
    DatasetSummary summary =
        DatasetSummary.of(
            List.of(
                ex("great movie", "pos", 1),
                ex(longText, "b", 2),
                ex(" great movie ", "neg", 3),
                ex("great movie", "pos", 4),
                ex(longText, "a", 5),
                ex("fine", "pos", 6)));
    assertThat(summary.duplicates()).isEqualTo(1); // line 4 repeats line 1 with the same label
    assertThat(summary.conflicts()).hasSize(2);
    DatasetSummary.Conflict first = summary.conflicts().get(0);
    assertThat(first.textSnippet()).isEqualTo("great movie");
    assertThat(first.locationsByLabel())
        .containsExactly(
            Map.entry("pos", List.of("d.jsonl:1", "d.jsonl:4")),
            Map.entry("neg", List.of("d.jsonl:3")));
    DatasetSummary.Conflict second = summary.conflicts().get(1);
    assertThat(second.textSnippet()).hasSize(DatasetSummary.SNIPPET).isEqualTo("x".repeat(60));
    assertThat(second.locationsByLabel().keySet()).containsExactly("b", "a");
  }

  @Test
  void describeGivesCountsPercentagesDuplicatesAndUpToFiveConflicts() {
    List<LabeledExample> examples = new ArrayList<>();
    int line = 1;
    for (int i = 0; i < 90; i++) {
      examples.add(ex("other text " + i, "other", line++));
    }
    for (int i = 0; i < 7; i++) {
      examples.add(ex("other text " + i, "grain", line++)); // 7 conflicts
    }
    examples.add(ex("other text 0", "other", line++)); // 1 duplicate
    examples.add(ex("corn text", "corn", line++));
    examples.add(ex("corn text 2", "corn", line++));
    String text = DatasetSummary.of(examples).describe();
    assertThat(text.lines().toList())
        .startsWith(
            "100 examples, 3 labels",
            "  other  91   91.0%",
            "  grain   7    7.0%",
            "  corn    2    2.0%",
            "1 duplicate example (same text and label as an earlier one)",
            "7 texts have more than one label:",
            "  \"other text 0\"",
            "    other: d.jsonl:1, d.jsonl:98",
            "    grain: d.jsonl:91");
    assertThat(text).endsWith("\n  and 2 more");
    assertThat(text.lines().filter(l -> l.startsWith("  \""))).hasSize(5);
  }

  @Test
  void describeACleanDataSet() {
    String text = DatasetSummary.of(List.of(ex("a", "x", 1), ex("b", "y", 2))).describe();
    assertThat(text)
        .isEqualTo(
            String.join(
                "\n",
                "2 examples, 2 labels",
                "  x  1   50.0%",
                "  y  1   50.0%",
                "0 duplicate examples (same text and label as an earlier one)",
                "no text has more than one label"));
  }
}
