package dev.ferry.models.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class VectorsTest {
  @Test
  void nearestIsExactAndOrderedBestFirst() {
    float[][] candidates = {{1, 0}, {0, 1}, {0.8f, 0.6f}, {-1, 0}};
    List<Vectors.Neighbour> top = Vectors.nearest(new float[] {1, 0.1f}, candidates, 2);
    assertThat(top).extracting(Vectors.Neighbour::index).containsExactly(0, 2);
    assertThat(top.get(0).score()).isCloseTo(1 / Math.sqrt(1.01), within(1e-6));
    assertThat(Vectors.nearest(new float[] {1, 0}, candidates, 10)).hasSize(4);
  }
}
