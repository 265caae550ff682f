package dev.ferry.autodiff;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.ferry.models.graph.ElementType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Builds an ONNX graph in Java, one standard operator at a time, tracking each value's element type
 * and shape so that {@link Autodiff} can differentiate it.
 *
 * <p>Every method that adds an operator returns the name of its output. Shapes use {@code -1} for a
 * dimension not known when the graph is built (the batch size, say), which ONNX Runtime then takes
 * from the inputs. Real-valued tensors take the builder's {@linkplain #realType() real type}:
 * {@link ElementType#FLOAT} for models, {@link ElementType#DOUBLE} to check gradients.
 *
 * <pre>{@code
 * GraphBuilder g = new GraphBuilder("head", ElementType.FLOAT);
 * String x = g.input("embedding", ElementType.FLOAT, -1, 384);
 * String w = g.input("weight", ElementType.FLOAT, 384, 3);
 * g.output(g.softmax(g.matMul(x, w)), "probabilities");
 * byte[] onnx = g.toBytes();
 * }</pre>
 *
 * <p>Not thread-safe; build a graph on one thread.
 */
public final class GraphBuilder {
  /** The ONNX operator set the builder writes (ReduceSum and Unsqueeze take axes as inputs). */
  public static final int OPSET = 17;

  /** IR version 8: understood by every ONNX Runtime since 1.10. */
  public static final int IR_VERSION = 8;

  /** Marks a dimension that is not known when the graph is built. */
  public static final long UNKNOWN = -1;

  private final String name;
  private final ElementType realType;
  private final List<NodeProto> nodes = new ArrayList<>();
  private final List<OnnxMl.ValueInfoProto> inputs = new ArrayList<>();
  private final List<OnnxMl.ValueInfoProto> outputs = new ArrayList<>();
  private final List<OnnxMl.TensorProto> initializers = new ArrayList<>();
  private String never; // a false BOOL scalar, made on first use by after()
  private final Map<String, long[]> shapes = new HashMap<>();
  private final Map<String, ElementType> types = new HashMap<>();
  private final Map<String, Integer> producers = new HashMap<>();
  private final Set<String> inputNames = new LinkedHashSet<>();
  private final Map<String, String> docStrings = new HashMap<>();
  private final Map<String, long[]> intConstants = new HashMap<>();
  private final Map<String, Double> realScalars = new HashMap<>();
  private int counter;

  /**
   * @param name the graph's name (shown by model viewers)
   * @param realType FLOAT or DOUBLE: the type of every real-valued tensor in this graph
   */
  public GraphBuilder(String name, ElementType realType) {
    this.name = Objects.requireNonNull(name, "name");
    if (realType != ElementType.FLOAT && realType != ElementType.DOUBLE) {
      throw new IllegalArgumentException("realType must be FLOAT or DOUBLE, was " + realType);
    }
    this.realType = realType;
  }

  /** FLOAT or DOUBLE: the element type of real-valued tensors. */
  public ElementType realType() {
    return realType;
  }

  /** The shape tracked for a value ({@code -1} = not known while building). */
  public long[] shape(String value) {
    long[] s = shapes.get(value);
    if (s == null) {
      throw new IllegalArgumentException("no value named '" + value + "' in graph " + name);
    }
    return s.clone();
  }

  /** The element type of a value. */
  public ElementType type(String value) {
    ElementType t = types.get(value);
    if (t == null) {
      throw new IllegalArgumentException("no value named '" + value + "' in graph " + name);
    }
    return t;
  }

  /** Whether a value is a graph input. */
  public boolean isInput(String value) {
    return inputNames.contains(value);
  }

  /** The names of the graph inputs, in declaration order. */
  public List<String> inputNames() {
    return List.copyOf(inputNames);
  }

  /** The nodes added so far, in topological (insertion) order. */
  List<NodeProto> nodes() {
    return nodes;
  }

  // ---- Declarations -------------------------------------------------------------------------

  /** Declares a graph input. */
  public String input(String inputName, ElementType type, long... dims) {
    define(inputName, type, dims);
    inputNames.add(inputName);
    inputs.add(valueInfo(inputName, type, dims, null));
    return inputName;
  }

  /**
   * Declares a real-valued input of the builder's real type whose sizes are all unknown and named:
   * ONNX Runtime takes sizes of the same name to be equal (every other input's first size is named
   * {@code batch}), so an input whose rows are not the batch's needs a name of its own.
   */
  public String namedInput(String inputName, String... dimParams) {
    long[] dims = new long[dimParams.length];
    Arrays.fill(dims, UNKNOWN);
    define(inputName, realType, dims);
    inputNames.add(inputName);
    inputs.add(valueInfo(inputName, realType, dims, dimParams));
    return inputName;
  }

  /** Declares a real-valued graph input of the builder's real type. */
  public String input(String inputName, long... dims) {
    return input(inputName, realType, dims);
  }

  /** Adds a constant real tensor stored in the graph (a weight of an exported model, say). */
  public String initializer(String initializerName, float[] values, long... dims) {
    checkCount(values.length, dims);
    ByteBuffer bytes =
        ByteBuffer.allocate(values.length * (realType == ElementType.FLOAT ? 4 : 8))
            .order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      if (realType == ElementType.FLOAT) {
        bytes.putFloat(v);
      } else {
        bytes.putDouble(v);
      }
    }
    return addInitializer(initializerName, realType, bytes.array(), dims);
  }

  /**
   * Adds a float constant from its little-endian bytes as an ONNX model stores them, without
   * copying them (an imported model's weight).
   */
  String initializer(String initializerName, ByteString rawFloats, long... dims) {
    if (realType != ElementType.FLOAT) {
      throw new IllegalArgumentException("raw float bytes need a FLOAT graph, this is " + realType);
    }
    checkCount(rawFloats.size() / Float.BYTES, dims);
    return addInitializer(initializerName, ElementType.FLOAT, rawFloats, dims);
  }

  /** Adds a constant real tensor from doubles (stored in the builder's real type). */
  public String initializer(String initializerName, double[] values, long... dims) {
    checkCount(values.length, dims);
    ByteBuffer bytes =
        ByteBuffer.allocate(values.length * (realType == ElementType.FLOAT ? 4 : 8))
            .order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      if (realType == ElementType.FLOAT) {
        bytes.putFloat((float) v);
      } else {
        bytes.putDouble(v);
      }
    }
    return addInitializer(initializerName, realType, bytes.array(), dims);
  }

  /** A real scalar constant of the builder's real type. */
  public String scalar(double value) {
    return scalar(value, realType);
  }

  /** A real scalar constant of the same element type as {@code like}. */
  public String scalarLike(double value, String like) {
    return scalar(value, type(like));
  }

  /** A real scalar constant of the given type (FLOAT or DOUBLE). */
  public String scalar(double value, ElementType type) {
    ByteBuffer bytes =
        ByteBuffer.allocate(type == ElementType.FLOAT ? 4 : 8).order(ByteOrder.LITTLE_ENDIAN);
    if (type == ElementType.FLOAT) {
      bytes.putFloat((float) value);
    } else if (type == ElementType.DOUBLE) {
      bytes.putDouble(value);
    } else {
      throw new IllegalArgumentException("a real scalar must be FLOAT or DOUBLE, not " + type);
    }
    String constant = addInitializer(fresh("const"), type, bytes.array());
    realScalars.put(constant, type == ElementType.FLOAT ? (double) (float) value : value);
    return constant;
  }

  /** The value of a constant made by {@link #scalar}, or empty if {@code value} is another. */
  OptionalDouble constantScalar(String value) {
    Double v = realScalars.get(value);
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  /** A 1-D int64 constant (axes, shapes). */
  public String ints(long... values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      bytes.putLong(v);
    }
    String constant =
        addInitializer(fresh("ints"), ElementType.INT64, bytes.array(), values.length);
    intConstants.put(constant, values.clone());
    return constant;
  }

  /** An int64 scalar constant (a bound of Range, say). */
  String intScalar(long value) {
    ByteBuffer bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
    return addInitializer(fresh("int"), ElementType.INT64, bytes.array());
  }

  /** An int64 constant of any shape, stored under {@code tensorName} (position ids, say). */
  String int64Tensor(String tensorName, long[] values, long... dims) {
    checkCount(values.length, dims);
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      bytes.putLong(v);
    }
    return addInitializer(tensorName, ElementType.INT64, bytes.array(), dims);
  }

  /** Whether {@code value} is a constant made by {@link #ints}. */
  boolean isConstantInts(String value) {
    return intConstants.containsKey(value);
  }

  /** The values of a constant made by {@link #ints}. */
  long[] constantInts(String value) {
    return intConstants.get(value).clone();
  }

  /** Declares {@code value} as a graph output, renaming it to {@code outputName} if they differ. */
  public String output(String value, String outputName) {
    return output(value, outputName, "batch");
  }

  /**
   * Declares {@code value} as a graph output named {@code outputName}, its first size (if unknown)
   * named {@code rows} rather than {@code batch}: see {@link #namedInput}.
   */
  public String output(String value, String outputName, String rows) {
    String out = value.equals(outputName) ? value : identity(value, outputName);
    long[] dims = shape(out);
    String[] names = new String[dims.length];
    for (int i = 0; i < dims.length; i++) {
      names[i] = i == 0 ? rows : out + "_dim" + i;
    }
    outputs.add(valueInfo(out, type(out), dims, names));
    return out;
  }

  /** Declares {@code value} as a graph output under its own name. */
  public String output(String value) {
    return output(value, value);
  }

  /** Attaches a description to an input or output (written as the value's doc string). */
  public void describe(String value, String doc) {
    docStrings.put(value, doc);
  }

  // ---- Operators ----------------------------------------------------------------------------

  /** Matrix product with NumPy semantics for 2-D and batched (3-D, 4-D) operands. */
  public String matMul(String a, String b) {
    long[] sa = shape(a);
    long[] sb = shape(b);
    if (sa.length < 2 || sb.length < 2) {
      throw new IllegalArgumentException(
          "MatMul needs operands of rank >= 2, got "
              + Arrays.toString(sa)
              + " and "
              + Arrays.toString(sb));
    }
    long inner = sa[sa.length - 1];
    long innerB = sb[sb.length - 2];
    if (inner >= 0 && innerB >= 0 && inner != innerB) {
      throw new IllegalArgumentException(
          "MatMul: "
              + a
              + " "
              + Arrays.toString(sa)
              + " × "
              + b
              + " "
              + Arrays.toString(sb)
              + " do not fit");
    }
    long[] batch = broadcast(Arrays.copyOf(sa, sa.length - 2), Arrays.copyOf(sb, sb.length - 2));
    long[] out = Arrays.copyOf(batch, batch.length + 2);
    out[batch.length] = sa[sa.length - 2];
    out[batch.length + 1] = sb[sb.length - 1];
    return node("MatMul", List.of(a, b), out, type(a));
  }

  /** Elementwise {@code a + b} with broadcasting. */
  public String add(String a, String b) {
    return binary("Add", a, b);
  }

  /** Elementwise {@code a - b} with broadcasting. */
  public String sub(String a, String b) {
    return binary("Sub", a, b);
  }

  /** Elementwise {@code a * b} with broadcasting. */
  public String mul(String a, String b) {
    return binary("Mul", a, b);
  }

  /** Elementwise {@code a / b} with broadcasting. */
  public String div(String a, String b) {
    return binary("Div", a, b);
  }

  /** Elementwise {@code a ^ b} with broadcasting. */
  public String pow(String a, String b) {
    return binary("Pow", a, b);
  }

  /** Elementwise minimum. */
  public String min(String a, String b) {
    return binary("Min", a, b);
  }

  /** Elementwise maximum. */
  public String max(String a, String b) {
    return binary("Max", a, b);
  }

  /** Elementwise {@code a == b}, a BOOL tensor. */
  public String equal(String a, String b) {
    return node("Equal", List.of(a, b), broadcast(shape(a), shape(b)), ElementType.BOOL);
  }

  /** Elementwise {@code a > b}, a BOOL tensor. */
  public String greater(String a, String b) {
    return node("Greater", List.of(a, b), broadcast(shape(a), shape(b)), ElementType.BOOL);
  }

  /** {@code -x}. */
  public String neg(String x) {
    return unary("Neg", x);
  }

  /** {@code max(x, 0)}. */
  public String relu(String x) {
    return unary("Relu", x);
  }

  /** Hyperbolic tangent. */
  public String tanh(String x) {
    return unary("Tanh", x);
  }

  /** {@code e^x}. */
  public String exp(String x) {
    return unary("Exp", x);
  }

  /** Natural logarithm. */
  public String log(String x) {
    return unary("Log", x);
  }

  /** Square root. */
  public String sqrt(String x) {
    return unary("Sqrt", x);
  }

  /** Gauss error function. */
  public String erf(String x) {
    return unary("Erf", x);
  }

  /** A copy of {@code x}. */
  public String identity(String x) {
    return unary("Identity", x);
  }

  /** A copy of {@code x} named {@code outputName}. */
  public String identity(String x, String outputName) {
    return nodeNamed("Identity", List.of(x), outputName, shape(x), type(x));
  }

  /** Softmax along the last axis. */
  public String softmax(String x) {
    return node("Softmax", List.of(x), shape(x), type(x), intAttr("axis", -1));
  }

  /** Log of the softmax along the last axis, computed stably. */
  public String logSoftmax(String x) {
    return node("LogSoftmax", List.of(x), shape(x), type(x), intAttr("axis", -1));
  }

  /** Sum over {@code axes} (non-negative), keeping them as size 1 if {@code keepDims}. */
  public String reduceSum(String x, boolean keepDims, long... axes) {
    return node(
        "ReduceSum",
        List.of(x, ints(axes)),
        reduced(shape(x), keepDims, axes),
        type(x),
        intAttr("keepdims", keepDims ? 1 : 0));
  }

  /** Sum of every element, a scalar. */
  public String sumAll(String x) {
    long[] axes = new long[shape(x).length];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i;
    }
    return axes.length == 0 ? x : reduceSum(x, false, axes);
  }

  /** Maximum over {@code axes} (non-negative), keeping them as size 1 if {@code keepDims}. */
  public String reduceMax(String x, boolean keepDims, long... axes) {
    return node(
        "ReduceMax",
        List.of(x),
        reduced(shape(x), keepDims, axes),
        type(x),
        intsAttr("axes", axes),
        intAttr("keepdims", keepDims ? 1 : 0));
  }

  /** Mean over {@code axes} (non-negative), keeping them as size 1 if {@code keepDims}. */
  public String reduceMean(String x, boolean keepDims, long... axes) {
    return node(
        "ReduceMean",
        List.of(x),
        reduced(shape(x), keepDims, axes),
        type(x),
        intsAttr("axes", axes),
        intAttr("keepdims", keepDims ? 1 : 0));
  }

  /** Permutes the axes. */
  public String transpose(String x, long... perm) {
    long[] s = shape(x);
    long[] out = new long[perm.length];
    for (int i = 0; i < perm.length; i++) {
      out[i] = s[(int) perm[i]];
    }
    return node("Transpose", List.of(x), out, type(x), intsAttr("perm", perm));
  }

  /** Converts the element type. */
  public String cast(String x, ElementType to) {
    return node("Cast", List.of(x), shape(x), to, intAttr("to", to.onnxCode()));
  }

  /** The shape of {@code x} as a 1-D int64 tensor. */
  public String shapeOf(String x) {
    return node("Shape", List.of(x), new long[] {shape(x).length}, ElementType.INT64);
  }

  /** The number of elements of {@code x}, an int64 scalar. */
  public String size(String x) {
    return node("Size", List.of(x), new long[0], ElementType.INT64);
  }

  /** Reshapes {@code x} to the shape held by the int64 tensor {@code shape}. */
  public String reshape(String x, String shapeTensor, long... staticShape) {
    return node("Reshape", List.of(x, shapeTensor), staticShape, type(x));
  }

  /** Broadcasts {@code x} to the shape held by the int64 tensor {@code shape}. */
  public String expand(String x, String shapeTensor, long... staticShape) {
    return node("Expand", List.of(x, shapeTensor), staticShape, type(x));
  }

  /** Inserts size-1 axes at the (non-negative, output-indexed) positions {@code axes}. */
  public String unsqueeze(String x, long... axes) {
    long[] s = shape(x);
    long[] out = new long[s.length + axes.length];
    Set<Long> at = new java.util.HashSet<>();
    for (long a : axes) {
      at.add(a);
    }
    for (int i = 0, j = 0; i < out.length; i++) {
      out[i] = at.contains((long) i) ? 1 : s[j++];
    }
    return node("Unsqueeze", List.of(x, ints(axes)), out, type(x));
  }

  /** Removes the size-1 axes {@code axes} (non-negative, input-indexed). */
  public String squeeze(String x, long... axes) {
    long[] s = shape(x);
    Set<Long> drop = new java.util.HashSet<>();
    for (long a : axes) {
      drop.add(a);
    }
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < s.length; i++) {
      if (!drop.contains((long) i)) {
        out.add(s[i]);
      }
    }
    return node(
        "Squeeze",
        List.of(x, ints(axes)),
        out.stream().mapToLong(Long::longValue).toArray(),
        type(x));
  }

  /**
   * Picks entries of {@code data} along {@code axis} (non-negative) by the int64 {@code indices}:
   * the result has the shape {@code data[:axis] + indices + data[axis+1:]}.
   */
  public String gather(String data, String indices, int axis) {
    long[] d = shape(data);
    long[] i = shape(indices);
    long[] out = new long[d.length - 1 + i.length];
    System.arraycopy(d, 0, out, 0, axis);
    System.arraycopy(i, 0, out, axis, i.length);
    System.arraycopy(d, axis + 1, out, axis + i.length, d.length - axis - 1);
    return node("Gather", List.of(data, indices), out, type(data), intAttr("axis", axis));
  }

  /** Joins tensors of equal rank along {@code axis} (non-negative). */
  public String concat(int axis, String... values) {
    long[] out = shape(values[0]);
    for (int k = 1; k < values.length; k++) {
      long d = shape(values[k])[axis];
      out[axis] = out[axis] == UNKNOWN || d == UNKNOWN ? UNKNOWN : out[axis] + d;
    }
    return node("Concat", List.of(values), out, type(values[0]), intAttr("axis", axis));
  }

  /**
   * The slice {@code starts[j] : ends[j] : steps[j]} of {@code x} along each {@code axes[j]} (ONNX
   * Slice: negative positions count from the end, out-of-range ones are clamped). {@code starts},
   * {@code ends} and {@code steps} are 1-D int64 tensors; their static result size is unknown
   * unless given in {@code staticShape}.
   */
  public String slice(
      String x, String starts, String ends, long[] axes, String steps, long... staticShape) {
    return node("Slice", List.of(x, starts, ends, ints(axes), steps), staticShape, type(x));
  }

  /** {@code condition ? a : b}, elementwise with broadcasting. */
  public String where(String condition, String a, String b) {
    return node(
        "Where",
        List.of(condition, a, b),
        broadcast(shape(condition), broadcast(shape(a), shape(b))),
        type(a));
  }

  /**
   * {@code value}, computed only once {@code dependency} is: an order between nodes, not arithmetic
   * ({@code Where(false, dependency, value)}; ONNX has no bare control edge). A step that writes a
   * parameter's next value over the parameter itself needs it: every reader of the parameter must
   * have run first. The result takes the shape both broadcast to.
   */
  public String after(String value, String dependency) {
    if (type(value) != type(dependency)) {
      throw new IllegalArgumentException(
          "after: "
              + value
              + " is "
              + type(value)
              + " but "
              + dependency
              + " is "
              + type(dependency));
    }
    if (never == null) {
      never = greater(scalar(0), scalar(1));
    }
    return node(
        "Where",
        List.of(never, dependency, value),
        broadcast(shape(dependency), shape(value)),
        type(value));
  }

  /**
   * Adds any standard ONNX operator whose output shape the caller knows.
   *
   * @return the output's name
   */
  public String node(
      String opType,
      List<String> nodeInputs,
      long[] outShape,
      ElementType outType,
      AttributeProto... attributes) {
    return nodeNamed(
        opType,
        nodeInputs,
        fresh(opType.toLowerCase(java.util.Locale.ROOT)),
        outShape,
        outType,
        attributes);
  }

  private String nodeNamed(
      String opType,
      List<String> nodeInputs,
      String out,
      long[] outShape,
      ElementType outType,
      AttributeProto... attributes) {
    for (String in : nodeInputs) {
      if (!types.containsKey(in)) {
        throw new IllegalArgumentException(
            opType + ": no value named '" + in + "' in graph " + name);
      }
    }
    define(out, outType, outShape);
    NodeProto.Builder node =
        NodeProto.newBuilder()
            .setOpType(opType)
            .setName(out + "_node")
            .addAllInput(nodeInputs)
            .addOutput(out);
    for (AttributeProto a : attributes) {
      node.addAttribute(a);
    }
    producers.put(out, nodes.size());
    nodes.add(node.build());
    return out;
  }

  // ---- Output -------------------------------------------------------------------------------

  /** The model, ready to serialize. */
  public OnnxMl.ModelProto build() {
    OnnxMl.GraphProto.Builder graph =
        OnnxMl.GraphProto.newBuilder()
            .setName(name)
            .addAllNode(nodes)
            .addAllInitializer(initializers);
    for (OnnxMl.ValueInfoProto in : inputs) {
      graph.addInput(withDoc(in));
    }
    for (OnnxMl.ValueInfoProto out : outputs) {
      graph.addOutput(withDoc(out));
    }
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .setProducerName("ferry")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setGraph(graph)
        .build();
  }

  /** The serialized model. */
  public byte[] toBytes() {
    return build().toByteArray();
  }

  /** A fresh value name with the given stem. */
  String fresh(String stem) {
    String candidate;
    do {
      candidate = stem + "_" + (counter++);
    } while (types.containsKey(candidate));
    return candidate;
  }

  // ---- Internals ----------------------------------------------------------------------------

  private OnnxMl.ValueInfoProto withDoc(OnnxMl.ValueInfoProto v) {
    String doc = docStrings.get(v.getName());
    return doc == null ? v : v.toBuilder().setDocString(doc).build();
  }

  private String unary(String op, String x) {
    return node(op, List.of(x), shape(x), type(x));
  }

  private String binary(String op, String a, String b) {
    checkSameType(op, a, b);
    return node(op, List.of(a, b), broadcast(shape(a), shape(b)), type(a));
  }

  /**
   * Elementwise {@code op} ("Add", "Mul", ...) with broadcasting, its result named {@code out}: a
   * graph output made by the node that computes it, with no copy into the output.
   */
  String binary(String op, String a, String b, String out) {
    checkSameType(op, a, b);
    return nodeNamed(op, List.of(a, b), out, broadcast(shape(a), shape(b)), type(a));
  }

  private void checkSameType(String op, String a, String b) {
    if (type(a) != type(b)) {
      throw new IllegalArgumentException(
          op + ": " + a + " is " + type(a) + " but " + b + " is " + type(b));
    }
  }

  /** {@code raw} is the tensor's from here on: every caller made it for this tensor alone. */
  private String addInitializer(String initName, ElementType type, byte[] raw, long... dims) {
    return addInitializer(initName, type, UnsafeByteOperations.unsafeWrap(raw), dims);
  }

  private String addInitializer(String initName, ElementType type, ByteString raw, long... dims) {
    define(initName, type, dims);
    OnnxMl.TensorProto.Builder t =
        OnnxMl.TensorProto.newBuilder()
            .setName(initName)
            .setDataType(type.onnxCode())
            .setRawData(raw);
    for (long d : dims) {
      t.addDims(d);
    }
    initializers.add(t.build());
    return initName;
  }

  private void define(String value, ElementType type, long[] dims) {
    Objects.requireNonNull(value, "name");
    if (types.containsKey(value)) {
      throw new IllegalArgumentException(
          "graph " + name + " already has a value named '" + value + "'");
    }
    types.put(value, type);
    shapes.put(value, dims.clone());
  }

  private static void checkCount(int count, long[] dims) {
    long expected = 1;
    for (long d : dims) {
      expected *= d;
    }
    if (expected != count) {
      throw new IllegalArgumentException(
          count + " values do not fill shape " + Arrays.toString(dims));
    }
  }

  /** NumPy broadcasting of two static shapes ({@code -1} stays unknown). */
  static long[] broadcast(long[] a, long[] b) {
    int rank = Math.max(a.length, b.length);
    long[] out = new long[rank];
    for (int i = 0; i < rank; i++) {
      long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
      long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
      if (da == 1) {
        out[i] = db;
      } else if (db == 1) {
        out[i] = da;
      } else if (da == UNKNOWN || db == UNKNOWN) {
        out[i] = da == UNKNOWN ? db : da;
      } else if (da != db) {
        throw new IllegalArgumentException(
            "shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
      } else {
        out[i] = da;
      }
    }
    return out;
  }

  private static long[] reduced(long[] s, boolean keepDims, long[] axes) {
    Set<Long> reduce = new java.util.HashSet<>();
    for (long a : axes) {
      if (a < 0 || a >= s.length) {
        throw new IllegalArgumentException("axis " + a + " out of range for rank " + s.length);
      }
      reduce.add(a);
    }
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < s.length; i++) {
      if (!reduce.contains((long) i)) {
        out.add(s[i]);
      } else if (keepDims) {
        out.add(1L);
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  static AttributeProto intAttr(String attrName, long value) {
    return AttributeProto.newBuilder()
        .setName(attrName)
        .setType(AttributeProto.AttributeType.INT)
        .setI(value)
        .build();
  }

  static AttributeProto intsAttr(String attrName, long... values) {
    AttributeProto.Builder a =
        AttributeProto.newBuilder().setName(attrName).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  static AttributeProto stringAttr(String attrName, String value) {
    return AttributeProto.newBuilder()
        .setName(attrName)
        .setType(AttributeProto.AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(value))
        .build();
  }

  static AttributeProto floatAttr(String attrName, float value) {
    return AttributeProto.newBuilder()
        .setName(attrName)
        .setType(AttributeProto.AttributeType.FLOAT)
        .setF(value)
        .build();
  }

  /**
   * {@code dimParams}: the names of unknown sizes, or null for {@code batch}, then {@code
   * VALUE_dimI}.
   */
  private static OnnxMl.ValueInfoProto valueInfo(
      String value, ElementType type, long[] dims, String[] dimParams) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    for (int i = 0; i < dims.length; i++) {
      String name = dimParams != null ? dimParams[i] : i == 0 ? "batch" : value + "_dim" + i;
      shape.addDim(
          dims[i] < 0
              ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(name)
              : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(dims[i]));
    }
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(value)
        .setType(
            OnnxMl.TypeProto.newBuilder()
                .setTensorType(
                    OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(type.onnxCode())
                        .setShape(shape)))
        .build();
  }
}
