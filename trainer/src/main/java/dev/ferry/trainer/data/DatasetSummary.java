package dev.ferry.trainer.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a labeled data set holds, and what looks wrong with it: how many examples each label has,
 * how many texts are repeated, and which texts carry more than one label.
 *
 * <p>Texts are compared exactly after trimming surrounding whitespace.
 *
 * @param labelCounts examples per label, by count descending, then label (unmodifiable, in order)
 * @param duplicates examples whose text already occurred earlier with the same label
 * @param conflicts texts that occur with more than one label, in order of first occurrence
 */
public record DatasetSummary(
    Map<String, Integer> labelCounts, int duplicates, List<Conflict> conflicts) {
  /** How many characters of a conflicting text {@link Conflict#textSnippet()} keeps. */
  public static final int SNIPPET = 60;

  /** How many conflicts {@link #describe()} lists. */
  static final int DESCRIBED_CONFLICTS = 5;

  /** Copies the collections (unmodifiable; the label order is kept). */
  public DatasetSummary {
    labelCounts = Collections.unmodifiableMap(new LinkedHashMap<>(labelCounts));
    conflicts = List.copyOf(conflicts);
  }

  /**
   * One text with more than one label.
   *
   * @param textSnippet the first {@value DatasetSummary#SNIPPET} characters of the trimmed text
   * @param locationsByLabel for each label, in order of first occurrence, where the text has it:
   *     {@code file:line} each, in input order
   */
  public record Conflict(String textSnippet, Map<String, List<String>> locationsByLabel) {
    /** Copies the map and lists (unmodifiable; the label order is kept). */
    public Conflict {
      Map<String, List<String>> copy = new LinkedHashMap<>();
      locationsByLabel.forEach((label, where) -> copy.put(label, List.copyOf(where)));
      locationsByLabel = Collections.unmodifiableMap(copy);
    }
  }

  /** Counts labels, duplicates and conflicts of {@code examples}. */
  public static DatasetSummary of(List<LabeledExample> examples) {
    Map<String, Integer> counts = new HashMap<>();
    // trimmed text -> label -> locations, both in order of first occurrence
    Map<String, Map<String, List<String>>> byText = new LinkedHashMap<>();
    int duplicates = 0;
    for (LabeledExample e : examples) {
      counts.merge(e.label(), 1, Integer::sum);
      Map<String, List<String>> labels =
          byText.computeIfAbsent(e.text().trim(), t -> new LinkedHashMap<>());
      List<String> where = labels.computeIfAbsent(e.label(), l -> new ArrayList<>());
      if (!where.isEmpty()) {
        duplicates++;
      }
      where.add(e.location());
    }
    Map<String, Integer> sorted = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(
            Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .forEach(entry -> sorted.put(entry.getKey(), entry.getValue()));
    List<Conflict> conflicts = new ArrayList<>();
    byText.forEach(
        (text, labels) -> {
          if (labels.size() > 1) {
            conflicts.add(new Conflict(snippet(text), labels));
          }
        });
    return new DatasetSummary(sorted, duplicates, conflicts);
  }

  /** Total number of examples. */
  public int examples() {
    return labelCounts.values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * A few lines for people: the label counts with percentages, the duplicates, and up to {@value
   * #DESCRIBED_CONFLICTS} conflicting texts with where they occur.
   */
  public String describe() {
    int total = examples();
    StringBuilder sb =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%,d examples, %d %s\n",
                total,
                labelCounts.size(),
                labelCounts.size() == 1 ? "label" : "labels"));
    int width = labelCounts.keySet().stream().mapToInt(String::length).max().orElse(0);
    int countWidth =
        String.format(
                Locale.ROOT,
                "%,d",
                labelCounts.values().stream().mapToInt(Integer::intValue).max().orElse(0))
            .length();
    labelCounts.forEach(
        (label, count) ->
            sb.append(
                String.format(
                    Locale.ROOT,
                    "  %-" + width + "s  %," + countWidth + "d  %5.1f%%\n",
                    label,
                    count,
                    100.0 * count / total)));
    sb.append(
        String.format(
            Locale.ROOT,
            "%,d duplicate %s (same text and label as an earlier one)\n",
            duplicates,
            duplicates == 1 ? "example" : "examples"));
    if (conflicts.isEmpty()) {
      sb.append("no text has more than one label");
    } else {
      sb.append(
          String.format(
              Locale.ROOT,
              "%,d %s more than one label:",
              conflicts.size(),
              conflicts.size() == 1 ? "text has" : "texts have"));
      for (Conflict c : conflicts.subList(0, Math.min(DESCRIBED_CONFLICTS, conflicts.size()))) {
        sb.append(String.format("\n  \"%s\"", c.textSnippet().replaceAll("\\s+", " ")));
        c.locationsByLabel()
            .forEach(
                (label, where) ->
                    sb.append(
                        String.format(
                            Locale.ROOT,
                            "\n    %s: %s",
                            label,
                            where.size() <= 3
                                ? String.join(", ", where)
                                : String.join(", ", where.subList(0, 3))
                                    + " and "
                                    + (where.size() - 3)
                                    + " more")));
      }
      if (conflicts.size() > DESCRIBED_CONFLICTS) {
        sb.append(
            String.format(Locale.ROOT, "\n  and %,d more", conflicts.size() - DESCRIBED_CONFLICTS));
      }
    }
    return sb.toString();
  }

  private static String snippet(String text) {
    if (text.length() <= SNIPPET) {
      return text;
    }
    int end = SNIPPET;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--; // do not split a surrogate pair
    }
    return text.substring(0, end);
  }
}
