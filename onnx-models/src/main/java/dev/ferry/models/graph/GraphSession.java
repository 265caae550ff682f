package dev.ferry.models.graph;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.ferry.models.OnnxRuntimeSetup;
import dev.ferry.models.encoder.ExecutionProvider;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs an ONNX graph (a head, a training step built by {@code dev.ferry.autodiff.GraphBuilder}, any
 * ONNX model) on ONNX Runtime, taking and returning {@link HostTensor}s, so callers never hold
 * native tensors.
 *
 * <p>With one intra-op thread the results are bitwise reproducible on the CPU, which training
 * relies on for determinism. A session asked for {@link ExecutionProvider#CUDA} runs there when the
 * build and the machine have it, and on the CPU otherwise, with a warning ({@link
 * ExecutionProvider#install}). Inputs and outputs stay {@link HostTensor}s either way (ONNX Runtime
 * copies them to and from the device). Inputs go through direct buffers the session keeps for the
 * next run ({@link DirectBuffers}), so that native memory does not wait for the garbage collector.
 * Close it to free the native session.
 */
public final class GraphSession implements AutoCloseable {
  private final OrtEnvironment environment = OnnxRuntimeSetup.environment();
  private final OrtSession session;
  private final DirectBuffers buffers = new DirectBuffers();

  /**
   * @param model a serialized ONNX model
   * @param intraOpThreads threads for one operator; 1 for reproducible results
   */
  public GraphSession(byte[] model, int intraOpThreads) {
    this(model, intraOpThreads, true);
  }

  /**
   * @param model a serialized ONNX model
   * @param intraOpThreads threads for one operator; 1 for reproducible results
   * @param optimize whether ONNX Runtime may fuse operators; fusions can change the last bits of
   *     results, so gradient checks run unfused
   */
  public GraphSession(byte[] model, int intraOpThreads, boolean optimize) {
    this(model, intraOpThreads, optimize, ExecutionProvider.CPU);
  }

  /**
   * @param model a serialized ONNX model
   * @param intraOpThreads threads for one operator on the CPU; 1 for reproducible results
   * @param device where to run it; CUDA falls back to the CPU with a warning
   */
  public GraphSession(byte[] model, int intraOpThreads, ExecutionProvider device) {
    this(model, intraOpThreads, true, device);
  }

  private GraphSession(
      byte[] model, int intraOpThreads, boolean optimize, ExecutionProvider device) {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(intraOpThreads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(
          optimize
              ? OrtSession.SessionOptions.OptLevel.ALL_OPT
              : OrtSession.SessionOptions.OptLevel.NO_OPT);
      // No memory patterns: ONNX Runtime plans one block per input shape it sees and keeps them,
      // and a training graph sees a new shape with nearly every batch. Without them full
      // fine-tuning peaked at 989-995 MiB instead of 1,200-1,282 and contrastive at 805 instead of
      // 1,047, at the same speed (eval/RESULTS.md, "Peak memory").
      options.setMemoryPatternOptimization(false);
      device.install(options);
      if ("false".equals(System.getProperty("ferry.ort.arena"))) {
        // Measurement switch: no CPU arena (what the arena keeps between runs of varying shapes
        // shows as resident memory).
        options.setCPUArenaAllocator(false);
      }
      if (System.getProperty("ferry.ort.spin") != null) {
        options.addConfigEntry(
            "session.intra_op.allow_spinning", System.getProperty("ferry.ort.spin"));
      }
      if (System.getProperty("ferry.ort.profile") != null) {
        // Measurement switch: ONNX Runtime's per-node profile, written when the session closes.
        options.enableProfiling(System.getProperty("ferry.ort.profile"));
      }
      this.session = environment.createSession(model, options);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime rejected the graph: " + e.getMessage(), e);
    }
  }

  /** The graph's input names. */
  public Set<String> inputNames() {
    return session.getInputNames();
  }

  /**
   * The declared shape of input {@code name}; a dimension the graph leaves open is -1.
   *
   * @throws IllegalArgumentException if the graph has no such tensor input
   */
  public long[] inputShape(String name) {
    try {
      NodeInfo info = session.getInputInfo().get(name);
      if (info == null || !(info.getInfo() instanceof TensorInfo tensor)) {
        throw new IllegalArgumentException(
            "the graph has no tensor input '"
                + name
                + "' (inputs: "
                + session.getInputNames()
                + ")");
      }
      return tensor.getShape();
    } catch (OrtException e) {
      throw new IllegalStateException("reading the graph's inputs failed: " + e.getMessage(), e);
    }
  }

  /** The graph's output names. */
  public Set<String> outputNames() {
    return session.getOutputNames();
  }

  /** Runs the graph and returns every output. */
  public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
    return run(inputs, session.getOutputNames());
  }

  /** Runs the graph and returns the named outputs. */
  public Map<String, HostTensor> run(Map<String, HostTensor> inputs, Set<String> outputs) {
    return run(inputs, null, Map.of(), outputs);
  }

  /**
   * Runs the graph with {@code state}'s tensors that the graph takes as inputs of their own names,
   * besides {@code inputs}, and has ONNX Runtime write each output named in {@code updates} (output
   * name → state name) into the state, in place of that state's tensor, with no copy through the
   * Java heap.
   *
   * @param state null: none
   * @return the {@code outputs} asked for (none of them an update)
   */
  public Map<String, HostTensor> run(
      Map<String, HostTensor> inputs,
      NativeState state,
      Map<String, String> updates,
      Set<String> outputs) {
    List<OnnxTensor> created = new ArrayList<>(inputs.size());
    Map<String, ByteBuffer> taken = new LinkedHashMap<>();
    try {
      Map<String, OnnxTensor> feed = new LinkedHashMap<>();
      for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
        ByteBuffer buffer =
            buffers.take(
                e.getKey(), Math.multiplyExact(e.getValue().size(), e.getValue().type().bytes()));
        taken.put(e.getKey(), buffer);
        OnnxTensor t = toNative(e.getValue(), buffer);
        created.add(t);
        feed.put(e.getKey(), t);
      }
      Set<String> graphInputs = session.getInputNames();
      for (String name : state == null ? Set.<String>of() : state.names()) {
        if (graphInputs.contains(name)) {
          feed.put(name, state.tensor(name));
        }
      }
      Map<String, OnnxTensor> pinned = new LinkedHashMap<>();
      updates.forEach((output, name) -> pinned.put(output, state.next(name)));
      Map<String, HostTensor> out = new LinkedHashMap<>();
      try (OrtSession.Result result = session.run(feed, outputs, pinned)) {
        for (String name : outputs) {
          out.put(name, toHost((OnnxTensor) result.get(name).orElseThrow()));
        }
      }
      for (String name : updates.values()) {
        state.advance(name);
      }
      return out;
    } catch (OrtException e) {
      throw new IllegalStateException("running the graph failed: " + e.getMessage(), e);
    } finally {
      for (OnnxTensor t : created) {
        t.close();
      }
      taken.forEach(buffers::giveBack);
    }
  }

  /** {@code t} copied into {@code buffer} (direct, of exactly its size) as a tensor over it. */
  private OnnxTensor toNative(HostTensor t, ByteBuffer buffer) throws OrtException {
    long[] shape = t.shape();
    return switch (t.type()) {
      case FLOAT ->
          OnnxTensor.createTensor(
              environment, buffer.asFloatBuffer().put(t.floats()).rewind(), shape);
      case DOUBLE ->
          OnnxTensor.createTensor(
              environment, buffer.asDoubleBuffer().put(t.doubles()).rewind(), shape);
      case INT64 ->
          OnnxTensor.createTensor(
              environment, buffer.asLongBuffer().put(t.longs()).rewind(), shape);
      case BOOL ->
          OnnxTensor.createTensor(
              environment, buffer.put(t.bools()).rewind(), shape, OnnxJavaType.BOOL);
    };
  }

  private static HostTensor toHost(OnnxTensor t) {
    long[] shape = t.getInfo().getShape();
    return switch (t.getInfo().type) {
      case FLOAT -> {
        FloatBuffer b = t.getFloatBuffer();
        float[] a = new float[b.remaining()];
        b.get(a);
        yield HostTensor.of(a, shape);
      }
      case DOUBLE -> {
        DoubleBuffer b = t.getDoubleBuffer();
        double[] a = new double[b.remaining()];
        b.get(a);
        yield HostTensor.of(a, shape);
      }
      case INT64 -> {
        LongBuffer b = t.getLongBuffer();
        long[] a = new long[b.remaining()];
        b.get(a);
        yield HostTensor.of(a, shape);
      }
      case BOOL -> {
        ByteBuffer b = t.getByteBuffer();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        yield HostTensor.ofBools(a, shape);
      }
      default ->
          throw new IllegalStateException("output type " + t.getInfo().type + " not supported");
    };
  }

  @Override
  public void close() {
    buffers.clear();
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing the session failed: " + e.getMessage(), e);
    }
  }
}
