package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.bundle.ClassifiedDocument;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.bundle.Prediction;
import dev.ferry.models.data.TextRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ferry predict}: one JSON object per text with label, confidence and probabilities. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Classify texts with a bundle. Prints one JSON object per text, in input order:"
          + " {\"id\"?, \"label\", \"confidence\", \"probabilities\": {label: p, ...}, \"chunks\","
          + " \"fields\"?}.",
      "Texts come from the arguments, from --input FILE (JSONL), or, with neither, one per line"
          + " from stdin.",
      "A long text is read whole, in chunks, as the bundle's training data was; \"chunks\" says"
          + " how many.",
      "With --input, a line that cannot be read prints `null` in its place and an error naming"
          + " the file and line on stderr; the exit code is then 1."
    })
final class PredictCommand implements Callable<Integer>, HelpLayout.Examples {
  static final String[] EXAMPLES = {
    "ferry predict --bundle tickets-bundle \"my invoice is wrong\" \"cannot log in\"",
    "ferry predict --bundle tickets-bundle --input new.jsonl.gz > labeled.jsonl",
    "ferry predict --bundle tickets-bundle --input test.jsonl --keep-fields label,text",
    "cut -f2 titles.tsv | ferry predict --bundle tickets-bundle"
  };

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public List<String> examples() {
    return List.of(EXAMPLES);
  }

  @Option(names = "--bundle", required = true, paramLabel = "DIR", description = "Model bundle.")
  Path bundle;

  @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to classify.")
  List<String> arguments = new ArrayList<>();

  @Option(
      names = "--text",
      paramLabel = "T",
      arity = "1..*",
      description = "Texts to classify (the same as TEXT arguments).")
  List<String> texts = new ArrayList<>();

  @Option(
      names = "--input",
      paramLabel = "FILE",
      description = "JSONL file (.gz allowed, - for stdin) with a text field per line.")
  Path input;

  @Option(
      names = "--text-field",
      paramLabel = "NAME",
      description = "Field with the text. Default: ${DEFAULT-VALUE}.")
  String textField = "text";

  @Option(
      names = "--id-field",
      paramLabel = "NAME",
      description =
          "Field copied into the output as \"id\" when present. Default: ${DEFAULT-VALUE}.")
  String idField = "id";

  @Option(
      names = "--keep-fields",
      paramLabel = "NAME",
      split = ",",
      description =
          "With --input: copy these fields of each input record into its output line, under"
              + " \"fields\" (e.g. label,text: the true label beside the predicted one).")
  List<String> keepFields = new ArrayList<>();

  @Mixin RuntimeOptionsMixin runtime;

  @Override
  public Integer call() throws IOException {
    List<String> given = new ArrayList<>(texts);
    given.addAll(arguments);
    if (input != null && !given.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(), "give either TEXT arguments (or --text) or --input FILE, not both");
    }
    if (!keepFields.isEmpty() && input == null) {
      throw new ParameterException(
          spec.commandLine(), "--keep-fields copies fields of --input records: give --input FILE");
    }
    PrintWriter out = spec.commandLine().getOut();
    if (input == null && given.isEmpty()) {
      given = stdinLines();
      if (given.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(), "give TEXT arguments, --input FILE, or texts on stdin");
      }
    }
    try (Classifier classifier = ModelBundle.open(bundle).openClassifier(runtime.options())) {
      if (input == null) {
        for (int from = 0; from < given.size(); from += JsonlLineMapper.BATCH) {
          List<String> batch =
              given.subList(from, Math.min(given.size(), from + JsonlLineMapper.BATCH));
          for (ClassifiedDocument d : classifier.classifyDocuments(batch)) {
            out.println(json(d, null, null));
          }
          out.flush();
        }
        return 0;
      }
      return predictFile(classifier, out);
    }
  }

  /** Plain text lines on stdin, one text each; none when stdin is a terminal. */
  private static List<String> stdinLines() throws IOException {
    if (Terminal.stdinIsTerminal()) {
      return List.of();
    }
    List<String> lines = new ArrayList<>();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lines.add(line);
    }
    return lines;
  }

  private int predictFile(Classifier classifier, PrintWriter out) throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    JsonlLineMapper.Outcome o =
        JsonlLineMapper.map(
            input,
            textField,
            records -> {
              List<ClassifiedDocument> documents =
                  classifier.classifyDocuments(records.stream().map(TextRecord::text).toList());
              List<String> lines = new ArrayList<>(records.size());
              for (int i = 0; i < records.size(); i++) {
                lines.add(json(documents.get(i), records.get(i).fields(), keepFields));
              }
              return lines;
            },
            out,
            err,
            "texts classified");
    return JsonlLineMapper.exitCode(o, "predict", "classified", input, err);
  }

  /**
   * One output line.
   *
   * @param record the input record, or null for a text given directly
   * @param keep the record's fields to copy under "fields", or null
   */
  String json(ClassifiedDocument document, ObjectNode record, List<String> keep) {
    Prediction p = document.prediction();
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    JsonNode id = record == null ? null : record.get(idField);
    if (id != null && !id.isNull()) {
      o.set("id", id);
    }
    o.put("label", p.label());
    o.put("confidence", p.confidence());
    ObjectNode probabilities = o.putObject("probabilities");
    for (int i = 0; i < p.labels().size(); i++) {
      probabilities.put(p.labels().get(i), p.probabilities()[i]);
    }
    o.put("chunks", document.embedding().chunks().size());
    if (record != null && keep != null && !keep.isEmpty()) {
      ObjectNode fields = o.putObject("fields");
      for (String name : keep) {
        JsonNode value = record.get(name);
        fields.set(name, value == null ? JsonNodeFactory.instance.nullNode() : value);
      }
    }
    return o.toString();
  }
}
