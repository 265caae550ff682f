package dev.ferry.models.encoder;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The inputs and output of a BERT-family encoder, checked when it is loaded: int64 {@code
 * input_ids} and {@code attention_mask} of shape [batch, sequence], an optional int64 {@code
 * token_type_ids}, and a float output of shape [batch, sequence, hidden] ({@code last_hidden_state}
 * if there are several).
 */
record ModelSignature(boolean hasTokenTypeIds, String outputName, int hiddenSize) {
  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";
  static final String LAST_HIDDEN_STATE = "last_hidden_state";
  private static final Set<String> KNOWN_INPUTS = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

  /**
   * Reads and checks the session's signature.
   *
   * @param expectedHidden the width the descriptor promises, or 0 if unknown
   * @throws EncoderLoadException listing what the model really has
   */
  static ModelSignature of(OrtSession session, String modelName, int expectedHidden) {
    try {
      Map<String, NodeInfo> inputs = session.getInputInfo();
      Map<String, NodeInfo> outputs = session.getOutputInfo();
      StringBuilder problems = new StringBuilder();
      for (String required : new String[] {INPUT_IDS, ATTENTION_MASK}) {
        if (!inputs.containsKey(required)) {
          problems.append("\n  - missing input ").append(required);
        }
      }
      for (NodeInfo input : inputs.values()) {
        if (!KNOWN_INPUTS.contains(input.getName())) {
          problems.append("\n  - unexpected input ").append(describe(input));
        } else if (!isTensor(input, OnnxJavaType.INT64, 2)) {
          problems
              .append("\n  - input ")
              .append(describe(input))
              .append(" should be INT64[batch,sequence]");
        }
      }
      NodeInfo output = outputs.get(LAST_HIDDEN_STATE);
      if (output == null) {
        var rank3 =
            outputs.values().stream().filter(o -> isTensor(o, OnnxJavaType.FLOAT, 3)).toList();
        output = rank3.size() == 1 ? rank3.get(0) : null;
      }
      int hidden = 0;
      if (output == null || !isTensor(output, OnnxJavaType.FLOAT, 3)) {
        problems
            .append("\n  - no output FLOAT[batch,sequence,hidden] (named ")
            .append(LAST_HIDDEN_STATE)
            .append(" when there are several)");
      } else {
        long declared = ((TensorInfo) output.getInfo()).getShape()[2];
        hidden = declared > 0 ? (int) declared : expectedHidden;
        if (declared > 0 && expectedHidden > 0 && declared != expectedHidden) {
          problems
              .append("\n  - output ")
              .append(describe(output))
              .append(" has hidden size ")
              .append(declared)
              .append(", but the encoder's descriptor says ")
              .append(expectedHidden);
        }
        if (hidden <= 0) {
          problems
              .append("\n  - output ")
              .append(describe(output))
              .append(" has no fixed hidden size; name it in config.json (hidden_size)");
        }
      }
      if (!problems.isEmpty()) {
        throw new EncoderLoadException(
            modelName
                + " is not a BERT-family encoder Ferry can run:"
                + problems
                + "\nThe model has inputs "
                + describeAll(inputs)
                + " and outputs "
                + describeAll(outputs)
                + ".\nExpected inputs input_ids and attention_mask (and"
                + " optionally token_type_ids), INT64[batch,sequence], and an output"
                + " FLOAT[batch,sequence,hidden] such as last_hidden_state.");
      }
      return new ModelSignature(inputs.containsKey(TOKEN_TYPE_IDS), output.getName(), hidden);
    } catch (OrtException e) {
      throw new EncoderLoadException(
          "cannot read the inputs and outputs of " + modelName + ": " + e.getMessage(), e);
    }
  }

  private static boolean isTensor(NodeInfo node, OnnxJavaType type, int rank) {
    return node.getInfo() instanceof TensorInfo t && t.type == type && t.getShape().length == rank;
  }

  private static String describe(NodeInfo node) {
    if (node.getInfo() instanceof TensorInfo t) {
      String dims =
          Arrays.stream(t.getShape())
              .mapToObj(d -> d < 0 ? "?" : Long.toString(d))
              .collect(Collectors.joining(","));
      return node.getName() + " " + t.type + "[" + dims + "]";
    }
    return node.getName() + " (" + node.getInfo() + ")";
  }

  private static String describeAll(Map<String, NodeInfo> nodes) {
    return nodes.values().stream()
        .map(ModelSignature::describe)
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
