package dev.ferry.cli;

import dev.ferry.models.data.BadLine;
import dev.ferry.models.data.JsonlLine;
import dev.ferry.models.data.JsonlReader;
import dev.ferry.models.data.TextRecord;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Turns a JSONL file into one output line per input line, in order, a batch at a time: good records
 * go through a function in batches; a line that cannot be read prints {@code null} in its place and
 * its {@code file:line: problem} on stderr, so output line N always belongs to input line N.
 */
final class JsonlLineMapper {
  /** Records handed to the function at once. */
  static final int BATCH = 256;

  /** How many records were mapped and how many lines were bad. */
  record Outcome(long mapped, int bad) {}

  private JsonlLineMapper() {}

  /**
   * @param map turns a batch of records into one output line each, in order
   * @param what what progress counts (a plural noun)
   */
  static Outcome map(
      Path input,
      String textField,
      Function<List<TextRecord>, List<String>> map,
      PrintWriter out,
      PrintWriter err,
      String what)
      throws IOException {
    int bad = 0;
    long mapped = 0;
    try (JsonlReader reader = JsonlReader.open(input, textField);
        Progress progress = new Progress(what, -1)) {
      List<JsonlLine> batch = new ArrayList<>(BATCH);
      for (JsonlLine line = reader.next(); ; line = reader.next()) {
        if (line != null) {
          batch.add(line);
        }
        if (batch.size() == BATCH || (line == null && !batch.isEmpty())) {
          List<TextRecord> records = new ArrayList<>();
          for (JsonlLine l : batch) {
            if (l instanceof TextRecord r) {
              records.add(r);
            }
          }
          List<String> lines = records.isEmpty() ? List.of() : map.apply(records);
          int next = 0;
          for (JsonlLine l : batch) {
            switch (l) {
              case TextRecord r -> out.println(lines.get(next++));
              case BadLine b -> {
                out.println("null");
                bad++;
                progress.close();
                err.println(b.message());
              }
            }
          }
          out.flush();
          mapped += records.size();
          progress.advance(records.size());
          batch.clear();
        }
        if (line == null) {
          break;
        }
      }
    }
    return new Outcome(mapped, bad);
  }

  /** Exit code 1 with a summary when lines were bad, else 0. */
  static int exitCode(Outcome o, String command, String verb, Path input, PrintWriter err) {
    if (o.bad() == 0) {
      return 0;
    }
    err.printf(
        "ferry %s: %s %,d texts; %,d %s of %s could not be read (printed as null, see above)%n",
        command, verb, o.mapped(), o.bad(), o.bad() == 1 ? "line" : "lines", input);
    return 1;
  }
}
