package dev.ferry.plugin.ingest;

import dev.ferry.plugin.bundle.FeatureReading;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a head read of a document, as {@code ferry_classify} stores it in {@code PREFIX.features}:
 * {@code {"reading": {...}, "values": "BASE64"}}, the values being the features' float32 numbers,
 * little-endian, in Base64. That is exact (a relabel reads back the very numbers the head read at
 * ingest) and about half the size of the same numbers as JSON text (1,152 of them for the default
 * {@code first_mean_max} reading of a 384-wide encoder). Map the field {@code "type": "object",
 * "enabled": false}: stored in {@code _source}, not indexed.
 *
 * @param reading how the document was read into these features
 * @param values the features
 */
public record StoredFeatures(FeatureReading reading, float[] values) {
  /** The field under the prefix. */
  public static final String FIELD = "features";

  /** As stored in the document. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reading", reading.toMap());
    m.put("values", encode(values));
    return m;
  }

  /**
   * Reads {@code PREFIX.features} as {@link #toMap()} wrote it.
   *
   * @param field the field's full name, for messages
   * @throws IllegalArgumentException naming the field and what is wrong with it
   */
  public static StoredFeatures fromMap(String field, Object value) {
    if (!(value instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(
          "["
              + field
              + "] is "
              + describe(value)
              + ", expected the object "
              + "ferry_classify writes ({\"reading\": {...}, \"values\": \"BASE64\"})");
    }
    if (!(m.get("reading") instanceof Map<?, ?> reading)) {
      throw new IllegalArgumentException(
          "["
              + field
              + ".reading] is "
              + describe(m.get("reading"))
              + ", expected the object ferry_classify writes");
    }
    if (!(m.get("values") instanceof String values)) {
      throw new IllegalArgumentException(
          "["
              + field
              + ".values] is "
              + describe(m.get("values"))
              + ", expected Base64 of little-endian float32 numbers");
    }
    try {
      return new StoredFeatures(FeatureReading.fromMap(reading), decode(values));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("[" + field + "] cannot be read: " + e.getMessage(), e);
    }
  }

  /** Little-endian float32, Base64. */
  static String encode(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return Base64.getEncoder().encodeToString(b.array());
  }

  /** What {@link #encode} wrote. */
  static float[] decode(String base64) {
    byte[] bytes = Base64.getDecoder().decode(base64);
    if (bytes.length % Float.BYTES != 0) {
      throw new IllegalArgumentException(
          "values: " + bytes.length + " bytes is not a whole number of float32");
    }
    float[] out = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  private static String describe(Object value) {
    return value == null ? "missing" : "a " + value.getClass().getSimpleName();
  }
}
