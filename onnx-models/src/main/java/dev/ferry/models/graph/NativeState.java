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
 * NativeState, Map, Set)}): a training step's parameters go in as inputs, ONNX Runtime writes
 * outputs (their gradients, or next values) straight into native memory, and Java may update them
 * there in place ({@link #memory}). So a step copies none of them between the Java heap and ONNX
 * Runtime, and allocates nothing for them. Close it to free the native memory.
 *
 * <p>Where the next values go is chosen at construction. {@linkplain #NativeState(Map) By default}
 * into a second buffer of each tensor, which then takes the first one's place: safe for any graph,
 * at twice the memory. {@linkplain #writtenInPlace(Map) Written in place}, over the values they
 * replace: half the memory, for graphs that compute every written output only after the last read
 * of the input it replaces (as {@code dev.ferry.autodiff.AdamW} orders its update after the
 * gradients' norm; {@code GraphBuilder.after} orders any other).
 */
public final class NativeState implements AutoCloseable {
  private final OrtEnvironment environment = OnnxRuntimeSetup.environment();
  private final Map<String, Slot> current = new LinkedHashMap<>();
  private final Map<String, Slot> spare = new HashMap<>();
  private final boolean inPlace;

  /** A tensor and the direct buffer it is a view of, which ONNX Runtime reads and writes. */
  private record Slot(OnnxTensor tensor, FloatBuffer buffer) implements AutoCloseable {
    @Override
    public void close() {
      tensor.close();
    }
  }

  /**
   * Copies {@code values} (float tensors) into native memory; each next value is written into a
   * spare buffer.
   */
  public NativeState(Map<String, HostTensor> values) {
    this(values, false);
  }

  /**
   * Copies {@code values} (float tensors) into native memory; each next value is written over the
   * value it replaces, which the graph must have finished reading (see above).
   */
  public static NativeState writtenInPlace(Map<String, HostTensor> values) {
    return new NativeState(values, true);
  }

  private NativeState(Map<String, HostTensor> values, boolean inPlace) {
    this.inPlace = inPlace;
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
    Slot slot = slot(name);
    float[] values = new float[slot.buffer().capacity()];
    slot.buffer().get(0, values);
    return HostTensor.of(values, slot.tensor().getInfo().getShape());
  }

  /**
   * The native memory of {@code name}'s current value, to read or write in place between runs (an
   * optimizer step in Java): valid until {@code name} is replaced or removed, or the state closed.
   */
  public FloatBuffer memory(String name) {
    return slot(name).buffer().duplicate();
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
    if (!inPlace) {
      spare.put(name, allocate(value.shape(), null));
    }
  }

  /** Sets {@code name} to zeros of {@code shape}, with no copy on the heap. */
  public void putZeros(String name, long[] shape) {
    remove(name);
    current.put(name, allocate(shape, null));
    if (!inPlace) {
      spare.put(name, allocate(shape, null));
    }
  }

  OnnxTensor tensor(String name) {
    return slot(name).tensor();
  }

  /** Where a run writes {@code name}'s next value. */
  OnnxTensor next(String name) {
    Slot s = slot(name);
    return inPlace ? s.tensor() : spare.get(name).tensor();
  }

  /** After a run wrote {@code name}'s next value: that value is current. */
  void advance(String name) {
    if (!inPlace) {
      Slot next = spare.get(name);
      spare.put(name, current.put(name, next));
    }
  }

  private Slot slot(String name) {
    Slot s = current.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no state named '" + name + "'; held: " + names());
    }
    return s;
  }

  private Slot allocate(long[] shape, float[] values) {
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
      return new Slot(OnnxTensor.createTensor(environment, buffer, shape), buffer);
    } catch (OrtException e) {
      throw new IllegalStateException("cannot create a native tensor: " + e.getMessage(), e);
    }
  }

  private void remove(String name) {
    Slot a = current.remove(name);
    Slot b = spare.remove(name);
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
