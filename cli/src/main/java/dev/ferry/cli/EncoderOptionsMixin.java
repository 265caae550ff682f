package dev.ferry.cli;

import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Encoder;
import picocli.CommandLine.Option;

/** The encoder to run (--encoder) and how it runs (the runtime options). */
public final class EncoderOptionsMixin extends RuntimeOptionsMixin {
  @Option(
      names = "--encoder",
      paramLabel = "NAME|DIR",
      description =
          "Built-in encoder (${COMPLETION-CANDIDATES}) or a directory with model.onnx"
              + " and tokenizer.json. Default: ${DEFAULT-VALUE}.",
      completionCandidates = BuiltinNames.class)
  String encoder = BuiltinEncoder.DEFAULT.id();

  /** The encoder named: a built-in id or a directory. */
  public String encoder() {
    return encoder;
  }

  Encoder open() {
    return Encoder.open(encoder, options());
  }

  /** Built-in names for help and shell completion. */
  static final class BuiltinNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.Arrays.stream(BuiltinEncoder.values()).map(BuiltinEncoder::id).iterator();
    }
  }
}
