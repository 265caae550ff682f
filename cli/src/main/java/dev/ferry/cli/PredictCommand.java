package dev.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.bundle.ClassifiedDocument;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.bundle.Prediction;
import dev.ferry.models.data.TextRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ferry predict}: one JSON object per text with label, confidence and probabilities. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Classify texts with a bundle. Prints one JSON object per text, in input order:"
          + " {\"id\"?, \"label\", \"confidence\", \"probabilities\": {label: p, ...}, \"chunks\"}.",
      "A long text is read whole, in chunks, as the bundle's training data was; \"chunks\" says"
          + " how many.",
      "With --input, a line that cannot be read prints `null` in its place and an error naming"
          + " the file and line on stderr; the exit code is then 1."
    },
    footer = {
      "",
      "Examples:",
      "  ferry predict --bundle tickets-bundle --text \"my invoice is wrong\"",
      "  ferry predict --bundle tickets-bundle --input new.jsonl.gz > labeled.jsonl"
    })
final class PredictCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--bundle", required = true, paramLabel = "DIR", description = "Model bundle.")
  Path bundle;

  @Option(names = "--text", paramLabel = "T", arity = "1..*", description = "Texts to classify.")
  List<String> texts = new ArrayList<>();

  @Option(
      names = "--input",
      paramLabel = "FILE",
      description = "JSONL file (.gz allowed, - for stdin) with a text field per line.")
  Path input;

  @Option(
      names = "--text-field",
      paramLabel = "NAME",
      description = "Field with the text. Default: text.")
  String textField = "text";

  @Option(
      names = "--id-field",
      paramLabel = "NAME",
      description = "Field copied into the output as \"id\" when present. Default: id.")
  String idField = "id";

  @Mixin RuntimeOptionsMixin runtime;

  @Override
  public Integer call() throws IOException {
    if ((input == null) == texts.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "give either --text T... or --input FILE");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Classifier classifier = ModelBundle.open(bundle).openClassifier(runtime.options())) {
      if (input == null) {
        for (ClassifiedDocument d : classifier.classifyDocuments(texts)) {
          out.println(json(d, null));
        }
        out.flush();
        return 0;
      }
      return predictFile(classifier, out);
    }
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
                lines.add(json(documents.get(i), records.get(i).fields().get(idField)));
              }
              return lines;
            },
            out,
            err,
            "texts classified");
    return JsonlLineMapper.exitCode(o, "predict", "classified", input, err);
  }

  static String json(ClassifiedDocument document, JsonNode id) {
    Prediction p = document.prediction();
    ObjectNode o = JsonNodeFactory.instance.objectNode();
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
    return o.toString();
  }
}
