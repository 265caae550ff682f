package dev.ferry.autodiff;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.ferry.models.graph.ElementType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reverse-mode automatic differentiation of a graph held in a {@link GraphBuilder}.
 *
 * <p>{@link #gradients} walks the graph backwards from a scalar loss and appends, in standard ONNX
 * operators only, the nodes that compute the loss's gradient with respect to each requested value.
 * The result runs on any ONNX Runtime execution provider, like the forward graph.
 *
 * <p>Values that only compute shapes (Shape, Size and what follows from them) and comparisons carry
 * no gradient. An operator without a rule that lies on a path from a requested value to the loss is
 * an error that names it, rather than a silently wrong gradient.
 */
public final class Autodiff {
  private Autodiff() {}

  /** Operators this class can differentiate. */
  public static Set<String> supportedOperators() {
    return new TreeSet<>(RULES.keySet());
  }

  /**
   * Appends the gradient of {@code loss} with respect to each of {@code wrt}.
   *
   * @param g the graph holding the forward computation; gradient nodes are appended to it
   * @param loss a scalar (rank 0, or every dimension 1) real value
   * @param wrt the values to differentiate by: graph inputs or intermediate values
   * @return for each of {@code wrt}, in order, the name of its gradient (same shape as it)
   * @throws IllegalArgumentException if the loss does not depend on one of {@code wrt}, or a node
   *     on the way has no gradient rule
   */
  public static Map<String, String> gradients(GraphBuilder g, String loss, Collection<String> wrt) {
    for (long d : g.shape(loss)) {
      if (d != 1) {
        throw new IllegalArgumentException(
            "loss '" + loss + "' must be a scalar, has shape " + Arrays.toString(g.shape(loss)));
      }
    }
    List<NodeProto> forward = List.copyOf(g.nodes());
    // Values that depend on something we differentiate by.
    Set<String> varying = new HashSet<>(wrt);
    for (NodeProto node : forward) {
      if (NO_GRADIENT.contains(node.getOpType())) {
        continue;
      }
      for (String in : node.getInputList()) {
        if (varying.contains(in) && isReal(g, in)) {
          varying.addAll(node.getOutputList());
          break;
        }
      }
    }
    for (String w : wrt) {
      if (!isReal(g, w)) {
        throw new IllegalArgumentException(
            "cannot differentiate by '" + w + "': it is " + g.type(w));
      }
    }
    Map<String, String> grads = new HashMap<>();
    grads.put(loss, g.expand(g.scalarLike(1, loss), g.shapeOf(loss), g.shape(loss)));
    for (int i = forward.size() - 1; i >= 0; i--) {
      NodeProto node = forward.get(i);
      String out = node.getOutput(0);
      String gradOut = grads.get(out);
      if (gradOut == null) {
        continue;
      }
      boolean[] needed = new boolean[node.getInputCount()];
      boolean any = false;
      for (int k = 0; k < needed.length; k++) {
        String in = node.getInput(k);
        needed[k] = varying.contains(in) && isReal(g, in);
        any |= needed[k];
      }
      if (!any || NO_GRADIENT.contains(node.getOpType())) {
        continue;
      }
      GradientRule rule = RULES.get(node.getOpType());
      if (rule == null) {
        throw new IllegalArgumentException(
            "no gradient rule for "
                + node.getOpType()
                + " (node "
                + node.getName()
                + "); supported: "
                + supportedOperators());
      }
      List<String> inputGrads = rule.apply(g, node, gradOut, needed);
      for (int k = 0; k < needed.length; k++) {
        if (!needed[k] || inputGrads.get(k) == null) {
          continue;
        }
        String in = node.getInput(k);
        String contribution = inputGrads.get(k);
        grads.merge(in, contribution, g::add);
      }
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (String w : wrt) {
      String grad = grads.get(w);
      if (grad == null) {
        throw new IllegalArgumentException("loss '" + loss + "' does not depend on '" + w + "'");
      }
      result.put(w, grad);
    }
    return result;
  }

  /** Operators whose outputs carry no gradient: shape computations and comparisons. */
  private static final Set<String> NO_GRADIENT =
      Set.of(
          "Shape",
          "Size",
          "Greater",
          "Less",
          "Equal",
          "Not",
          "And",
          "Or",
          "ArgMax",
          "ArgMin",
          "ConstantOfShape",
          "Constant",
          "Range");

  /** Computes the gradients of one node's inputs from the gradient of its output. */
  @FunctionalInterface
  private interface GradientRule {
    /** One entry per input: its gradient, or null where {@code needed} is false. */
    List<String> apply(GraphBuilder g, NodeProto node, String gradOut, boolean[] needed);
  }

  private static final Map<String, GradientRule> RULES = new HashMap<>();

  static {
    RULES.put("Identity", (g, n, dy, need) -> List.of(dy));
    RULES.put("Neg", (g, n, dy, need) -> List.of(g.neg(dy)));
    RULES.put(
        "Add",
        (g, n, dy, need) ->
            twoInputs(need, () -> sumTo(g, dy, n.getInput(0)), () -> sumTo(g, dy, n.getInput(1))));
    RULES.put(
        "Sub",
        (g, n, dy, need) ->
            twoInputs(
                need, () -> sumTo(g, dy, n.getInput(0)), () -> sumTo(g, g.neg(dy), n.getInput(1))));
    RULES.put(
        "Mul",
        (g, n, dy, need) ->
            twoInputs(
                need,
                () -> sumTo(g, g.mul(dy, n.getInput(1)), n.getInput(0)),
                () -> sumTo(g, g.mul(dy, n.getInput(0)), n.getInput(1))));
    RULES.put(
        "Div",
        (g, n, dy, need) -> {
          String a = n.getInput(0);
          String b = n.getInput(1);
          return twoInputs(
              need,
              () -> sumTo(g, g.div(dy, b), a),
              // d(a/b)/db = -a / b^2 = -(a/b) / b
              () -> sumTo(g, g.neg(g.div(g.mul(dy, n.getOutput(0)), b)), b));
        });
    RULES.put(
        "Pow",
        (g, n, dy, need) -> {
          String a = n.getInput(0);
          String b = n.getInput(1);
          return twoInputs(
              need,
              // d(a^b)/da = b * a^(b-1)
              () -> sumTo(g, g.mul(dy, powerDerivative(g, a, b)), a),
              // d(a^b)/db = a^b * ln a
              () -> sumTo(g, g.mul(dy, g.mul(n.getOutput(0), g.log(a))), b));
        });
    RULES.put("Min", (g, n, dy, need) -> selectRule(g, n, dy, need, false));
    RULES.put("Max", (g, n, dy, need) -> selectRule(g, n, dy, need, true));
    RULES.put("Cast", (g, n, dy, need) -> List.of(g.cast(dy, g.type(n.getInput(0)))));
    RULES.put(
        "Sqrt", (g, n, dy, need) -> List.of(g.div(dy, g.mul(g.scalarLike(2, dy), n.getOutput(0)))));
    RULES.put("Exp", (g, n, dy, need) -> List.of(g.mul(dy, n.getOutput(0))));
    RULES.put("Log", (g, n, dy, need) -> List.of(g.div(dy, n.getInput(0))));
    RULES.put(
        "Tanh",
        (g, n, dy, need) -> {
          String y = n.getOutput(0);
          return List.of(g.mul(dy, g.sub(g.scalarLike(1, y), g.mul(y, y))));
        });
    RULES.put(
        "Erf",
        (g, n, dy, need) -> {
          // d erf(x)/dx = 2/sqrt(pi) * exp(-x^2)
          String x = n.getInput(0);
          return List.of(
              g.mul(dy, g.mul(g.scalarLike(2 / Math.sqrt(Math.PI), x), g.exp(g.neg(g.mul(x, x))))));
        });
    RULES.put(
        "Relu",
        (g, n, dy, need) -> {
          String x = n.getInput(0);
          String positive = g.cast(g.greater(x, g.scalarLike(0, x)), g.type(x));
          return List.of(g.mul(dy, positive));
        });
    RULES.put(
        "Softmax",
        (g, n, dy, need) -> {
          int axis = lastAxisOnly(g, n);
          String y = n.getOutput(0);
          String dot = g.reduceSum(g.mul(dy, y), true, axis);
          return List.of(g.mul(y, g.sub(dy, dot)));
        });
    RULES.put(
        "LogSoftmax",
        (g, n, dy, need) -> {
          int axis = lastAxisOnly(g, n);
          String softmax = g.exp(n.getOutput(0));
          return List.of(g.sub(dy, g.mul(softmax, g.reduceSum(dy, true, axis))));
        });
    RULES.put(
        "ReduceSum",
        (g, n, dy, need) -> {
          String x = n.getInput(0);
          return withNulls(need.length, spreadBack(g, n, dy, x, reduceSumAxes(g, n)));
        });
    RULES.put(
        "ReduceMean",
        (g, n, dy, need) -> {
          String x = n.getInput(0);
          String spread = spreadBack(g, n, dy, x, axesAttribute(n, g.shape(x).length));
          // Each input element contributed 1/count of the mean: count = size(x) / size(y).
          String count =
              g.div(g.cast(g.size(x), g.type(x)), g.cast(g.size(n.getOutput(0)), g.type(x)));
          return List.of(g.div(spread, count));
        });
    RULES.put(
        "ReduceMax",
        (g, n, dy, need) -> {
          // The maximum's elements take the gradient, shared equally among ties (a value gathered
          // twice gets it half on each copy, which the gather's own gradient adds back up).
          String x = n.getInput(0);
          long[] axes = axesAttribute(n, g.shape(x).length);
          String spread = spreadBack(g, n, dy, x, axes);
          String winners = g.cast(g.equal(x, spreadBack(g, n, n.getOutput(0), x, axes)), g.type(x));
          String ties = g.reduceSum(winners, true, axes);
          return List.of(g.div(g.mul(spread, winners), ties));
        });
    RULES.put(
        "MatMul",
        (g, n, dy, need) -> {
          String a = n.getInput(0);
          String b = n.getInput(1);
          return twoInputs(
              need,
              () -> sumTo(g, g.matMul(dy, swapLast(g, b)), a),
              () -> weightGradient(g, a, b, dy));
        });
    RULES.put(
        "Transpose",
        (g, n, dy, need) -> {
          long[] perm = ints(n, "perm");
          long[] inverse = new long[perm.length];
          for (int i = 0; i < perm.length; i++) {
            inverse[(int) perm[i]] = i;
          }
          return List.of(g.transpose(dy, inverse));
        });
  }

  static {
    // Ops that only move values around: the gradient takes the way back.
    GradientRule reshapeBack =
        (g, n, dy, need) ->
            withNulls(need.length, g.reshape(dy, g.shapeOf(n.getInput(0)), g.shape(n.getInput(0))));
    for (String op : List.of("Reshape", "Unsqueeze", "Squeeze", "Flatten")) {
      RULES.put(op, reshapeBack);
    }
    RULES.put("Expand", (g, n, dy, need) -> withNulls(need.length, sumTo(g, dy, n.getInput(0))));
    RULES.put(
        "Where",
        (g, n, dy, need) -> {
          String condition = n.getInput(0);
          String zero = g.scalarLike(0, dy);
          List<String> out = new ArrayList<>(List.of("", "", ""));
          out.set(0, null);
          out.set(1, need[1] ? sumTo(g, g.where(condition, dy, zero), n.getInput(1)) : null);
          out.set(2, need[2] ? sumTo(g, g.where(condition, zero, dy), n.getInput(2)) : null);
          return out;
        });
    RULES.put(
        "Gather",
        (g, n, dy, need) -> {
          String data = n.getInput(0);
          int axis = (int) normalizedAxis(n, g.shape(data).length, 0);
          return withNulls(
              need.length, scatterAdd(g, dy, g.shapeOf(data), g.shape(data), n.getInput(1), axis));
        });
    RULES.put("Concat", Autodiff::concatRule);
    RULES.put("Slice", Autodiff::sliceRule);
  }

  /**
   * MatMul's gradient for its second input: {@code a}ᵀ · dy, summed over the batch dimensions that
   * {@code b} was broadcast along. A matrix b [in, out] applied to a batch a [..., tokens, in] (a
   * layer's weight) gets one matrix product of the rows flattened, [in, rows] · [rows, out], rather
   * than one product per batch element summed afterwards, which would hold batch × in × out values.
   */
  private static String weightGradient(GraphBuilder g, String a, String b, String dy) {
    long[] as = g.shape(a);
    long[] bs = g.shape(b);
    long in = as[as.length - 1];
    long out = bs[bs.length - 1];
    if (bs.length != 2
        || as.length < 3
        || in == GraphBuilder.UNKNOWN
        || out == GraphBuilder.UNKNOWN) {
      return sumTo(g, g.matMul(swapLast(g, a), dy), b);
    }
    String rows = g.reshape(a, g.ints(-1, in), GraphBuilder.UNKNOWN, in);
    String dRows = g.reshape(dy, g.ints(-1, out), GraphBuilder.UNKNOWN, out);
    return g.matMul(g.transpose(rows, 1, 0), dRows);
  }

  /**
   * Concat: each input's gradient is its slab of the output gradient along the axis. Slab bounds
   * come from the inputs' static sizes, or from their run-time shapes where those are unknown.
   */
  private static List<String> concatRule(GraphBuilder g, NodeProto n, String dy, boolean[] need) {
    int rank = g.shape(n.getInput(0)).length;
    long axis = normalizedAxis(n, rank, null);
    String one = g.ints(1);
    String start = g.ints(0);
    List<String> out = new ArrayList<>(n.getInputCount());
    for (int k = 0; k < n.getInputCount(); k++) {
      String x = n.getInput(k);
      long size = g.shape(x)[(int) axis];
      String sizeTensor =
          size == GraphBuilder.UNKNOWN
              ? g.slice(g.shapeOf(x), g.ints(axis), g.ints(axis + 1), new long[] {0}, one, 1)
              : g.ints(size);
      String end = g.add(start, sizeTensor);
      out.add(need[k] ? g.slice(dy, start, end, new long[] {axis}, one, g.shape(x)) : null);
      start = end;
    }
    return out;
  }

  /**
   * Slice: one sliced axis at a time (last first), the gradient is scattered back to the positions
   * that axis kept. The positions are found by slicing {@code 0..n-1} with the node's own bounds,
   * so negative, clamped and strided bounds mean exactly what they meant forward.
   */
  private static List<String> sliceRule(GraphBuilder g, NodeProto n, String dy, boolean[] need) {
    String x = n.getInput(0);
    long[] xShape = g.shape(x);
    int rank = xShape.length;
    long[] axes;
    if (n.getInputCount() > 3 && !n.getInput(3).isEmpty()) {
      if (!g.isConstantInts(n.getInput(3))) {
        throw new IllegalArgumentException(
            "Slice node "
                + n.getName()
                + ": axes must be a constant to differentiate, found a computed value "
                + n.getInput(3));
      }
      axes = g.constantInts(n.getInput(3));
    } else {
      axes = allAxes(g.shape(n.getInput(1))[0] < 0 ? rank : (int) g.shape(n.getInput(1))[0]);
    }
    boolean hasSteps = n.getInputCount() > 4 && !n.getInput(4).isEmpty();
    String xShapeTensor = g.shapeOf(x);
    String dyShapeTensor = g.shapeOf(dy);
    String grad = dy;
    for (int j = axes.length - 1; j >= 0; j--) {
      int axis = (int) (axes[j] < 0 ? axes[j] + rank : axes[j]);
      // The shape before slicing axes[j]: the earlier sliced axes as in dy, the rest as in x.
      long[] take = new long[rank];
      long[] before = xShape.clone();
      for (int i = 0; i < j; i++) {
        int a = (int) (axes[i] < 0 ? axes[i] + rank : axes[i]);
        take[a] = 1;
        before[a] = g.shape(dy)[a];
      }
      String takeDy = g.ints(take);
      String beforeTensor =
          g.add(
              g.mul(takeDy, dyShapeTensor),
              g.mul(g.sub(g.ints(filled(rank, 1)), takeDy), xShapeTensor));
      String which = g.ints(j);
      String dim = g.gather(xShapeTensor, g.ints(axis), 0);
      String range =
          g.node(
              "Range",
              List.of(g.intScalar(0), g.squeeze(dim, 0), g.intScalar(1)),
              new long[] {xShape[axis]},
              ElementType.INT64);
      String positions =
          g.slice(
              range,
              g.gather(n.getInput(1), which, 0),
              g.gather(n.getInput(2), which, 0),
              new long[] {0},
              hasSteps ? g.gather(n.getInput(4), which, 0) : g.ints(1),
              g.shape(dy)[axis]);
      grad = scatterAdd(g, grad, beforeTensor, before, positions, axis);
    }
    return withNulls(need.length, grad);
  }

  /**
   * The gradient of {@code data} for {@code Gather(data, indices, axis)}: {@code dy} added into
   * zeros of {@code data}'s shape at the gathered positions (repeated indices accumulate), by
   * ScatterND with {@code reduction="add"} on the gathered axis moved to the front.
   */
  static String scatterAdd(
      GraphBuilder g,
      String dy,
      String dataShapeTensor,
      long[] dataShape,
      String indices,
      int axis) {
    int rank = dataShape.length;
    int q = g.shape(indices).length;
    // Negative indices count from the end, as in Gather.
    String dim = g.gather(dataShapeTensor, g.ints(axis), 0);
    String normalized =
        g.where(g.greater(g.intScalar(0), indices), g.add(indices, g.squeeze(dim, 0)), indices);
    long[] toFront = new long[rank];
    toFront[0] = axis;
    for (int i = 0, k = 1; i < rank; i++) {
      if (i != axis) {
        toFront[k++] = i;
      }
    }
    long[] frontShape = new long[rank];
    for (int i = 0; i < rank; i++) {
      frontShape[i] = dataShape[(int) toFront[i]];
    }
    String updates = dy;
    if (axis > 0) {
      // dy's axes are data[:axis], indices (q axes), data[axis+1:]: bring the index axes first.
      int dyRank = g.shape(dy).length;
      long[] perm = new long[dyRank];
      int k = 0;
      for (int i = 0; i < q; i++) {
        perm[k++] = axis + i;
      }
      for (int i = 0; i < axis; i++) {
        perm[k++] = i;
      }
      for (int i = axis + q; i < dyRank; i++) {
        perm[k++] = i;
      }
      updates = g.transpose(dy, perm);
    }
    String zeros =
        g.expand(g.scalarLike(0, dy), g.gather(dataShapeTensor, g.ints(toFront), 0), frontShape);
    String front =
        g.node(
            "ScatterND",
            List.of(zeros, g.unsqueeze(normalized, q), updates),
            frontShape,
            g.type(dy),
            GraphBuilder.stringAttr("reduction", "add"));
    if (axis == 0) {
      return front;
    }
    long[] back = new long[rank];
    for (int i = 0; i < rank; i++) {
      back[(int) toFront[i]] = i;
    }
    return g.transpose(front, back);
  }

  private static long[] filled(int n, long value) {
    long[] out = new long[n];
    Arrays.fill(out, value);
    return out;
  }

  /**
   * The node's {@code axis} attribute, made non-negative; {@code fallback} when absent (null:
   * required).
   */
  private static long normalizedAxis(NodeProto n, int rank, Integer fallback) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals("axis")) {
        return a.getI() < 0 ? a.getI() + rank : a.getI();
      }
    }
    if (fallback == null) {
      throw new IllegalArgumentException(n.getOpType() + " node " + n.getName() + " has no axis");
    }
    return fallback;
  }

  // ---- Helpers ------------------------------------------------------------------------------

  /** Min and Max pass the gradient to the operand they selected (to b on a tie). */
  private static List<String> selectRule(
      GraphBuilder g, NodeProto n, String dy, boolean[] need, boolean max) {
    String a = n.getInput(0);
    String b = n.getInput(1);
    String aWins = g.cast(max ? g.greater(a, b) : g.greater(b, a), g.type(a));
    return twoInputs(
        need,
        () -> sumTo(g, g.mul(dy, aWins), a),
        () -> sumTo(g, g.mul(dy, g.sub(g.scalarLike(1, aWins), aWins)), b));
  }

  private static boolean isReal(GraphBuilder g, String value) {
    ElementType t = g.type(value);
    return t == ElementType.FLOAT || t == ElementType.DOUBLE;
  }

  private static List<String> twoInputs(
      boolean[] need,
      java.util.function.Supplier<String> first,
      java.util.function.Supplier<String> second) {
    List<String> out = new ArrayList<>(2);
    out.add(need[0] ? first.get() : null);
    out.add(need[1] ? second.get() : null);
    return out;
  }

  private static List<String> withNulls(int inputs, String first) {
    List<String> out = new ArrayList<>(inputs);
    out.add(first);
    while (out.size() < inputs) {
      out.add(null);
    }
    return out;
  }

  /**
   * {@code b * a^(b-1)}; for a constant exponent (a LayerNorm's square) without a runtime Pow,
   * which ONNX Runtime computes slowly for any exponent but 2 and 3.
   */
  private static String powerDerivative(GraphBuilder g, String a, String b) {
    OptionalDouble constant = g.constantScalar(b);
    if (constant.isEmpty()) {
      return g.mul(b, g.pow(a, g.sub(b, g.scalarLike(1, b))));
    }
    double c = constant.getAsDouble();
    if (c == 1) {
      return g.scalarLike(1, a);
    }
    if (c == 2) {
      return g.mul(a, g.scalarLike(2, a));
    }
    return g.mul(g.scalarLike(c, a), g.pow(a, g.scalarLike(c - 1, a)));
  }

  /**
   * Reduces a gradient of a broadcast result back to the shape of the operand that was broadcast:
   * sums over the leading axes the operand lacked and over the axes where it had size 1.
   */
  static String sumTo(GraphBuilder g, String grad, String operand) {
    long[] gs = g.shape(grad);
    long[] os = g.shape(operand);
    if (Arrays.equals(gs, os)) {
      return grad;
    }
    int lead = gs.length - os.length;
    List<Long> axes = new ArrayList<>();
    for (int i = 0; i < gs.length; i++) {
      if (i < lead) {
        axes.add((long) i);
      } else if (os[i - lead] == 1 && gs[i] != 1) {
        axes.add((long) i);
      }
    }
    if (axes.isEmpty()) {
      return grad;
    }
    String summed = g.reduceSum(grad, true, axes.stream().mapToLong(Long::longValue).toArray());
    return g.reshape(summed, g.shapeOf(operand), os);
  }

  /** Broadcasts the gradient of a reduction back over the reduced axes. */
  private static String spreadBack(GraphBuilder g, NodeProto n, String dy, String x, long[] axes) {
    boolean keep = intAttribute(n, "keepdims", 1) == 1;
    String kept = keep || axes.length == 0 ? dy : g.unsqueeze(dy, axes);
    return g.expand(kept, g.shapeOf(x), g.shape(x));
  }

  private static long[] reduceSumAxes(GraphBuilder g, NodeProto n) {
    if (n.getInputCount() < 2 || n.getInput(1).isEmpty()) {
      return allAxes(g.shape(n.getInput(0)).length);
    }
    throwIfUnknownAxes(g, n);
    return g.constantInts(n.getInput(1));
  }

  private static void throwIfUnknownAxes(GraphBuilder g, NodeProto n) {
    if (!g.isConstantInts(n.getInput(1))) {
      throw new IllegalArgumentException(
          n.getOpType() + " node " + n.getName() + ": axes must be a constant to differentiate");
    }
  }

  private static long[] axesAttribute(NodeProto n, int rank) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals("axes")) {
        return a.getIntsList().stream().mapToLong(v -> v < 0 ? v + rank : v).sorted().toArray();
      }
    }
    return allAxes(rank);
  }

  private static long[] allAxes(int rank) {
    long[] all = new long[rank];
    for (int i = 0; i < rank; i++) {
      all[i] = i;
    }
    return all;
  }

  private static int lastAxisOnly(GraphBuilder g, NodeProto n) {
    int rank = g.shape(n.getInput(0)).length;
    long axis = intAttribute(n, "axis", -1);
    if (axis < 0) {
      axis += rank;
    }
    if (axis != rank - 1) {
      throw new IllegalArgumentException(
          n.getOpType()
              + " node "
              + n.getName()
              + ": only the last axis is supported, got axis "
              + axis
              + " of rank "
              + rank);
    }
    return (int) axis;
  }

  private static String swapLast(GraphBuilder g, String x) {
    int rank = g.shape(x).length;
    long[] perm = allAxes(rank);
    perm[rank - 1] = rank - 2;
    perm[rank - 2] = rank - 1;
    return g.transpose(x, perm);
  }

  private static long intAttribute(NodeProto n, String name, long fallback) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return fallback;
  }

  private static long[] ints(NodeProto n, String name) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
      }
    }
    throw new IllegalArgumentException(n.getOpType() + " node " + n.getName() + " has no " + name);
  }
}
