package dev.ferry.models.encoder;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes tiny ONNX graphs for tests: one Identity node from each input to an output. */
final class TinyGraphs {
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
      graph.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Identity")
          .addInput(inputs[i].name()).addOutput(outputs[i].name()).setName("copy" + i));
    }
    OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder()
        .setIrVersion(7)
        .setProducerName("ferry-tests")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(graph)
        .build();
    Files.createDirectories(file.getParent());
    Files.write(file, model.toByteArray());
    return file;
  }

  private static OnnxMl.ValueInfoProto valueInfo(Tensor t) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    for (long d : t.dims()) {
      shape.addDim(d < 0
          ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("d" + (-d))
          : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return OnnxMl.ValueInfoProto.newBuilder().setName(t.name())
        .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
            .setElemType(t.type().getNumber()).setShape(shape)))
        .build();
  }
}
