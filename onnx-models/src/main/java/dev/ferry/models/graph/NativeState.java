package dev.ferry.models.graph;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.ferry.models.OnnxRuntimeSetup;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Float tensors kept in native memory between runs of a graph ({@link GraphSession#run(Map,
 * NativeState, Map, Set)}): a training step's parameters and optimizer moments go in as inputs and
 * their next values are written by ONNX Runtime straight into a second buffer of each, which then
 * takes the first one's place. So a step copies none of them between the Java heap and ONNX
 * Runtime, and allocates nothing for them. Close it to free the native memory.
 */
public final class NativeState implements AutoCloseable {
  private final OrtEnvironment environment = OnnxRuntimeSetup.environment();
  private final Map<String, OnnxTensor> current = new LinkedHashMap<>();
  private final Map<String, OnnxTensor> spare = new HashMap<>();

  /** Copies {@code values} (float tensors) into native memory. */
  public NativeState(Map<String, HostTensor> values) {
    try {
      values.forEach(this::put);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The names held. */
  public Set<String> names() {
    return current.keySet();
  }

  /** A copy of the current value of {@code name}. */
  public HostTensor get(String name) {
    OnnxTensor t = tensor(name);
    float[] values = new float[(int) t.getInfo().getNumElements()];
    t.getFloatBuffer().get(values);
    return HostTensor.of(values, t.getInfo().getShape());
  }

  /** The shape of {@code name}. */
  public long[] shape(String name) {
    return tensor(name).getInfo().getShape();
  }

  /** Sets {@code name} to a copy of {@code value} (a float tensor). */
  public void put(String name, HostTensor value) {
    if (value.type() != ElementType.FLOAT) {
      throw new IllegalArgumentException(name + " must be a float tensor, is " + value.type());
    }
    remove(name);
    current.put(name, allocate(value.shape(), value.floats()));
    spare.put(name, allocate(value.shape(), null));
  }

  OnnxTensor tensor(String name) {
    OnnxTensor t = current.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no state named '" + name + "'; held: " + names());
    }
    return t;
  }

  OnnxTensor spare(String name) {
    tensor(name);
    return spare.get(name);
  }

  /** After a run wrote {@code name}'s next value into its spare buffer: that buffer is current. */
  void swap(String name) {
    OnnxTensor next = spare.get(name);
    spare.put(name, current.put(name, next));
  }

  private OnnxTensor allocate(long[] shape, float[] values) {
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    FloatBuffer buffer =
        ByteBuffer.allocateDirect(Math.toIntExact(size * Float.BYTES))
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    if (values != null) {
      buffer.put(values).rewind();
    }
    try {
      return OnnxTensor.createTensor(environment, buffer, shape);
    } catch (OrtException e) {
      throw new IllegalStateException("cannot create a native tensor: " + e.getMessage(), e);
    }
  }

  private void remove(String name) {
    OnnxTensor a = current.remove(name);
    OnnxTensor b = spare.remove(name);
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  @Override
  public void close() {
    for (String name : Set.copyOf(current.keySet())) {
      remove(name);
    }
  }
}
