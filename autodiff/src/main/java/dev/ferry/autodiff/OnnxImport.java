package dev.ferry.autodiff;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.HostTensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An exported model (a BERT-family encoder, opset 11 to 17) read so that its graph can be added to
 * a {@link GraphBuilder}, differentiated by {@link Autodiff} and trained.
 *
 * <p>Each operator is re-emitted in opset {@value GraphBuilder#OPSET} (Unsqueeze, Squeeze and
 * ReduceSum axes become inputs; Softmax keeps its meaning on the last axis) with its shape and type
 * tracked. The model's real-valued initializers are its <em>parameters</em>: a caller chooses which
 * become graph inputs (to train) and which stay constants. Parameters are grouped into transformer
 * layers by name ({@code encoder.layer.3.…}, or for unnamed weights such as {@code
 * onnx::MatMul_791} by the layer of the node that uses them), so a caller can train the top K
 * layers and cut the graph at the hidden state entering them.
 *
 * <pre>{@code
 * OnnxImport model = OnnxImport.read(encoder.modelFile());
 * GraphBuilder g = new GraphBuilder("train", ElementType.FLOAT);
 * Set<String> trainable = new HashSet<>(model.topLayerParameters(2));
 * String hidden = model.addTo(g, trainable).get("last_hidden_state");
 * }</pre>
 */
public final class OnnxImport {
  private static final Pattern LAYER = Pattern.compile("(?:^|[./_])layers?[._/](\\d+)(?:[./_]|$)");
  private static final Set<String> UNARY =
      Set.of(
          "Sqrt", "Exp", "Log", "Tanh", "Relu", "Neg", "Identity", "Erf", "Abs", "Sigmoid", "Not");
  private static final Set<String> BINARY = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Min", "Max");
  private static final Set<String> COMPARISONS = Set.of("Equal", "Greater", "Less");

  private final OnnxMl.ModelProto model;
  private final OnnxMl.GraphProto graph;
  private final int opset;
  private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
  private final Map<String, NodeProto> producers = new HashMap<>();
  private final Map<Integer, List<String>> layerParameters = new TreeMap<>();
  private final Map<Integer, String> layerOutputs = new TreeMap<>();
  private final Map<String, long[]> shapes = new HashMap<>();

  private OnnxImport(OnnxMl.ModelProto model) {
    this.model = model;
    this.graph = model.getGraph();
    this.opset =
        model.getOpsetImportList().stream()
            .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
            .mapToInt(o -> (int) o.getVersion())
            .findFirst()
            .orElse(GraphBuilder.OPSET);
    for (TensorProto t : graph.getInitializerList()) {
      initializers.put(t.getName(), t);
    }
    Set<String> unsupported = new TreeSet<>();
    for (NodeProto n : graph.getNodeList()) {
      boolean standard = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
      if (!standard || !supported().contains(n.getOpType())) {
        unsupported.add((standard ? "" : n.getDomain() + ".") + n.getOpType());
      }
    }
    if (!unsupported.isEmpty()) {
      throw new IllegalArgumentException(
          "the model uses operators the import does not handle: "
              + unsupported
              + "; supported: "
              + supported()
              + ". Quantized (-q) exports are for inference only: "
              + "fine-tune the fp32 export");
    }
    Map<String, List<NodeProto>> consumers = new HashMap<>();
    for (NodeProto n : graph.getNodeList()) {
      for (String out : n.getOutputList()) {
        producers.put(out, n);
      }
      for (String in : n.getInputList()) {
        consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
      }
      Integer layer = layerOf(n.getName());
      if (layer != null) {
        layerOutputs.put(layer, n.getOutput(0));
      }
    }
    for (String p : parameters()) {
      Integer layer = layerOf(p);
      for (NodeProto n : consumers.getOrDefault(p, List.of())) {
        layer = layer != null ? layer : layerOf(n.getName());
      }
      if (layer != null) {
        layerParameters.computeIfAbsent(layer, k -> new ArrayList<>()).add(p);
      }
    }
    // Shapes of every value, from one pass with every parameter an input (no data copied).
    GraphBuilder scratch = new GraphBuilder("shapes", ElementType.FLOAT);
    Emitter emitter = new Emitter(scratch, new HashSet<>(parameters()), Map.of());
    emitter.emitAll(allNodes());
    emitter.values.forEach((original, emitted) -> shapes.put(original, scratch.shape(emitted)));
  }

