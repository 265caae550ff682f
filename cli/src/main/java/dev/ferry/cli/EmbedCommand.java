package dev.ferry.cli;

import dev.ferry.models.data.TextRecord;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.TextRole;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry embed}: one JSON array of floats per input text. */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description = {
      "Embed texts and print one JSON array of floats per input, in input order.",
      "With --input, a line that cannot be read prints `null` in its place and an error"
          + " naming the file and line on stderr; the exit code is then 1."
    })
final class EmbedCommand implements Callable<Integer>, HelpLayout.Examples {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin EncoderOptionsMixin encoderOptions;

  @Override
  public List<String> examples() {
    return List.of(
        "ferry embed \"first text\" \"second text\"",
        "ferry embed --encoder bge-small-en-v1.5 --query \"what to search for\"",
        "ferry embed --input docs.jsonl.gz > vectors.jsonl");
  }

  @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to embed.")
  List<String> texts = new ArrayList<>();

  @Option(
      names = "--input",
      paramLabel = "FILE",
      description = "JSONL file (.gz allowed, - for stdin), one object per line with a text field.")
  Path input;

  @Option(
      names = "--text-field",
      paramLabel = "NAME",
      description = "Field of each JSONL object that holds the text. Default: ${DEFAULT-VALUE}.")
  String textField = "text";

  @Option(
      names = "--query",
      description = "Embed as search queries (adds the model's query prefix).")
  boolean query;

  @Override
  public Integer call() throws IOException {
    if (input == null && texts.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "give TEXT arguments or --input FILE");
    }
    if (input != null && !texts.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "give either TEXT arguments or --input FILE, not both");
    }
    TextRole role = query ? TextRole.QUERY : TextRole.DOCUMENT;
    PrintWriter out = spec.commandLine().getOut();
    try (Encoder encoder = encoderOptions.open()) {
      if (input == null) {
        for (float[] v : encoder.embed(texts, role)) {
          out.println(Json.array(v));
        }
        out.flush();
        return 0;
      }
      return embedFile(encoder, role, out);
    }
  }

  private int embedFile(Encoder encoder, TextRole role, PrintWriter out) throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    JsonlLineMapper.Outcome o =
        JsonlLineMapper.map(
            input,
            textField,
            records -> {
              float[][] vectors =
                  encoder.embed(records.stream().map(TextRecord::text).toList(), role);
              return java.util.Arrays.stream(vectors).map(Json::array).toList();
            },
            out,
            err,
            "embedded");
    return JsonlLineMapper.exitCode(o, "embed", "embedded", input, err);
  }
}
