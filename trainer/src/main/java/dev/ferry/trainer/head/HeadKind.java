package dev.ferry.trainer.head;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The classifier heads Ferry trains on frozen embeddings. */
public enum HeadKind {
  /** Softmax regression: one linear layer. The default: strong, fast, hard to overfit. */
  LINEAR("linear"),
  /** One hidden ReLU layer with dropout, then a linear layer: for larger sets with curved boundaries. */
  MLP("mlp"),
  /**
   * Nearest centroid: cosine similarity to each class's mean embedding, with a fitted temperature.
   * No gradient training at all, so it suits a handful of examples per class.
   */
  CENTROID("centroid");

  private final String id;

  HeadKind(String id) {
    this.id = id;
  }

  /** The name used on the command line and in the manifest. */
  public String id() {
    return id;
  }

  /** Parses an id, listing the valid ones when it is unknown. */
  public static HeadKind fromId(String id) {
    for (HeadKind k : values()) {
      if (k.id.equalsIgnoreCase(id.trim())) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown head '" + id + "'; expected one of "
        + Arrays.stream(values()).map(HeadKind::id).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return id.toLowerCase(Locale.ROOT);
  }
}