  /**
   * Reads a model file (weights inside the file, not external data). The file is mapped, not read:
   * the weights stay views of the mapping, so reading a model copies none of them onto the heap.
   * The mapping lasts as long as the import is reachable; replace the file by a new one (as a
   * rename does), never rewrite it in place meanwhile. Where the file cannot be mapped it is read.
   */
  public static OnnxImport read(Path modelFile) throws IOException {
    try (FileChannel channel = FileChannel.open(modelFile, StandardOpenOption.READ)) {
      ByteBuffer mapped;
      try {
        mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
      } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
        // A file system without mappings, or a file over 2 GB (which protobuf cannot hold).
        try (InputStream stream = Files.newInputStream(modelFile)) {
          return of(OnnxMl.ModelProto.parseFrom(stream));
        }
      }
      CodedInputStream in = UnsafeByteOperations.unsafeWrap(mapped).newCodedInput();
      in.enableAliasing(true);
      return of(OnnxMl.ModelProto.parseFrom(in));
    }
  }

  /**
   * Reads a parsed model.
   *
   * @throws IllegalArgumentException if it uses an operator or element type the import does not
   *     handle; the message names the node
   */
  public static OnnxImport of(OnnxMl.ModelProto model) {
    return new OnnxImport(model);
  }

  /** The operator set the model was exported with. */
  public int opset() {
    return opset;
  }

  /** The model's real-valued (float) initializers, in file order. */
  public List<String> parameters() {
    List<String> out = new ArrayList<>();
    initializers.forEach(
        (name, t) -> {
          if (t.getDataType() == TensorProto.DataType.FLOAT.getNumber()) {
            out.add(name);
          }
        });
    return out;
  }

  /** A parameter's values and shape. */
  public HostTensor parameter(String name) {
    TensorProto t = initializers.get(name);
    if (t == null || t.getDataType() != TensorProto.DataType.FLOAT.getNumber()) {
      throw new IllegalArgumentException(
          "no float parameter named '"
              + name
              + "'; the model has "
              + initializers.size()
              + " initializers, e.g. "
              + parameters().stream().limit(3).toList());
    }
    return HostTensor.of(floats(t), dims(t));
  }

  /**
   * The shape of a value of the model (an input, parameter or node output), {@code -1} where
   * dynamic.
   */
  public long[] shape(String value) {
    long[] s = shapes.get(value);
    if (s == null) {
      throw new IllegalArgumentException("the model has no value named '" + value + "'");
    }
    return s.clone();
  }

  /** The number of transformer layers found by name. */
  public int layerCount() {
    return layerParameters.size();
  }

  /** The parameters of layer {@code layer} (0 is nearest the embeddings). */
  public List<String> layerParameters(int layer) {
    checkLayer(layer);
    return List.copyOf(layerParameters.get(layer));
  }

  /** The parameters of the top {@code k} layers; {@code k = layerCount()} gives every layer's. */
  public List<String> topLayerParameters(int k) {
    if (k < 0 || k > layerCount()) {
      throw new IllegalArgumentException("k must be between 0 and " + layerCount() + ", was " + k);
    }
    List<String> out = new ArrayList<>();
    for (int layer = layerCount() - k; layer < layerCount(); layer++) {
      out.addAll(layerParameters.get(layer));
    }
    return out;
  }

  /**
   * The hidden state leaving layer {@code layer}: where to cut the graph so that the layers above
   * can be trained from cached values (see {@link #addTo(GraphBuilder, Set, String, Collection)}).
   */
  public String layerOutput(int layer) {
    checkLayer(layer);
    return layerOutputs.get(layer);
  }

  /**
   * The hidden state entering layer 0, which the embeddings compute: where to cut the graph so that
   * every layer trains while the embedding tables stay frozen (see {@link #addTo(GraphBuilder, Set,
   * String, Collection)}).
   *
   * @throws IllegalArgumentException if no value of rank 3 and the layers' width made outside the
   *     layers enters layer 0
   */
  public String embeddingsOutput() {
    long[] out = shape(layerOutput(0));
    for (NodeProto n : graph.getNodeList()) {
      if (!Integer.valueOf(0).equals(layerOf(n.getName()))) {
        continue;
      }
      for (String in : n.getInputList()) {
        NodeProto producer = producers.get(in);
        long[] s = shapes.get(in);
        if (producer != null
            && layerOf(producer.getName()) == null
            && s != null
            && s.length == 3
            && s[2] == out[out.length - 1]) {
          return in;
        }
      }
    }
    throw new IllegalArgumentException(
        "found no hidden state of width "
            + out[out.length - 1]
            + " entering layer 0 from outside the layers (the embeddings' output)");
  }

  /** The model's graph input names (token ids, attention mask, …). */
  public List<String> inputNames() {
    return graph.getInputList().stream()
        .map(OnnxMl.ValueInfoProto::getName)
        .filter(n -> !initializers.containsKey(n))
        .toList();
  }

  /**
   * The weight matrices of a layer's attention projections, found by the names of the MatMul nodes
   * that use them ({@code layer.N/attention/self/query/MatMul}, as PyTorch exports name them) or of
   * the parameters ({@code encoder.layer.N.attention.self.query.weight}).
   *
   * @return {@code query}, {@code key}, {@code value} and {@code output} (the projection after
   *     attention) → parameter name, float [in, out], in that order
   * @throws IllegalArgumentException naming the projections that could not be found
   */
  public Map<String, String> attentionWeights(int layer) {
    checkLayer(layer);
    Map<String, String> found = new LinkedHashMap<>();
    Map<String, String> paths = new LinkedHashMap<>();
    paths.put("query", "attention/self/query/");
    paths.put("key", "attention/self/key/");
    paths.put("value", "attention/self/value/");
    paths.put("output", "attention/output/dense/");
    for (Map.Entry<String, String> kind : paths.entrySet()) {
      String node = "layer." + layer + "/" + kind.getValue();
      String param = "encoder.layer." + layer + "." + kind.getValue().replace('/', '.') + "weight";
      for (NodeProto n : graph.getNodeList()) {
        if (n.getOpType().equals("MatMul") && n.getName().contains(node)) {
          n.getInputList().stream()
              .filter(initializers::containsKey)
              .findFirst()
              .ifPresent(w -> found.put(kind.getKey(), w));
        }
      }
      if (!found.containsKey(kind.getKey()) && initializers.containsKey(param)) {
        found.put(kind.getKey(), param);
      }
    }
    if (found.size() != paths.size()) {
      throw new IllegalArgumentException(
          "layer "
              + layer
              + ": found the attention projections "
              + found.keySet()
              + " but expected "
              + paths.keySet()
              + " (MatMul nodes named like '.../layer."
              + layer
              + "/attention/self/query/MatMul' or parameters like 'encoder.layer."
              + layer
              + ".attention.self.query.weight')");
    }
    return found;
  }

  /**
   * The values of a layer that BERT drops out in training: the attention probabilities (after
   * Softmax) and the results of the attention output and feed-forward output projections (before
   * their residual Add), found by their nodes' names ({@code layer.N/attention/self/Softmax},
   * {@code layer.N/attention/output/dense/Add}, {@code layer.N/output/dense/Add}).
   *
   * @throws IllegalArgumentException naming what could not be found
   */
  public List<String> dropoutValues(int layer) {
    checkLayer(layer);
    List<String> suffixes =
        List.of("/attention/self/Softmax", "/attention/output/dense/Add", "/output/dense/Add");
    List<String> found = new ArrayList<>();
    for (String suffix : suffixes) {
      String node = "layer." + layer + suffix;
      graph.getNodeList().stream()
          .filter(n -> n.getName().endsWith(node))
          .findFirst()
          .ifPresent(n -> found.add(n.getOutput(0)));
    }
    if (found.size() != suffixes.size()) {
      throw new IllegalArgumentException(
          "layer "
              + layer
              + ": expected nodes named like '.../layer."
              + layer
              + "' + "
              + suffixes
              + " to apply dropout after, found "
              + found.size()
              + " of them");
    }
    return found;
  }

  /**
   * The value every layer adds to its attention scores to mask the padding out: computed from the
   * attention mask outside the layers (BERT's {@code (1 − mask) · large negative}, shape [batch, 1,
   * 1, tokens]), the input of each {@code layer.N/attention/self/Add} that no node of the layer
   * produces. Feeding another value in its place (see {@link #addFrom}) lets one row hold several
   * texts that do not see each other.
   *
   * @throws IllegalArgumentException if the layers do not add one such value
   */
  public String attentionBias() {
    Set<String> found = new LinkedHashSet<>();
    for (int layer = 0; layer < layerCount(); layer++) {
      String node = "layer." + layer + "/attention/self/Add";
      for (NodeProto n : graph.getNodeList()) {
        if (n.getOpType().equals("Add") && n.getName().endsWith(node)) {
          for (String in : n.getInputList()) {
            NodeProto producer = producers.get(in);
            if (producer != null && layerOf(producer.getName()) == null) {
              found.add(in);
            }
          }
        }
      }
    }
    if (found.size() != 1) {
      throw new IllegalArgumentException(
          "expected each layer's '.../layer.N/attention/self/Add' to add one value computed from"
              + " the attention mask outside the layers, found "
              + found);
    }
    return found.iterator().next();
  }

  /** The model's graph output names. */
  public List<String> outputNames() {
    return graph.getOutputList().stream().map(OnnxMl.ValueInfoProto::getName).toList();
  }

  /**
   * Adds the whole model to {@code g}: its inputs become graph inputs of the same names, the {@code
   * trainable} parameters graph inputs of their own names, the other parameters constants.
   *
   * @return each model output's name → the value computing it in {@code g}
   */
  public Map<String, String> addTo(GraphBuilder g, Set<String> trainable) {
    return addTo(g, trainable, null, outputNames());
  }

  /**
   * Adds the part of the model from {@code from} to {@code to}: {@code from} (a value of the model
   * such as {@link #layerOutput}, or null for the model inputs) becomes a graph input of its own
   * name, and only the nodes that {@code to} needs are added. Model inputs still needed (the
   * attention mask, say) become graph inputs too.
   *
   * @return each of {@code to} → the value computing it in {@code g}
   */
  public Map<String, String> addTo(
      GraphBuilder g, Set<String> trainable, String from, Collection<String> to) {
    return addTo(g, trainable, from, to, Map.of());
  }

  /**
   * Adds the part of the model from {@code from} to {@code to} as {@link #addTo(GraphBuilder, Set,
   * String, Collection)} does, with some parameters or computed values rewritten: where the model
   * uses parameter or value {@code p}, the graph uses {@code rewrite.get(p)} applied to {@code p}'s
   * value in {@code g} (the function may add inputs and nodes), for instance {@code W + scale · A ·
   * B} for a low-rank adapter, or a value with dropout applied.
   *
   * @return each of {@code to} → the value computing it in {@code g}
   */
  public Map<String, String> addTo(
      GraphBuilder g,
      Set<String> trainable,
      String from,
      Collection<String> to,
      Map<String, UnaryOperator<String>> rewrite) {
    return addFrom(
        g,
        trainable,
        from == null ? Map.of() : Map.of(from, g.input(from, g.realType(), shape(from))),
        to,
        rewrite);
  }

  /**
   * Adds the part of the model from the values of {@code given} to {@code to} as {@link
   * #addTo(GraphBuilder, Set, String, Collection, Map)} does from one value: each model value in
   * {@code given} is computed in {@code g} by the value it maps to (an input the caller declared,
   * of a shape the caller chooses), and nothing that only computes it is added.
   *
   * @return each of {@code to} → the value computing it in {@code g}
   */
  public Map<String, String> addFrom(
      GraphBuilder g,
      Set<String> trainable,
      Map<String, String> given,
      Collection<String> to,
      Map<String, UnaryOperator<String>> rewrite) {
    for (String p : rewrite.keySet()) {
      if (!initializers.containsKey(p) && !producers.containsKey(p)) {
        throw new IllegalArgumentException(
            "cannot rewrite '" + p + "': the model has no parameter or value of that name");
      }
    }
    for (String p : trainable) {
      if (!initializers.containsKey(p)) {
        throw new IllegalArgumentException(
            "cannot train '" + p + "': the model has no parameter of that name");
      }
    }
    for (String v : given.keySet()) {
      if (!producers.containsKey(v) && !inputNames().contains(v)) {
        throw new IllegalArgumentException(
            "cannot give '" + v + "': the model computes no value of that name");
      }
    }
    Set<NodeProto> needed = new HashSet<>();
    List<String> stack = new ArrayList<>(to);
    while (!stack.isEmpty()) {
      String v = stack.remove(stack.size() - 1);
      NodeProto producer = producers.get(v);
      if (given.containsKey(v) || producer == null || !needed.add(producer)) {
        continue;
      }
      stack.addAll(producer.getInputList());
    }
    Emitter emitter = new Emitter(g, trainable, rewrite);
    emitter.values.putAll(given);
    emitter.emitAll(graph.getNodeList().stream().filter(needed::contains).toList());
    Map<String, String> out = new LinkedHashMap<>();
    for (String v : to) {
      out.put(v, emitter.value(v, "output"));
    }
    return out;
  }

  /**
   * The original model (same operators, opset and inputs: an inference graph any runtime can run)
   * with some parameters replaced, for instance by fine-tuned values.
   *
   * @param values parameter name → new values of the parameter's shape
   */
  public byte[] withParameters(Map<String, HostTensor> values) {
    OnnxMl.GraphProto.Builder updated = graph.toBuilder();
    for (int i = 0; i < updated.getInitializerCount(); i++) {
      TensorProto t = updated.getInitializer(i);
      HostTensor v = values.get(t.getName());
      if (v == null) {
        continue;
      }
      if (!Arrays.equals(v.shape(), dims(t))) {
        throw new IllegalArgumentException(
            "parameter "
                + t.getName()
                + " has shape "
                + Arrays.toString(dims(t))
                + ", the new values have "
                + Arrays.toString(v.shape()));
      }
      byte[] raw = new byte[Math.multiplyExact(v.size(), Float.BYTES)];
      FloatBuffer floats = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      if (v.type() == ElementType.FLOAT) {
        floats.put(v.floats());
      } else {
        for (int k = 0; k < v.size(); k++) {
          floats.put((float) v.get(k));
        }
      }
      // The array is the tensor's from here on, not copied again: the model can be large.
      updated.setInitializer(
          i,
          t.toBuilder()
              .clearFloatData()
              .setDataType(TensorProto.DataType.FLOAT.getNumber())
              .setRawData(UnsafeByteOperations.unsafeWrap(raw)));
    }
    for (String name : values.keySet()) {
      if (!initializers.containsKey(name)) {
        throw new IllegalArgumentException("the model has no parameter named '" + name + "'");
      }
    }
    return model.toBuilder().setGraph(updated).build().toByteArray();
  }

  private List<NodeProto> allNodes() {
    return graph.getNodeList();
  }

  private void checkLayer(int layer) {
    if (!layerParameters.containsKey(layer)) {
      throw new IllegalArgumentException(
          "no layer "
              + layer
              + "; the model has layers 0.."
              + (layerCount() - 1)
              + " (found by the names of their parameters and nodes)");
    }
  }

  private static Integer layerOf(String name) {
    Matcher m = LAYER.matcher(name);
    return m.find() ? Integer.valueOf(m.group(1)) : null;
  }

  // ---- Emitting nodes -----------------------------------------------------------------------

  /** Adds nodes to one builder, mapping the model's value names to the builder's. */
  private final class Emitter {
    final GraphBuilder g;
    final Set<String> trainable;
    final Map<String, UnaryOperator<String>> rewrite;

    /** Model value name → builder value name. */
    final Map<String, String> values = new HashMap<>();

    /** What is known at build time of int64 scalars and vectors (null entries: unknown). */
    final Map<String, Long[]> known = new HashMap<>();

    Emitter(GraphBuilder g, Set<String> trainable, Map<String, UnaryOperator<String>> rewrite) {
      this.g = g;
      this.trainable = trainable;
      this.rewrite = rewrite;
    }

    void emitAll(List<NodeProto> nodes) {
      for (NodeProto n : nodes) {
        try {
          emit(n);
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(
              "cannot import node "
                  + n.getName()
                  + " ("
                  + n.getOpType()
                  + " of "
                  + n.getInputList()
                  + "): "
                  + e.getMessage(),
              e);
        }
      }
    }

    /** The builder's name for a model value, declaring inputs and parameters on first use. */
    String value(String v, String usedBy) {
      String mapped = values.get(v);
      if (mapped != null) {
        return mapped;
      }
      TensorProto t = initializers.get(v);
      if (g.isInput(v)) {
        mapped = v; // declared by the caller beforehand (the attention mask, to pool with)
      } else if (t != null) {
        mapped = constant(v, t, trainable.contains(v));
        if (rewrite.containsKey(v)) {
          mapped = rewrite.get(v).apply(mapped);
        }
      } else {
        OnnxMl.ValueInfoProto in =
            graph.getInputList().stream()
                .filter(i -> i.getName().equals(v))
                .findFirst()
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "value '"
                                + v
                                + "' used by "
                                + usedBy
                                + " is neither computed, an input nor an initializer"));
        OnnxMl.TypeProto.Tensor tensor = in.getType().getTensorType();
        long[] dims =
            tensor.getShape().getDimList().stream()
                .mapToLong(d -> d.hasDimValue() ? d.getDimValue() : GraphBuilder.UNKNOWN)
                .toArray();
        mapped = g.input(v, convert(ElementType.ofOnnx(tensor.getElemType())), dims);
      }
      values.put(v, mapped);
      return mapped;
    }

    private String constant(String name, TensorProto t, boolean asInput) {
      long[] dims = dims(t);
      ElementType type = ElementType.ofOnnx(t.getDataType());
      if (type == ElementType.FLOAT || type == ElementType.DOUBLE) {
        if (asInput) {
          return g.input(name, g.realType(), dims);
        }
        if (dims.length > 0
            && type == ElementType.FLOAT
            && g.realType() == ElementType.FLOAT
            && t.getDataLocation() != TensorProto.DataLocation.EXTERNAL
            && !t.getRawData().isEmpty()) {
          // The weight's bytes as the model holds them: a view, not a copy.
          return g.initializer(name, t.getRawData(), dims);
        }
        float[] values = floats(t);
        return dims.length == 0 ? g.scalar(values[0]) : g.initializer(name, values, dims);
      }
      if (type == ElementType.INT64) {
        long[] values = longs(t);
        if (dims.length <= 1) {
          known.put(name, Arrays.stream(values).boxed().toArray(Long[]::new));
          return dims.length == 0 ? g.intScalar(values[0]) : g.ints(values);
        }
        return g.int64Tensor(name, values, dims);
      }
      throw new IllegalArgumentException(
          "constant " + name + " of type " + type + " is not supported");
    }

    private ElementType convert(ElementType t) {
      return t == ElementType.FLOAT || t == ElementType.DOUBLE ? g.realType() : t;
    }

    private String in(NodeProto n, int k) {
      return value(n.getInput(k), n.getName());
    }

    private boolean hasInput(NodeProto n, int k) {
      return n.getInputCount() > k && !n.getInput(k).isEmpty();
    }

    private long[] knownInts(NodeProto n, int k, String what) {
      Long[] v = known.get(n.getInput(k));
      if (v == null || Arrays.asList(v).contains(null)) {
        throw new IllegalArgumentException(
            what + " must be a constant, found computed value " + n.getInput(k));
      }
      return Arrays.stream(v).mapToLong(Long::longValue).toArray();
    }

    private void emit(NodeProto n) {
      String op = n.getOpType();
      String out;
      if (op.equals("Constant")) {
        out = constant(n.getOutput(0), attribute(n, "value").getT(), false);
      } else if (UNARY.contains(op)) {
        String x = in(n, 0);
        out =
            op.equals("Erf") && g.type(x) == ElementType.DOUBLE
                // ONNX Runtime has no float64 Erf kernel: compute it in float32.
                ? g.cast(g.erf(g.cast(x, ElementType.FLOAT)), ElementType.DOUBLE)
                : g.node(op, List.of(x), g.shape(x), g.type(x));
      } else if (BINARY.contains(op) || COMPARISONS.contains(op)) {
        String a = in(n, 0);
        String b = in(n, 1);
        long[] shape = GraphBuilder.broadcast(g.shape(a), g.shape(b));
        out =
            g.node(
                op, List.of(a, b), shape, COMPARISONS.contains(op) ? ElementType.BOOL : g.type(a));
        Long[] ka = known.get(n.getInput(0));
        Long[] kb = known.get(n.getInput(1));
        if (ka != null && kb != null && (ka.length == kb.length || kb.length == 1)) {
          known.put(n.getOutput(0), arithmetic(op, ka, kb));
        }
      } else {
        out =
            switch (op) {
              case "MatMul" -> g.matMul(in(n, 0), in(n, 1));
              case "Cast" -> cast(n);
              case "Shape" -> shapeOf(n);
              case "Gather" -> gather(n);
              case "Unsqueeze" -> unsqueeze(n);
              case "Squeeze" -> squeeze(n);
              case "Concat" -> concat(n);
              case "Reshape" -> reshape(n);
              case "Slice" -> slice(n);
              case "Transpose" -> transpose(n);
              case "ReduceMean", "ReduceSum" -> reduce(n);
              case "Softmax", "LogSoftmax" -> softmax(n);
              case "Where" -> {
                String a = in(n, 1);
                String b = in(n, 2);
                yield g.where(in(n, 0), a, b);
              }
              case "Expand" -> {
                String x = in(n, 0);
                yield g.expand(x, in(n, 1), GraphBuilder.broadcast(g.shape(x), staticShape(n, 1)));
              }
              case "ConstantOfShape" -> {
                TensorProto value = attribute(n, "value").getT();
                ElementType type = convert(ElementType.ofOnnx(value.getDataType()));
                yield g.node(
                    op,
                    List.of(in(n, 0)),
                    staticShape(n, 0),
                    type,
                    n.getAttributeList().toArray(AttributeProto[]::new));
              }
              default ->
                  throw new IllegalArgumentException(
                      "operator "
                          + op
                          + " is not supported by the import; "
                          + "supported: "
                          + supported());
            };
      }
      UnaryOperator<String> change = rewrite.get(n.getOutput(0));
      values.put(n.getOutput(0), change == null ? out : change.apply(out));
    }

    private String cast(NodeProto n) {
      String x = in(n, 0);
      ElementType to = convert(ElementType.ofOnnx((int) attribute(n, "to").getI()));
      Long[] k = known.get(n.getInput(0));
      if (k != null && to == ElementType.INT64) {
        known.put(n.getOutput(0), k);
      }
      return g.type(x) == to ? g.identity(x) : g.cast(x, to);
    }

    private String shapeOf(NodeProto n) {
      String x = in(n, 0);
      known.put(
          n.getOutput(0),
          Arrays.stream(g.shape(x)).mapToObj(d -> d < 0 ? null : d).toArray(Long[]::new));
      return g.shapeOf(x);
    }

    private String gather(NodeProto n) {
      String data = in(n, 0);
      String indices = in(n, 1);
      int rank = g.shape(data).length;
      int axis = (int) axisOf(n, rank, 0);
      Long[] kd = known.get(n.getInput(0));
      Long[] ki = known.get(n.getInput(1));
      if (kd != null && ki != null && axis == 0 && !Arrays.asList(ki).contains(null)) {
        Long[] picked = new Long[ki.length];
        for (int i = 0; i < ki.length; i++) {
          picked[i] = kd[(int) (ki[i] < 0 ? ki[i] + kd.length : ki[i])];
        }
        known.put(n.getOutput(0), picked);
      }
      return g.gather(data, indices, axis);
    }

    private String unsqueeze(NodeProto n) {
      String x = in(n, 0);
      long[] axes = opset < 13 ? ints(n, "axes") : knownInts(n, 1, "Unsqueeze axes");
      int outRank = g.shape(x).length + axes.length;
      long[] normalized = Arrays.stream(axes).map(a -> a < 0 ? a + outRank : a).sorted().toArray();
      Long[] k = known.get(n.getInput(0));
      if (k != null && g.shape(x).length == 0) {
        known.put(n.getOutput(0), k);
      }
      return g.unsqueeze(x, normalized);
    }

    private String squeeze(NodeProto n) {
      String x = in(n, 0);
      long[] s = g.shape(x);
      long[] axes;
      if (opset < 13 ? hasAttribute(n, "axes") : hasInput(n, 1)) {
        axes = opset < 13 ? ints(n, "axes") : knownInts(n, 1, "Squeeze axes");
      } else {
        axes =
            java.util.stream.IntStream.range(0, s.length)
                .filter(i -> s[i] == 1)
                .asLongStream()
                .toArray();
      }
      return g.squeeze(
          x, Arrays.stream(axes).map(a -> a < 0 ? a + s.length : a).sorted().toArray());
    }

    private String concat(NodeProto n) {
      List<String> parts = new ArrayList<>();
      List<Long> joined = new ArrayList<>();
      boolean allKnown = true;
      for (int k = 0; k < n.getInputCount(); k++) {
        parts.add(in(n, k));
        Long[] v = known.get(n.getInput(k));
        if (v == null) {
          allKnown = false;
        } else {
          joined.addAll(Arrays.asList(v));
        }
      }
      int axis = (int) axisOf(n, g.shape(parts.get(0)).length, null);
      if (allKnown) {
        known.put(n.getOutput(0), joined.toArray(Long[]::new));
      }
      return g.concat(axis, parts.toArray(String[]::new));
    }

    private String reshape(NodeProto n) {
      String x = in(n, 0);
      long[] input = g.shape(x);
      long[] target = staticShape(n, 1);
      Long[] raw = known.get(n.getInput(1));
      if (raw != null) {
        int infer = -1;
        for (int i = 0; i < raw.length; i++) {
          if (raw[i] != null && raw[i] == 0) {
            target[i] = input[i];
          } else if (raw[i] != null && raw[i] == -1) {
            infer = i;
          }
        }
        if (infer >= 0) {
          long total = product(input);
          long rest = product(target, infer);
          target[infer] = total > 0 && rest > 0 ? total / rest : GraphBuilder.UNKNOWN;
        }
      }
      return g.reshape(x, in(n, 1), target);
    }

    private String slice(NodeProto n) {
      String x = in(n, 0);
      long[] s = g.shape(x);
      List<String> inputs = new ArrayList<>();
      for (int k = 0; k < n.getInputCount(); k++) {
        inputs.add(n.getInput(k).isEmpty() ? "" : in(n, k));
      }
      long[] out = s.clone();
      long[] axes =
          hasInput(n, 3)
              ? knownInts(n, 3, "Slice axes")
              : java.util.stream.LongStream.range(0, g.shape(inputs.get(1))[0]).toArray();
      Long[] starts = known.get(n.getInput(1));
      Long[] ends = known.get(n.getInput(2));
      Long[] steps = hasInput(n, 4) ? known.get(n.getInput(4)) : null;
      Long[] data = known.get(n.getInput(0));
      for (int j = 0; j < axes.length; j++) {
        int a = (int) (axes[j] < 0 ? axes[j] + s.length : axes[j]);
        out[a] = GraphBuilder.UNKNOWN;
        if (s[a] >= 0
            && starts != null
            && ends != null
            && starts[j] != null
            && ends[j] != null
            && (!hasInput(n, 4) || (steps != null && steps[j] != null))) {
          long step = hasInput(n, 4) ? steps[j] : 1;
          out[a] = sliceLength(s[a], starts[j], ends[j], step);
          if (data != null && s.length == 1) {
            known.put(n.getOutput(0), slicedValues(data, starts[j], ends[j], step));
          }
        }
      }
      // Axes must reach Autodiff as a constant it can read: re-emit them as such.
      if (inputs.size() > 3 && !inputs.get(3).isEmpty() && !g.isConstantInts(inputs.get(3))) {
        inputs.set(3, g.ints(axes));
      }
      return g.node("Slice", inputs, out, g.type(x));
    }

    private String transpose(NodeProto n) {
      String x = in(n, 0);
      int rank = g.shape(x).length;
      long[] perm =
          hasAttribute(n, "perm")
              ? ints(n, "perm")
              : java.util.stream.LongStream.range(0, rank).map(i -> rank - 1 - i).toArray();
      return g.transpose(x, perm);
    }

    private String reduce(NodeProto n) {
      String x = in(n, 0);
      int rank = g.shape(x).length;
      long[] axes;
      if (n.getOpType().equals("ReduceSum") && opset >= 13) {
        axes = hasInput(n, 1) ? knownInts(n, 1, "ReduceSum axes") : null;
      } else {
        axes = hasAttribute(n, "axes") ? ints(n, "axes") : null;
      }
      if (axes == null) {
        axes = java.util.stream.LongStream.range(0, rank).toArray();
      }
      long[] normalized = Arrays.stream(axes).map(a -> a < 0 ? a + rank : a).sorted().toArray();
      boolean keep = !hasAttribute(n, "keepdims") || attribute(n, "keepdims").getI() == 1;
      return n.getOpType().equals("ReduceSum")
          ? g.reduceSum(x, keep, normalized)
          : g.reduceMean(x, keep, normalized);
    }

    private String softmax(NodeProto n) {
      String x = in(n, 0);
      int rank = g.shape(x).length;
      long axis = axisOf(n, rank, opset < 13 ? 1 : -1);
      if (axis != rank - 1) {
        throw new IllegalArgumentException(
            n.getOpType()
                + " over axis "
                + axis
                + " of a rank-"
                + rank
                + " tensor: only the last axis is supported (where opsets 11 and 13 agree)");
      }
      return n.getOpType().equals("Softmax") ? g.softmax(x) : g.logSoftmax(x);
    }

    /** The static shape held by an int64 vector input (unknown entries -1). */
    private long[] staticShape(NodeProto n, int k) {
      Long[] v = known.get(n.getInput(k));
      if (v != null) {
        return Arrays.stream(v).mapToLong(d -> d == null ? GraphBuilder.UNKNOWN : d).toArray();
      }
      long length = g.shape(in(n, k))[0];
      if (length < 0) {
        throw new IllegalArgumentException(
            "the rank of the result is not known when the graph is built");
      }
      long[] unknown = new long[(int) length];
      Arrays.fill(unknown, GraphBuilder.UNKNOWN);
      return unknown;
    }
  }

  /** Operators the import re-emits. */
  static Set<String> supported() {
    Set<String> all = new TreeSet<>(UNARY);
    all.addAll(BINARY);
    all.addAll(COMPARISONS);
    all.addAll(
        List.of(
            "Constant",
            "MatMul",
            "Cast",
            "Shape",
            "Gather",
            "Unsqueeze",
            "Squeeze",
            "Concat",
            "Reshape",
            "Slice",
            "Transpose",
            "ReduceMean",
            "ReduceSum",
            "Softmax",
            "LogSoftmax",
            "Where",
            "Expand",
            "ConstantOfShape"));
    return all;
  }

  // ---- Small helpers ------------------------------------------------------------------------

  private static Long[] arithmetic(String op, Long[] a, Long[] b) {
    Long[] out = new Long[a.length];
    for (int i = 0; i < a.length; i++) {
      Long x = a[i];
      Long y = b[b.length == 1 ? 0 : i];
      out[i] =
          x == null || y == null
              ? null
              : switch (op) {
                case "Add" -> x + y;
                case "Sub" -> x - y;
                case "Mul" -> x * y;
                case "Div" -> y == 0 ? null : x / y;
                default -> null;
              };
    }
    return out;
  }

  private static long sliceLength(long dim, long start, long end, long step) {
    return slicedValues(new Long[(int) dim], start, end, step).length;
  }

  private static Long[] slicedValues(Long[] data, long start, long end, long step) {
    long dim = data.length;
    long s = start < 0 ? start + dim : start;
    long e = end < 0 ? end + dim : end;
    List<Long> out = new ArrayList<>();
    if (step > 0) {
      s = Math.clamp(s, 0, dim);
      e = Math.clamp(e, 0, dim);
      for (long i = s; i < e; i += step) {
        out.add(data[(int) i]);
      }
    } else {
      s = Math.clamp(s, -1, dim - 1);
      e = Math.clamp(e, -1, dim - 1);
      for (long i = s; i > e; i += step) {
        out.add(data[(int) i]);
      }
    }
    return out.toArray(Long[]::new);
  }

  private static long product(long[] dims) {
    return product(dims, -1);
  }

  /** The product of the dimensions except {@code skip}; -1 if any is unknown. */
  private static long product(long[] dims, int skip) {
    long p = 1;
    for (int i = 0; i < dims.length; i++) {
      if (i != skip) {
        if (dims[i] < 0) {
          return GraphBuilder.UNKNOWN;
        }
        p *= dims[i];
      }
    }
    return p;
  }

  private static long axisOf(NodeProto n, int rank, Integer fallback) {
    if (!hasAttribute(n, "axis")) {
      if (fallback == null) {
        throw new IllegalArgumentException(n.getOpType() + " node " + n.getName() + " has no axis");
      }
      return fallback < 0 ? fallback + rank : fallback;
    }
    long axis = attribute(n, "axis").getI();
    return axis < 0 ? axis + rank : axis;
  }

  private static boolean hasAttribute(NodeProto n, String name) {
    return n.getAttributeList().stream().anyMatch(a -> a.getName().equals(name));
  }

  private static AttributeProto attribute(NodeProto n, String name) {
    return n.getAttributeList().stream()
        .filter(a -> a.getName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    n.getOpType() + " node " + n.getName() + " has no " + name));
  }

  private static long[] ints(NodeProto n, String name) {
    return attribute(n, name).getIntsList().stream().mapToLong(Long::longValue).toArray();
  }

  static long[] dims(TensorProto t) {
    return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
  }

  static float[] floats(TensorProto t) {
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      throw new IllegalArgumentException(
          "tensor "
              + t.getName()
              + " keeps its data in an external file; "
              + "save the model with its weights inside");
    }
    if (!t.getRawData().isEmpty()) {
      float[] out = new float[t.getRawData().size() / 4];
      t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
      return out;
    }
    float[] out = new float[t.getFloatDataCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = t.getFloatData(i);
    }
    return out;
  }

  private static long[] longs(TensorProto t) {
    if (!t.getRawData().isEmpty()) {
      long[] out = new long[t.getRawData().size() / 8];
      ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      b.asLongBuffer().get(out);
      return out;
    }
    return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
  }
}
