package dev.ferry.models.graph;

/**
 * The tensor element types Ferry's graphs use, with their ONNX codes ({@code TensorProto.DataType}
 * numbers, fixed by the ONNX standard).
 */
public enum ElementType {
  /** 32-bit float: what models train and run in. */
  FLOAT(1, Float.BYTES),
  /** 64-bit float: for gradient checks against finite differences. */
  DOUBLE(11, Double.BYTES),
  /** 64-bit integer: token ids, shapes, axes. */
  INT64(7, Long.BYTES),
  /** Boolean: comparison results, dropout masks; one byte per element. */
  BOOL(9, 1);

  private final int onnxCode;
  private final int bytes;

  ElementType(int onnxCode, int bytes) {
    this.onnxCode = onnxCode;
    this.bytes = bytes;
  }

  /** The bytes of one element. */
  public int bytes() {
    return bytes;
  }

  /** The ONNX {@code TensorProto.DataType} number. */
  public int onnxCode() {
    return onnxCode;
  }

  /** The type of an ONNX code. */
  public static ElementType ofOnnx(int code) {
    for (ElementType t : values()) {
      if (t.onnxCode == code) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unsupported ONNX element type "
            + code
            + "; Ferry's graphs use FLOAT, DOUBLE, INT64, BOOL");
  }
}
