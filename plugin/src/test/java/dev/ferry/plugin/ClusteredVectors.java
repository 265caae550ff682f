package dev.ferry.plugin;

import java.util.Random;

/**
 * Generated unit vectors clustered around 1,000 random centres (Gaussian centres, noise sigma 0.6
 * per value, normalized), as eval's {@code KnnRecallBenchmark} draws them: real embeddings cluster
 * by topic, which is what a graph index is built for.
 */
final class ClusteredVectors {
  private final Random random;
  private final int dimension;
  private final float[][] centres;

  ClusteredVectors(long seed, int dimension) {
    this.random = new Random(seed);
    this.dimension = dimension;
    this.centres = new float[1000][];
    for (int i = 0; i < centres.length; i++) {
      centres[i] = gaussian(1);
    }
  }

  /** The next {@code n} vectors. */
  float[][] draw(int n) {
    float[][] out = new float[n][];
    for (int i = 0; i < n; i++) {
      float[] v = gaussian(0.6f);
      float[] centre = centres[random.nextInt(centres.length)];
      double norm = 0;
      for (int k = 0; k < dimension; k++) {
        v[k] += centre[k];
        norm += v[k] * v[k];
      }
      float scale = (float) (1 / Math.sqrt(norm));
      for (int k = 0; k < dimension; k++) {
        v[k] *= scale;
      }
      out[i] = v;
    }
    return out;
  }

  private float[] gaussian(float sigma) {
    float[] v = new float[dimension];
    for (int k = 0; k < dimension; k++) {
      v[k] = (float) random.nextGaussian() * sigma;
    }
    return v;
  }
}
