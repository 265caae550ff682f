package dev.ferry.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.trainer.data.StratifiedSplit.Split;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest {
  private static LabeledExample ex(String text, String label, int line) {
    return new LabeledExample(null, text, label, "d.jsonl", line);
  }

  /** {@code counts[i]} examples of label {@code "l" + i}, unique texts, interleaved. */
  private static List<LabeledExample> data(int... counts) {
    List<LabeledExample> out = new ArrayList<>();
    int line = 1;
    for (int round = 0; round < java.util.Arrays.stream(counts).max().orElse(0); round++) {
      for (int label = 0; label < counts.length; label++) {
        if (round < counts[label]) {
          out.add(ex("text " + label + " " + round, "l" + label, line++));
        }
      }
    }
    return out;
  }

  private static Map<String, Long> countByLabel(List<LabeledExample> examples) {
    return examples.stream()
        .collect(Collectors.groupingBy(LabeledExample::label, Collectors.counting()));
  }

  @Test
  void eachLabelIsHeldOutInProportion() {
    List<LabeledExample> examples = data(1000, 233, 57, 10, 3);
    for (double fraction : new double[] {0.1, 0.2, 0.5, 0.9}) {
      Split split = StratifiedSplit.split(examples, fraction, 42);
      Map<String, Long> all = countByLabel(examples);
      Map<String, Long> valid = countByLabel(split.valid());
      all.forEach(
          (label, count) -> {
            long expected = Math.max(1, Math.min(count - 1, Math.round(fraction * count)));
            assertThat(valid.get(label))
                .as("%s at %s", label, fraction)
                .isBetween(expected - 1, expected + 1);
          });
      assertThat(split.train().size() + split.valid().size()).isEqualTo(examples.size());
      Set<LabeledExample> union = new HashSet<>(split.train());
      union.addAll(split.valid());
      assertThat(union).hasSize(examples.size());
    }
  }

  @Test
  void eachSideKeepsTheInputOrder() {
    List<LabeledExample> examples = data(50, 30, 20);
    Split split = StratifiedSplit.split(examples, 0.3, 7);
    assertThat(split.train())
        .isSortedAccordingTo((a, b) -> Integer.compare(a.lineNumber(), b.lineNumber()));
    assertThat(split.valid())
        .isSortedAccordingTo((a, b) -> Integer.compare(a.lineNumber(), b.lineNumber()));
  }

  @Test
  void theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
    List<LabeledExample> examples = data(200, 100, 40);
    Split first = StratifiedSplit.split(examples, 0.25, 1234);
    Split again = StratifiedSplit.split(new ArrayList<>(examples), 0.25, 1234);
    assertThat(again).isEqualTo(first);
    Split other = StratifiedSplit.split(examples, 0.25, 4321);
    assertThat(other.valid()).isNotEqualTo(first.valid());
    assertThat(other.valid()).hasSameSizeAs(first.valid());
  }

  @Test
  void aKnownSplitStaysTheSameAcrossRuns() {
    // Guards against depending on hash iteration order or JVM-specific randomness.
    Split split = StratifiedSplit.split(data(10, 5), 0.4, 99);
    List<Integer> validLines = split.valid().stream().map(LabeledExample::lineNumber).toList();
    // l0 (lines 1, 3, .. 9, 11 .. 15) holds out 4 of 10, l1 (lines 2, 4, .. 10) 2 of 5
    assertThat(validLines).containsExactly(5, 6, 8, 11, 13, 15);
  }

  @Test
  void identicalTextsNeverLandOnBothSides() {
    List<LabeledExample> examples = new ArrayList<>();
    Random random = new Random(5);
    for (int i = 0; i < 600; i++) {
      String label = "l" + (i % 3);
      String text = "text " + random.nextInt(150); // many repeats, some across labels
      examples.add(ex(random.nextBoolean() ? text : "  " + text + "\n", label, i + 1));
    }
    for (long seed = 0; seed < 5; seed++) {
      Split split = StratifiedSplit.split(examples, 0.2, seed);
      Set<String> trainTexts =
          split.train().stream().map(e -> e.text().trim()).collect(Collectors.toSet());
      assertThat(split.valid()).isNotEmpty().noneMatch(e -> trainTexts.contains(e.text().trim()));
      assertThat(split.train().size() + split.valid().size()).isEqualTo(600);
    }
  }

  @Test
  void groupsOfRepeatedTextStillGiveRoughProportions() {
    List<LabeledExample> examples = new ArrayList<>();
    int line = 1;
    for (int i = 0; i < 100; i++) {
      for (int copy = 0; copy <= i % 3; copy++) { // groups of 1, 2 and 3
        examples.add(ex("text " + i, "a", line++));
      }
    }
    Split split = StratifiedSplit.split(examples, 0.2, 3);
    assertThat(split.valid().size()).isEqualTo(Math.round(0.2 * examples.size()));
  }

  @Test
  void tinyClasses() {
    List<LabeledExample> examples = new ArrayList<>(data(20));
    examples.add(ex("alone", "single", 100));
    examples.add(ex("pair one", "pair", 101));
    examples.add(ex("pair two", "pair", 102));
    examples.add(ex("same", "clones", 103));
    examples.add(ex("same ", "clones", 104));
    examples.add(ex("big group", "groups", 105));
    examples.add(ex("big group", "groups", 106));
    examples.add(ex("big group", "groups", 107));
    examples.add(ex("other group", "groups", 108));
    examples.add(ex("other group", "groups", 109));
    Split split = StratifiedSplit.split(examples, 0.05, 11);
    Map<String, Long> train = countByLabel(split.train());
    Map<String, Long> valid = countByLabel(split.valid());
    assertThat(train)
        .containsEntry("single", 1L)
        .containsEntry("clones", 2L)
        .containsEntry("pair", 1L);
    assertThat(valid)
        .doesNotContainKeys("single", "clones")
        .containsEntry("pair", 1L)
        .containsEntry("l0", 1L); // round(0.05 * 20) = 1
    // target 1 but every group is larger: the smallest group (2) is held out, the other trains
    assertThat(valid).containsEntry("groups", 2L);
    assertThat(train).containsEntry("groups", 3L);
  }

  @Test
  void aLargeFractionStillLeavesEveryLabelSomethingToTrainOn() {
    Split split = StratifiedSplit.split(data(3, 2, 10), 0.99, 1);
    assertThat(countByLabel(split.train()))
        .containsEntry("l0", 1L)
        .containsEntry("l1", 1L)
        .containsEntry("l2", 1L);
  }

  @Test
  void badFractionsAreRefused() {
    List<LabeledExample> examples = data(5);
    for (double bad : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
      assertThatThrownBy(() -> StratifiedSplit.split(examples, bad, 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("validation fraction must be greater than 0 and less than 1")
          .hasMessageContaining("was " + bad);
    }
  }

  @Test
  void emptyInputGivesEmptySides() {
    Split split = StratifiedSplit.split(Collections.emptyList(), 0.2, 1);
    assertThat(split.train()).isEmpty();
    assertThat(split.valid()).isEmpty();
  }
}
