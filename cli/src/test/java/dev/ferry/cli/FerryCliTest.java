package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI in-process: exit codes, output format, and errors that name the input. */
class FerryCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  /** Exit code, stdout and stderr of one run. */
  record Run(int code, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Ferry.commandLine(false);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void helpListsTheCommandsAndUsageErrorsExitWithTwo() {
    Run help = run("--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("quickstart", "train", "eval", "predict", "embed", "bench");
    assertThat(run("--no-such-option").code()).isEqualTo(2);
    assertThat(run("embed").code()).isEqualTo(2);
    assertThat(run("embed", "--device", "tpu", "x").code()).isEqualTo(2);
    assertThat(run("embed", "--input", "a.jsonl", "also text").err()).contains("not both");
  }

  @Test
  void embedPrintsOneUnitVectorPerText() throws IOException {
    Run r = run("embed", "--encoder", "all-minilm-l6-v2-q", "first text", "", "third");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.lines()).hasSize(3);
    for (String line : r.lines()) {
      JsonNode array = JSON.readTree(line);
      assertThat(array.size()).isEqualTo(384);
      double sum = 0;
      for (JsonNode x : array) {
        sum += x.asDouble() * x.asDouble();
      }
      assertThat(Math.sqrt(sum)).isCloseTo(1.0, within(1e-4));
    }
  }

  @Test
  void badLinesPrintNullInPlaceAndAreNamedOnStderr() throws IOException {
    Path input = dir.resolve("mixed.jsonl");
    Files.write(
        input,
        concat(
            "{\"text\": \"good one\"}\n",
            new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFF, '"', '}', '\n'},
            "{\"body\": \"no text\"}\n",
            "{\"text\": \"good two\"}\n"));
    Run r = run("embed", "--encoder", "all-minilm-l6-v2-q", "--input", input.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.lines()).hasSize(4);
    assertThat(r.lines().get(0)).startsWith("[");
    assertThat(r.lines().get(1)).isEqualTo("null");
    assertThat(r.lines().get(2)).isEqualTo("null");
    assertThat(r.lines().get(3)).startsWith("[");
    assertThat(r.err())
        .contains(input + ":2: not valid UTF-8")
        .contains(input + ":3: expected a string field \"text\"")
        .contains("embedded 2 texts; 2 lines");
    // The same texts given as arguments give the same vectors: nothing shifted.
    Run direct = run("embed", "--encoder", "all-minilm-l6-v2-q", "good one", "good two");
    assertThat(direct.lines()).containsExactly(r.lines().get(0), r.lines().get(3));
  }

  @Test
  void missingInputFileIsAFailureNamingTheFile() {
    Run r = run("embed", "--input", dir.resolve("nope.jsonl").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("no such file").contains("nope.jsonl");
  }

  private static byte[] concat(Object... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Object p : parts) {
      out.writeBytes(p instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) p);
    }
    return out.toByteArray();
  }
}
