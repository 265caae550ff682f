package dev.ferry.models.graph;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor held in Java arrays: the values going into and coming out of a {@link GraphSession}.
 * Exactly one of the arrays is set, matching {@link #type()}; a {@link ElementType#BOOL} tensor
 * holds one byte per element, 0 (false) or 1 (true).
 */
public record HostTensor(
    ElementType type, long[] shape, float[] floats, double[] doubles, long[] longs, byte[] bools) {

  /** Checks that the one array of the type is set and fills the shape. */
  public HostTensor {
    Objects.requireNonNull(type, "type");
    shape = shape.clone();
    long count = 1;
    for (long d : shape) {
      count *= d;
    }
    int length =
        switch (type) {
          case FLOAT -> floats.length;
          case DOUBLE -> doubles.length;
          case INT64 -> longs.length;
          case BOOL -> bools.length;
        };
    if (length != count) {
      throw new IllegalArgumentException(
          length + " values do not fill shape " + Arrays.toString(shape));
    }
  }

  /** A float tensor. */
  public static HostTensor of(float[] values, long... shape) {
    return new HostTensor(ElementType.FLOAT, shape, values, null, null, null);
  }

  /** A double tensor. */
  public static HostTensor of(double[] values, long... shape) {
    return new HostTensor(ElementType.DOUBLE, shape, null, values, null, null);
  }

  /** An int64 tensor. */
  public static HostTensor of(long[] values, long... shape) {
    return new HostTensor(ElementType.INT64, shape, null, null, values, null);
  }

  /** A boolean tensor, one byte per element: 0 false, 1 true. */
  public static HostTensor ofBools(byte[] values, long... shape) {
    return new HostTensor(ElementType.BOOL, shape, null, null, null, values);
  }

  /** A real scalar of the given type. */
  public static HostTensor scalar(ElementType type, double value) {
    return type == ElementType.DOUBLE ? of(new double[] {value}) : of(new float[] {(float) value});
  }

  /** A real tensor of zeros. */
  public static HostTensor zeros(ElementType type, long... shape) {
    int count = Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b));
    return type == ElementType.DOUBLE ? of(new double[count], shape) : of(new float[count], shape);
  }

  /** The number of elements. */
  public int size() {
    return switch (type) {
      case FLOAT -> floats.length;
      case DOUBLE -> doubles.length;
      case INT64 -> longs.length;
      case BOOL -> bools.length;
    };
  }

  /** Element {@code i} (row-major) as a double. */
  public double get(int i) {
    return switch (type) {
      case FLOAT -> floats[i];
      case DOUBLE -> doubles[i];
      case INT64 -> longs[i];
      case BOOL -> bools[i];
    };
  }

  /** The values as doubles (a copy). */
  public double[] toDoubles() {
    double[] out = new double[size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = get(i);
    }
    return out;
  }

  /** A copy with element {@code i} replaced. */
  public HostTensor with(int i, double value) {
    return switch (type) {
      case FLOAT -> {
        float[] copy = floats.clone();
        copy[i] = (float) value;
        yield of(copy, shape);
      }
      case DOUBLE -> {
        double[] copy = doubles.clone();
        copy[i] = value;
        yield of(copy, shape);
      }
      case INT64 -> {
        long[] copy = longs.clone();
        copy[i] = (long) value;
        yield of(copy, shape);
      }
      case BOOL -> {
        byte[] copy = bools.clone();
        copy[i] = (byte) (value != 0 ? 1 : 0);
        yield ofBools(copy, shape);
      }
    };
  }

  /** The shape (a copy). */
  @Override
  public long[] shape() {
    return shape.clone();
  }
}
