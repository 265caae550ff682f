package dev.ferry.models.graph;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;

/** The tensor element types Ferry's graphs use, with their ONNX codes. */
public enum ElementType {
  /** 32-bit float: what models train and run in. */
  FLOAT(DataType.FLOAT),
  /** 64-bit float: for gradient checks against finite differences. */
  DOUBLE(DataType.DOUBLE),
  /** 64-bit integer: token ids, shapes, axes. */
  INT64(DataType.INT64),
  /** Boolean: comparison results. */
  BOOL(DataType.BOOL);

  private final DataType onnx;

  ElementType(DataType onnx) {
    this.onnx = onnx;
  }

  /** The ONNX {@code TensorProto.DataType} number. */
  public int onnxCode() {
    return onnx.getNumber();
  }

  /** The type of an ONNX code. */
  static ElementType ofOnnx(int code) {
    for (ElementType t : values()) {
      if (t.onnx.getNumber() == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("unsupported ONNX element type " + code
        + " (" + DataType.forNumber(code) + "); Ferry's graphs use FLOAT, DOUBLE, INT64, BOOL");
  }
}
