package dev.ferry.plugin.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.plugin.bundle.FeatureReading;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link StoredFeatures} and {@link FeatureReading}: what a document keeps for relabeling, read
 * back.
 */
class StoredFeaturesTest {
  private static final FeatureReading READING =
      new FeatureReading(
          "all-minilm-l6-v2-q",
          "ab".repeat(32),
          "mean",
          true,
          256,
          384,
          "",
          0,
          32,
          16,
          "first_mean_max");

  @Test
  void featuresComeBackBitForBit() {
    Random random = new Random(7);
    float[] values = new float[1152];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian() / 3;
    }
    values[0] = Float.MIN_VALUE;
    values[1] = -0f;
    StoredFeatures read =
        StoredFeatures.fromMap("ferry.features", new StoredFeatures(READING, values).toMap());
    assertThat(read.reading()).isEqualTo(READING);
    assertThat(read.values()).containsExactly(values);
    assertThat(Float.floatToRawIntBits(read.values()[1])).isEqualTo(Float.floatToRawIntBits(-0f));
  }

  @Test
  void aReadingSaysWhatDiffers() {
    FeatureReading other =
        new FeatureReading(
            "all-minilm-l6-v2-q",
            "ab".repeat(32),
            "mean",
            true,
            256,
            384,
            "",
            0,
            32,
            16,
            "token_weighted_mean");
    assertThat(READING.differences(READING, "here", "there")).isEmpty();
    assertThat(READING.differences(other, "in the document", "in bundle 'v2'"))
        .containsExactly(
            "chunk_pooling is 'first_mean_max' in the document but 'token_weighted_mean' in bundle 'v2'");
    assertThat(FeatureReading.fromMap(READING.toMap())).isEqualTo(READING);
  }

  @Test
  void damagedFeaturesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> StoredFeatures.fromMap("ferry.features", List.of(1, 2)))
        .hasMessageContaining("[ferry.features] is a ");
    Map<String, Object> noValues =
        new HashMap<>(new StoredFeatures(READING, new float[] {1}).toMap());
    noValues.remove("values");
    assertThatThrownBy(() -> StoredFeatures.fromMap("ferry.features", noValues))
        .hasMessageContaining("[ferry.features.values] is missing");
    Map<String, Object> reading = new HashMap<>(READING.toMap());
    reading.remove("encoder_sha256");
    assertThatThrownBy(
            () ->
                StoredFeatures.fromMap(
                    "ferry.features", Map.of("reading", reading, "values", "AAAAAA==")))
        .hasMessageContaining("[ferry.features] cannot be read: reading.encoder_sha256 is missing");
    assertThatThrownBy(
            () ->
                StoredFeatures.fromMap(
                    "ferry.features", Map.of("reading", READING.toMap(), "values", "AAA=")))
        .hasMessageContaining("not a whole number of float32");
  }
}
