package dev.ferry.models.encoder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/** Small, exact vector operations on encoder output. */
public final class Vectors {
  private Vectors() {}

  /** One neighbour: the index of a candidate vector and its similarity to the query. */
  public record Neighbour(int index, double score) {}

  /** Dot product; equals cosine similarity for normalized vectors. */
  public static double dot(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "vectors differ in width: " + a.length + " vs " + b.length);
    }
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  /** Cosine similarity, for vectors of any length. */
  public static double cosine(float[] a, float[] b) {
    double norms = Math.sqrt(dot(a, a) * dot(b, b));
    return norms == 0 ? 0 : dot(a, b) / norms;
  }

  /**
   * The {@code k} candidates most similar to {@code query} by cosine, best first, by exhaustive
   * search: the exact answer, for small sets and for measuring approximate indexes against.
   */
  public static List<Neighbour> nearest(float[] query, float[][] candidates, int k) {
    PriorityQueue<Neighbour> best =
        new PriorityQueue<>(Comparator.comparingDouble(Neighbour::score));
    for (int i = 0; i < candidates.length; i++) {
      best.add(new Neighbour(i, cosine(query, candidates[i])));
      if (best.size() > k) {
        best.poll();
      }
    }
    List<Neighbour> out = new ArrayList<>(best);
    out.sort(Comparator.comparingDouble(Neighbour::score).reversed());
    return out;
  }
}
