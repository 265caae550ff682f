package dev.ferry.cli;

/** The JSON the CLI prints by hand, where a library would only add allocation. */
final class Json {
  private Json() {}

  /** A float array as a JSON array, each value in the shortest form that reads back exactly. */
  static String array(float[] values) {
    StringBuilder sb = new StringBuilder(values.length * 12 + 2).append('[');
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(values[i]);
    }
    return sb.append(']').toString();
  }
}
