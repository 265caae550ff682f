package dev.ferry.models.encoder;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes tiny ONNX graphs for tests: one Identity node from each input to an output, or a head that
 * gives every input the same probabilities.
 */
public final class TinyGraphs {
  private TinyGraphs() {}

  /** A tensor's name, element type and shape; a negative dimension is symbolic. */
  record Tensor(String name, OnnxMl.TensorProto.DataType type, long... dims) {}

  /** A graph whose outputs are Identity copies of the same-position inputs. */
  static Path identity(Path file, Tensor[] inputs, Tensor[] outputs) throws IOException {
    OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder().setName("tiny");
    for (Tensor t : inputs) {
      graph.addInput(valueInfo(t));
    }
    for (int i = 0; i < outputs.length; i++) {
      graph.addOutput(valueInfo(outputs[i]));
      graph.addNode(
          OnnxMl.NodeProto.newBuilder()
              .setOpType("Identity")
              .addInput(inputs[i].name())
              .addOutput(outputs[i].name())
              .setName("copy" + i));
    }
    OnnxMl.ModelProto model =
        OnnxMl.ModelProto.newBuilder()
            .setIrVersion(7)
            .setProducerName("ferry-tests")
            .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
            .setGraph(graph)
            .build();
    Files.createDirectories(file.getParent());
    Files.write(file, model.toByteArray());
    return file;
  }

  /**
   * A classifier head that gives every text the same probabilities: softmax(x · 0), from {@code
   * input} float [batch, width] to {@code output} float [batch, classes].
   */
  public static byte[] uniformHead(String input, String output, int width, int classes) {
    OnnxMl.GraphProto.Builder graph =
        OnnxMl.GraphProto.newBuilder()
            .setName("uniform-head")
            .addInput(valueInfo(new Tensor(input, OnnxMl.TensorProto.DataType.FLOAT, -1, width)))
            .addOutput(
                valueInfo(new Tensor(output, OnnxMl.TensorProto.DataType.FLOAT, -1, classes)))
            .addInitializer(
                OnnxMl.TensorProto.newBuilder()
                    .setName("w")
                    .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                    .addDims(width)
                    .addDims(classes)
                    .setRawData(
                        com.google.protobuf.ByteString.copyFrom(new byte[4 * width * classes])))
            .addNode(
                OnnxMl.NodeProto.newBuilder()
                    .setOpType("MatMul")
                    .addInput(input)
                    .addInput("w")
                    .addOutput("logits")
                    .setName("matmul"))
            .addNode(
                OnnxMl.NodeProto.newBuilder()
                    .setOpType("Softmax")
                    .addInput("logits")
                    .addOutput(output)
                    .setName("softmax"));
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(7)
        .setProducerName("ferry-tests")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(graph)
        .build()
        .toByteArray();
  }

  private static OnnxMl.ValueInfoProto valueInfo(Tensor t) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    for (long d : t.dims()) {
      shape.addDim(
          d < 0
              ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("d" + (-d))
              : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(t.name())
        .setType(
            OnnxMl.TypeProto.newBuilder()
                .setTensorType(
                    OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(t.type().getNumber())
                        .setShape(shape)))
        .build();
  }
}
