package dev.ferry.autodiff;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dynamic int8 quantization of a float model, written as ONNX Runtime's own {@code
 * quantize_dynamic} writes the built-in {@code -q} encoders (per-channel int8 weights with a
 * reduced range, uint8 activations), so that ONNX Runtime runs it with the same fused int8 kernels.
 *
 * <p>Every MatMul whose second input is a float matrix initializer W [in, out] becomes:
 *
 * <pre>
 * x ─ DynamicQuantizeLinear ─ x_quantized, x_scale, x_zero_point   (once per x)
 * MatMulInteger(x_quantized, W_quantized, x_zero_point, W_zero_point) ─ Cast(float) ─ Mul ─ y
 *                                              Mul(x_scale, W_scale) ─┘
 * </pre>
 *
 * where W_quantized = round(W / W_scale) in int8, W_scale[j] = max |W[·, j]| / {@value #RANGE} per
 * output column and W_zero_point = 0: symmetric, in [−{@value #RANGE}, {@value #RANGE}] (the
 * reduced range that keeps the uint8 × int8 products of the kernels without VNNI from saturating).
 * The MatMuls of two computed values (attention scores) stay float. Embedding tables (a Gather from
 * a float matrix initializer) are kept in uint8, one scale and zero point per table, and
 * dequantized after the lookup ({@code DequantizeLinear}), which makes the file about a quarter of
 * the float one's size. Nothing else changes: the same inputs, outputs and other operators.
 */
public final class DynamicQuantization {
  /** The weights' largest magnitude after quantization: 7 bits, as {@code reduce_range}. */
  public static final int RANGE = 64;

  private DynamicQuantization() {}

  /** The quantized model of a serialized float ONNX model. */
  public static byte[] quantize(byte[] model) {
    try {
      return quantize(OnnxMl.ModelProto.parseFrom(model)).toByteArray();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
    }
  }

  /** The quantized model. */
  public static OnnxMl.ModelProto quantize(OnnxMl.ModelProto model) {
    OnnxMl.GraphProto graph = model.getGraph();
    Map<String, TensorProto> initializers = new LinkedHashMap<>();
    for (TensorProto t : graph.getInitializerList()) {
      initializers.put(t.getName(), t);
    }
    Map<String, Integer> uses = new HashMap<>();
    for (NodeProto n : graph.getNodeList()) {
      for (String in : n.getInputList()) {
        uses.merge(in, 1, Integer::sum);
      }
    }
    Set<String> quantizedWeights = new HashSet<>();
    Set<String> quantizedActivations = new HashSet<>();
    List<TensorProto> added = new ArrayList<>();
    List<NodeProto> nodes = new ArrayList<>();
    for (NodeProto n : graph.getNodeList()) {
      TensorProto table = n.getOpType().equals("Gather") ? initializers.get(n.getInput(0)) : null;
      if (table != null
          && table.getDataType() == TensorProto.DataType.FLOAT.getNumber()
          && table.getDimsCount() == 2) {
        // An embedding table: its rows are read as uint8 and dequantized after the lookup.
        String name = table.getName();
        if (quantizedWeights.add(name)) {
          added.addAll(quantizeTable(table));
        }
        String rows = n.getOutput(0) + "_quantized";
        nodes.add(n.toBuilder().setInput(0, name + "_quantized").setOutput(0, rows).build());
        nodes.add(
            node(
                "DequantizeLinear",
                n.getOutput(0) + "_DequantizeLinear",
                List.of(rows, name + "_scale", name + "_zero_point"),
                List.of(n.getOutput(0))));
        continue;
      }
      TensorProto w = n.getOpType().equals("MatMul") ? initializers.get(n.getInput(1)) : null;
      if (w == null
          || w.getDataType() != TensorProto.DataType.FLOAT.getNumber()
          || w.getDimsCount() != 2) {
        nodes.add(n);
        continue;
      }
      String x = n.getInput(0);
      String weight = w.getName();
      String name = n.getName().isEmpty() ? n.getOutput(0) : n.getName();
      if (quantizedActivations.add(x)) {
        nodes.add(
            node(
                "DynamicQuantizeLinear",
                x + "_QuantizeLinear",
                List.of(x),
                List.of(x + "_quantized", x + "_scale", x + "_zero_point")));
      }
      if (quantizedWeights.add(weight)) {
        added.addAll(quantizeWeight(w));
      }
      String integer = n.getOutput(0) + "_output_quantized";
      String scales = name + "_quant_scales_mul:0";
      nodes.add(
          node(
              "Mul",
              name + "_quant_scales_mul",
              List.of(x + "_scale", weight + "_scale"),
              List.of(scales)));
      nodes.add(
          node(
              "MatMulInteger",
              name + "_quant",
              List.of(
                  x + "_quantized",
                  weight + "_quantized",
                  x + "_zero_point",
                  weight + "_zero_point"),
              List.of(integer)));
      nodes.add(
          node("Cast", integer + "_cast", List.of(integer), List.of(integer + "_cast_output"))
              .toBuilder()
              .addAttribute(
                  AttributeProto.newBuilder()
                      .setName("to")
                      .setType(AttributeProto.AttributeType.INT)
                      .setI(TensorProto.DataType.FLOAT.getNumber()))
              .build());
      nodes.add(
          node(
              "Mul",
              name + "_quant_output_scale_mul",
              List.of(integer + "_cast_output", scales),
              List.of(n.getOutput(0))));
    }
    OnnxMl.GraphProto.Builder g = graph.toBuilder().clearNode().addAllNode(nodes);
    g.clearInitializer();
    for (TensorProto t : graph.getInitializerList()) {
      // A weight that something besides its MatMuls reads stays in float too.
      boolean onlyQuantized =
          quantizedWeights.contains(t.getName())
              && uses.get(t.getName()) == quantizedUses(graph, t);
      if (!onlyQuantized) {
        g.addInitializer(t);
      }
    }
    g.addAllInitializer(added);
    return model.toBuilder().setGraph(g).build();
  }

  /** W_quantized (int8 [in, out]), W_scale (float [out]) and W_zero_point (int8 [out], 0). */
  private static List<TensorProto> quantizeWeight(TensorProto w) {
    long[] dims = OnnxImport.dims(w);
    float[] values = OnnxImport.floats(w);
    int rows = (int) dims[0];
    int cols = (int) dims[1];
    float[] scale = new float[cols];
    for (int j = 0; j < cols; j++) {
      float max = 0;
      for (int i = 0; i < rows; i++) {
        max = Math.max(max, Math.abs(values[i * cols + j]));
      }
      scale[j] = max == 0 ? 1 : max / RANGE;
    }
    byte[] q = new byte[values.length];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        double v = Math.rint(values[i * cols + j] / scale[j]);
        q[i * cols + j] = (byte) Math.max(-RANGE, Math.min(RANGE, v));
      }
    }
    java.nio.ByteBuffer scales =
        java.nio.ByteBuffer.allocate(cols * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float s : scale) {
      scales.putFloat(s);
    }
    String name = w.getName();
    return List.of(
        tensor(name + "_quantized", TensorProto.DataType.INT8, q, dims),
        tensor(name + "_scale", TensorProto.DataType.FLOAT, scales.array(), cols),
        tensor(name + "_zero_point", TensorProto.DataType.INT8, new byte[cols], cols));
  }

  /** How many nodes read {@code w} where it is quantized: as a MatMul's weight or a table. */
  private static int quantizedUses(OnnxMl.GraphProto graph, TensorProto w) {
    int n = 0;
    for (NodeProto node : graph.getNodeList()) {
      boolean weight =
          node.getOpType().equals("MatMul")
              && node.getInputCount() == 2
              && node.getInput(1).equals(w.getName())
              && !node.getInput(0).equals(w.getName());
      boolean table = node.getOpType().equals("Gather") && node.getInput(0).equals(w.getName());
      n += weight || table ? 1 : 0;
    }
    return n;
  }

  /**
   * An embedding table as ONNX Runtime quantizes it: uint8 [rows, width] with one scale and zero
   * point for the whole table, its range widened to hold 0.
   */
  private static List<TensorProto> quantizeTable(TensorProto t) {
    long[] dims = OnnxImport.dims(t);
    float[] values = OnnxImport.floats(t);
    float min = 0;
    float max = 0;
    for (float v : values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    float scale = max > min ? (max - min) / 255 : 1;
    int zero = (int) Math.max(0, Math.min(255, Math.rint(-min / scale)));
    byte[] q = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      q[i] = (byte) (int) Math.max(0, Math.min(255, Math.rint(values[i] / scale) + zero));
    }
    java.nio.ByteBuffer scaleBytes =
        java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(scale);
    String name = t.getName();
    return List.of(
        tensor(name + "_quantized", TensorProto.DataType.UINT8, q, dims),
        tensor(name + "_scale", TensorProto.DataType.FLOAT, scaleBytes.array()),
        tensor(name + "_zero_point", TensorProto.DataType.UINT8, new byte[] {(byte) zero}));
  }

  private static TensorProto tensor(
      String name, TensorProto.DataType type, byte[] raw, long... dims) {
    TensorProto.Builder t =
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(type.getNumber())
            .setRawData(ByteString.copyFrom(raw));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }

  private static NodeProto node(String op, String name, List<String> in, List<String> out) {
    return NodeProto.newBuilder()
        .setOpType(op)
        .setName(name)
        .addAllInput(in)
        .addAllOutput(out)
        .build();
  }
}
