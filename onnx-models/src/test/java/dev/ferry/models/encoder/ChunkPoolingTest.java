package dev.ferry.models.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkPoolingTest {
  private static final ChunkEmbedding FIRST =
      new ChunkEmbedding(0, 0, 10, 30, new float[] {1, 0, 0});
  private static final ChunkEmbedding SECOND =
      new ChunkEmbedding(1, 8, 20, 10, new float[] {0, 1, 0});
  private static final DocumentEmbedding TWO =
      new DocumentEmbedding(
          DocumentEmbedding.pool(List.of(FIRST, SECOND), true), List.of(FIRST, SECOND), true);

  @Test
  void meanIsTheDocumentVectorAndACopy() {
    float[] f = ChunkPooling.TOKEN_WEIGHTED_MEAN.features(TWO);
    assertThat(f).containsExactly(TWO.vector());
    f[0] = 42;
    assertThat(TWO.vector()[0]).isNotEqualTo(42);
    assertThat(ChunkPooling.TOKEN_WEIGHTED_MEAN.width(384)).isEqualTo(384);
  }

  @Test
  void firstAndMeanPutsTheFirstChunkBeforeTheTokenWeightedMeanEachHalved() {
    float[] f = ChunkPooling.FIRST_AND_MEAN.features(TWO);
    // Weights 30 and 10: the mean leans 3:1 towards the first chunk, then is normalized.
    float norm = (float) Math.sqrt(0.75 * 0.75 + 0.25 * 0.25);
    assertThat(f)
        .containsExactly(new float[] {0.5f, 0, 0, 0.375f / norm, 0.125f / norm, 0}, within(1e-6f));
    assertThat(ChunkPooling.FIRST_AND_MEAN.width(384)).isEqualTo(768);
    // A one-chunk text: its vector in both blocks, the whole as long as the vector itself.
    DocumentEmbedding one = new DocumentEmbedding(SECOND.vector(), List.of(SECOND), true);
    assertThat(ChunkPooling.FIRST_AND_MEAN.features(one)).containsExactly(0, 0.5f, 0, 0, 0.5f, 0);
  }

  @Test
  void firstMeanMaxAddsEachDimensionsLargestValueOverChunks() {
    ChunkEmbedding third = new ChunkEmbedding(2, 18, 30, 10, new float[] {-1, 0.5f, 0.25f});
    DocumentEmbedding three =
        new DocumentEmbedding(
            DocumentEmbedding.pool(List.of(FIRST, SECOND, third), true),
            List.of(FIRST, SECOND, third),
            true);
    float[] f = ChunkPooling.FIRST_MEAN_MAX.features(three);
    assertThat(f).hasSize(9);
    float[] scaled = new float[9];
    for (int k = 0; k < 9; k++) {
      scaled[k] = 3 * f[k];
    }
    assertThat(java.util.Arrays.copyOfRange(scaled, 0, 3))
        .containsExactly(new float[] {1, 0, 0}, within(1e-6f));
    assertThat(java.util.Arrays.copyOfRange(scaled, 3, 6))
        .containsExactly(three.vector(), within(1e-6f));
    assertThat(java.util.Arrays.copyOfRange(scaled, 6, 9))
        .containsExactly(new float[] {1, 1, 0.25f}, within(1e-6f));
    assertThat(ChunkPooling.FIRST_MEAN_MAX.width(384)).isEqualTo(1152);
    assertThat(Chunking.DEFAULT.headWidth(384)).isEqualTo(1152);
  }

  @Test
  void idsRoundTripAndAnUnknownOneIsNamed() {
    for (ChunkPooling p : ChunkPooling.values()) {
      assertThat(ChunkPooling.fromId(p.id())).isEqualTo(p);
    }
    assertThat(ChunkPooling.fromId("First-And-Mean")).isEqualTo(ChunkPooling.FIRST_AND_MEAN);
    assertThatThrownBy(() -> ChunkPooling.fromId("max"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'max'")
        .hasMessageContaining("token_weighted_mean")
        .hasMessageContaining("first_and_mean");
  }

  @Test
  void chunkingCarriesThePoolingAndSaysSo() {
    assertThat(Chunking.DEFAULT.pooling()).isEqualTo(ChunkPooling.FIRST_MEAN_MAX);
    assertThat(Chunking.FIRST_WINDOW.pooling()).isEqualTo(ChunkPooling.TOKEN_WEIGHTED_MEAN);
    assertThat(Chunking.DEFAULT.toString()).contains("first_mean_max");
    assertThat(Chunking.DEFAULT.withPooling(ChunkPooling.TOKEN_WEIGHTED_MEAN).toString())
        .doesNotContain("first_");
    assertThat(Chunking.DEFAULT.withPooling(ChunkPooling.TOKEN_WEIGHTED_MEAN))
        .isNotEqualTo(Chunking.DEFAULT);
  }
}
