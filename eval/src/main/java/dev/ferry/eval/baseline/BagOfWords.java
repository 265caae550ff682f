package dev.ferry.eval.baseline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A bag-of-words vocabulary: a tokenizer, the terms kept from the training texts, and sparse count
 * vectors over them.
 *
 * <p>Tokens are runs of Unicode letters and digits (combining marks continue a run, so scripts
 * whose vowels are marks stay whole), lowercased with {@link Locale#ROOT}, of at least two code
 * points. With bigrams, each pair of adjacent tokens is a term as well ({@code "wheat crop"}).
 *
 * <p>The vocabulary is built from the training texts only: terms in at least {@link
 * Options#minDocumentFrequency()} texts, at most {@link Options#maxFeatures()} of them (the most
 * frequent by document frequency, ties by term), indexed in the terms' alphabetical order ({@link
 * String#compareTo}). The result does not depend on the order of the texts. Terms outside the
 * vocabulary are ignored when counting.
 */
public final class BagOfWords {

  /**
   * How the vocabulary is built.
   *
   * @param bigrams also count pairs of adjacent tokens
   * @param minDocumentFrequency keep terms found in at least this many training texts (≥ 1)
   * @param maxFeatures keep at most this many terms, the most frequent by document frequency (≥ 1)
   */
  public record Options(boolean bigrams, int minDocumentFrequency, int maxFeatures) {
    public Options {
      if (minDocumentFrequency < 1) {
        throw new IllegalArgumentException(
            "minDocumentFrequency must be at least 1: " + minDocumentFrequency);
      }
      if (maxFeatures < 1) {
        throw new IllegalArgumentException("maxFeatures must be at least 1: " + maxFeatures);
      }
    }

    /** Unigrams, minimum document frequency 2, at most 50,000 terms. */
    public static Options defaults() {
      return new Options(false, 2, 50_000);
    }

    public Options withBigrams(boolean bigrams) {
      return new Options(bigrams, minDocumentFrequency, maxFeatures);
    }

    public Options withMinDocumentFrequency(int minDocumentFrequency) {
      return new Options(bigrams, minDocumentFrequency, maxFeatures);
    }

    public Options withMaxFeatures(int maxFeatures) {
      return new Options(bigrams, minDocumentFrequency, maxFeatures);
    }
  }

  /**
   * A sparse vector: {@code values[i]} at index {@code indices[i]}, indices strictly increasing.
   * The arrays are shared, not copied; do not change them.
   */
  public record SparseVector(int[] indices, float[] values) {
    public SparseVector {
      if (indices.length != values.length) {
        throw new IllegalArgumentException(
            indices.length + " indices but " + values.length + " values");
      }
    }

    /** Number of stored entries. */
    public int size() {
      return indices.length;
    }

    /** The value at {@code index}, 0 when not stored. */
    public float get(int index) {
      int at = Arrays.binarySearch(indices, index);
      return at >= 0 ? values[at] : 0f;
    }
  }

  private final Options options;
  private final String[] terms;
  private final int[] documentFrequency;
  private final Map<String, Integer> index;
  private final int documents;

  private BagOfWords(Options options, String[] terms, int[] documentFrequency, int documents) {
    this.options = options;
    this.terms = terms;
    this.documentFrequency = documentFrequency;
    this.documents = documents;
    this.index = new HashMap<>(terms.length * 2);
    for (int i = 0; i < terms.length; i++) {
      index.put(terms[i], i);
    }
  }

  /** Builds the vocabulary of {@code texts}. */
  public static BagOfWords fit(List<String> texts, Options options) {
    Objects.requireNonNull(options, "options");
    Map<String, Integer> df = new HashMap<>();
    for (String text : texts) {
      Set<String> seen = new HashSet<>(terms(text, options.bigrams()));
      for (String term : seen) {
        df.merge(term, 1, Integer::sum);
      }
    }
    List<Map.Entry<String, Integer>> kept = new ArrayList<>();
    for (Map.Entry<String, Integer> e : df.entrySet()) {
      if (e.getValue() >= options.minDocumentFrequency()) {
        kept.add(e);
      }
    }
    if (kept.size() > options.maxFeatures()) {
      kept.sort(
          Map.Entry.<String, Integer>comparingByValue()
              .reversed()
              .thenComparing(Map.Entry.comparingByKey()));
      kept = new ArrayList<>(kept.subList(0, options.maxFeatures()));
    }
    kept.sort(Map.Entry.comparingByKey());
    String[] terms = new String[kept.size()];
    int[] frequency = new int[kept.size()];
    for (int i = 0; i < terms.length; i++) {
      terms[i] = kept.get(i).getKey();
      frequency[i] = kept.get(i).getValue();
    }
    return new BagOfWords(options, terms, frequency, texts.size());
  }

  /** The tokens of a text: lowercased letter/digit runs of at least two code points, in order. */
  public static List<String> tokenize(String text) {
    List<String> tokens = new ArrayList<>();
    int n = text.length();
    int i = 0;
    while (i < n) {
      int cp = text.codePointAt(i);
      if (!Character.isLetterOrDigit(cp)) {
        i += Character.charCount(cp);
        continue;
      }
      int start = i;
      int codePoints = 0;
      while (i < n) {
        cp = text.codePointAt(i);
        if (!Character.isLetterOrDigit(cp) && !isMark(cp)) {
          break;
        }
        i += Character.charCount(cp);
        codePoints++;
      }
      if (codePoints >= 2) {
        tokens.add(text.substring(start, i).toLowerCase(Locale.ROOT));
      }
    }
    return tokens;
  }

  /**
   * The terms of a text: its tokens, then (with {@code bigrams}) each adjacent pair joined by a
   * space.
   */
  public static List<String> terms(String text, boolean bigrams) {
    List<String> tokens = tokenize(text);
    if (!bigrams || tokens.size() < 2) {
      return tokens;
    }
    List<String> terms = new ArrayList<>(tokens.size() * 2 - 1);
    terms.addAll(tokens);
    for (int i = 1; i < tokens.size(); i++) {
      terms.add(tokens.get(i - 1) + ' ' + tokens.get(i));
    }
    return terms;
  }

  private static boolean isMark(int cp) {
    int type = Character.getType(cp);
    return type == Character.NON_SPACING_MARK
        || type == Character.COMBINING_SPACING_MARK
        || type == Character.ENCLOSING_MARK;
  }

  /** Term counts of a text over this vocabulary. */
  public SparseVector counts(String text) {
    List<String> found = terms(text, options.bigrams());
    int[] ids = new int[found.size()];
    int m = 0;
    for (String term : found) {
      Integer id = index.get(term);
      if (id != null) {
        ids[m++] = id;
      }
    }
    Arrays.sort(ids, 0, m);
    int distinct = 0;
    for (int i = 0; i < m; i++) {
      if (i == 0 || ids[i] != ids[i - 1]) {
        distinct++;
      }
    }
    int[] indices = new int[distinct];
    float[] values = new float[distinct];
    int at = -1;
    for (int i = 0; i < m; i++) {
      if (i == 0 || ids[i] != ids[i - 1]) {
        indices[++at] = ids[i];
      }
      values[at]++;
    }
    return new SparseVector(indices, values);
  }

  /** The options the vocabulary was built with. */
  public Options options() {
    return options;
  }

  /** Number of terms. */
  public int size() {
    return terms.length;
  }

  /** The terms, index = feature id (alphabetical). */
  public List<String> terms() {
    return List.of(terms);
  }

  /** The feature id of a term, or -1 when it is not in the vocabulary. */
  public int indexOf(String term) {
    Integer id = index.get(term);
    return id == null ? -1 : id;
  }

  /** Number of training texts that contain the term with this feature id. */
  public int documentFrequency(int feature) {
    return documentFrequency[feature];
  }

  /** Number of training texts the vocabulary was built from. */
  public int documents() {
    return documents;
  }
}
