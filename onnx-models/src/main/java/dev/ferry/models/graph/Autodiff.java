package dev.ferry.models.graph;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reverse-mode automatic differentiation of a graph held in a {@link GraphBuilder}.
 *
 * <p>{@link #gradients} walks the graph backwards from a scalar loss and appends, in standard ONNX
 * operators only, the nodes that compute the loss's gradient with respect to each requested
 * value. The result runs on any ONNX Runtime execution provider, like the forward graph.
 *
 * <p>Values that only compute shapes (Shape, Size and what follows from them) and comparisons
 * carry no gradient. An operator without a rule that lies on a path from a requested value to
 * the loss is an error that names it, rather than a silently wrong gradient.
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
        throw new IllegalArgumentException("loss '" + loss + "' must be a scalar, has shape "
            + Arrays.toString(g.shape(loss)));
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
        throw new IllegalArgumentException("cannot differentiate by '" + w + "': it is " + g.type(w));
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
        throw new IllegalArgumentException("no gradient rule for " + node.getOpType() + " (node "
            + node.getName() + "); supported: " + supportedOperators());
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
  private static final Set<String> NO_GRADIENT = Set.of(
      "Shape", "Size", "Greater", "Less", "Equal", "Not", "And", "Or", "ArgMax", "ArgMin",
      "ConstantOfShape");

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
    RULES.put("Add", (g, n, dy, need) -> twoInputs(need,
        () -> sumTo(g, dy, n.getInput(0)), () -> sumTo(g, dy, n.getInput(1))));
    RULES.put("Sub", (g, n, dy, need) -> twoInputs(need,
        () -> sumTo(g, dy, n.getInput(0)), () -> sumTo(g, g.neg(dy), n.getInput(1))));
    RULES.put("Mul", (g, n, dy, need) -> twoInputs(need,
        () -> sumTo(g, g.mul(dy, n.getInput(1)), n.getInput(0)),
        () -> sumTo(g, g.mul(dy, n.getInput(0)), n.getInput(1))));
    RULES.put("Div", (g, n, dy, need) -> {
      String a = n.getInput(0);
      String b = n.getInput(1);
      return twoInputs(need,
          () -> sumTo(g, g.div(dy, b), a),
          // d(a/b)/db = -a / b^2 = -(a/b) / b
          () -> sumTo(g, g.neg(g.div(g.mul(dy, n.getOutput(0)), b)), b));
    });
    RULES.put("Pow", (g, n, dy, need) -> {
      String a = n.getInput(0);
      String b = n.getInput(1);
      return twoInputs(need,
          // d(a^b)/da = b * a^(b-1)
          () -> sumTo(g, g.mul(dy, g.mul(b, g.pow(a, g.sub(b, g.scalarLike(1, b))))), a),
          // d(a^b)/db = a^b * ln a
          () -> sumTo(g, g.mul(dy, g.mul(n.getOutput(0), g.log(a))), b));
    });
    RULES.put("Min", (g, n, dy, need) -> selectRule(g, n, dy, need, false));
    RULES.put("Max", (g, n, dy, need) -> selectRule(g, n, dy, need, true));
    RULES.put("Cast", (g, n, dy, need) -> List.of(g.cast(dy, g.type(n.getInput(0)))));
    RULES.put("Sqrt", (g, n, dy, need) ->
        List.of(g.div(dy, g.mul(g.scalarLike(2, dy), n.getOutput(0)))));
    RULES.put("Exp", (g, n, dy, need) -> List.of(g.mul(dy, n.getOutput(0))));
    RULES.put("Log", (g, n, dy, need) -> List.of(g.div(dy, n.getInput(0))));
    RULES.put("Tanh", (g, n, dy, need) -> {
      String y = n.getOutput(0);
      return List.of(g.mul(dy, g.sub(g.scalarLike(1, y), g.mul(y, y))));
    });
    RULES.put("Erf", (g, n, dy, need) -> {
      // d erf(x)/dx = 2/sqrt(pi) * exp(-x^2)
      String x = n.getInput(0);
      return List.of(g.mul(dy, g.mul(g.scalarLike(2 / Math.sqrt(Math.PI), x), g.exp(g.neg(g.mul(x, x))))));
    });
    RULES.put("Relu", (g, n, dy, need) -> {
      String x = n.getInput(0);
      String positive = g.cast(g.greater(x, g.scalarLike(0, x)), g.type(x));
      return List.of(g.mul(dy, positive));
    });
    RULES.put("Softmax", (g, n, dy, need) -> {
      int axis = lastAxisOnly(g, n);
      String y = n.getOutput(0);
      String dot = g.reduceSum(g.mul(dy, y), true, axis);
      return List.of(g.mul(y, g.sub(dy, dot)));
    });
    RULES.put("LogSoftmax", (g, n, dy, need) -> {
      int axis = lastAxisOnly(g, n);
      String softmax = g.exp(n.getOutput(0));
      return List.of(g.sub(dy, g.mul(softmax, g.reduceSum(dy, true, axis))));
    });
    RULES.put("ReduceSum", (g, n, dy, need) -> {
      String x = n.getInput(0);
      return withNulls(need.length, spreadBack(g, n, dy, x, reduceSumAxes(g, n)));
    });
    RULES.put("ReduceMean", (g, n, dy, need) -> {
      String x = n.getInput(0);
      String spread = spreadBack(g, n, dy, x, axesAttribute(n, g.shape(x).length));
      // Each input element contributed 1/count of the mean: count = size(x) / size(y).
      String count = g.div(g.cast(g.size(x), g.type(x)), g.cast(g.size(n.getOutput(0)), g.type(x)));
      return List.of(g.div(spread, count));
    });
    RULES.put("MatMul", (g, n, dy, need) -> {
      String a = n.getInput(0);
      String b = n.getInput(1);
      return twoInputs(need,
          () -> sumTo(g, g.matMul(dy, swapLast(g, b)), a),
          () -> sumTo(g, g.matMul(swapLast(g, a), dy), b));
    });
    RULES.put("Transpose", (g, n, dy, need) -> {
      long[] perm = ints(n, "perm");
      long[] inverse = new long[perm.length];
      for (int i = 0; i < perm.length; i++) {
        inverse[(int) perm[i]] = i;
      }
      return List.of(g.transpose(dy, inverse));
    });
  }

  // ---- Helpers ------------------------------------------------------------------------------

  /** Min and Max pass the gradient to the operand they selected (to b on a tie). */
  private static List<String> selectRule(GraphBuilder g, NodeProto n, String dy, boolean[] need,
      boolean max) {
    String a = n.getInput(0);
    String b = n.getInput(1);
    String aWins = g.cast(max ? g.greater(a, b) : g.greater(b, a), g.type(a));
    return twoInputs(need,
        () -> sumTo(g, g.mul(dy, aWins), a),
        () -> sumTo(g, g.mul(dy, g.sub(g.scalarLike(1, aWins), aWins)), b));
  }

  private static boolean isReal(GraphBuilder g, String value) {
    ElementType t = g.type(value);
    return t == ElementType.FLOAT || t == ElementType.DOUBLE;
  }

  private static List<String> twoInputs(boolean[] need,
      java.util.function.Supplier<String> first, java.util.function.Supplier<String> second) {
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
      throw new IllegalArgumentException(n.getOpType() + " node " + n.getName()
          + ": axes must be a constant to differentiate");
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
      throw new IllegalArgumentException(n.getOpType() + " node " + n.getName()
          + ": only the last axis is supported, got axis " + axis + " of rank " + rank);
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
