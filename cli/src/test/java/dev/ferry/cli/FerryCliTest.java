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

  /** The help of {@code ferry ARGS... --help} at a width of {@code width} columns. */
  static String help(int width, String... command) {
    StringWriter out = new StringWriter();
    CommandLine cli = Ferry.commandLine(false);
    CommandLine sub = cli;
    for (String name : command) {
      sub = sub.getSubcommands().get(name);
    }
    sub.setUsageHelpAutoWidth(false);
    sub.setUsageHelpWidth(width);
    sub.usage(new PrintWriter(out, true));
    return out.toString();
  }

  @Test
  void everyCommandShowsExamplesOneALineAsWritten() {
    CommandLine cli = Ferry.commandLine(false);
    for (String name : cli.getSubcommands().keySet()) {
      if (name.equals("help")) {
        continue;
      }
      String help = help(60, name);
      assertThat(help).as(name).contains("Examples:");
      List<String> examples =
          help.substring(help.indexOf("Examples:"))
              .lines()
              .skip(1)
              .takeWhile(l -> !l.isBlank())
              .toList();
      assertThat(examples).as(name).isNotEmpty();
      // Never wrapped, even where longer than the width.
      assertThat(examples)
          .as(name)
          .allMatch(l -> l.startsWith("  ferry ") || l.startsWith("  cut "));
    }
  }

  @Test
  void helpBreaksLinesAtSpacesOnlyNeverInsideAFileNameOrAnOption() {
    CommandLine cli = Ferry.commandLine(false);
    for (String name : cli.getSubcommands().keySet()) {
      // From 80 columns on, the description column is wider than any word in it.
      for (int width : new int[] {80, 100, 120}) {
        String help = help(width, name);
        List<String> lines = help.lines().toList();
        for (int i = 0; i + 1 < lines.size(); i++) {
          String line = lines.get(i);
          String next = lines.get(i + 1).stripLeading();
          // picocli used to break after a dot or a hyphen: "manifest." / "json", "--chunk-" /
          // "tokens".
          assertThat(line.endsWith(".") && !next.isEmpty() && Character.isLowerCase(next.charAt(0)))
              .as(name + " at " + width + ": " + line + " / " + next)
              .isFalse();
          assertThat(line.endsWith("-") && !line.endsWith(" -") && !line.endsWith("--"))
              .as(name + " at " + width + ": " + line)
              .isFalse();
        }
      }
    }
    assertThat(help(80, "train")).contains("manifest.json,", "report/index.html.");
  }

  @Test
  void trainGroupsItsOptionsUnderHeadings() {
    String help = help(100, "train");
    List<String> headings =
        List.of(
            "Data:",
            "Head and training:",
            "Fine-tuning (--mode finetune, lora or contrastive):",
            "LoRA (--mode lora):",
            "Encoder and long texts:",
            "Runtime:",
            "Other:");
    int at = -1;
    for (String heading : headings) {
      int next = help.indexOf("\n" + heading + "\n");
      assertThat(next).as(heading).isGreaterThan(at);
      at = next;
    }
    // Each option once, under its heading (the synopsis above names them too).
    assertThat(help.indexOf("      --rank=R")).isGreaterThan(help.indexOf("LoRA (--mode lora):"));
    assertThat(help.indexOf("      --quantize="))
        .isGreaterThan(help.indexOf("Fine-tuning (--mode finetune, lora or contrastive):"))
        .isLessThan(help.indexOf("LoRA (--mode lora):"));
    assertThat(help.indexOf("      --batch-size=N")).isGreaterThan(help.indexOf("Runtime:"));
    assertThat(help.split("      --examples-per-step=N", -1)).hasSize(2);
  }

  @Test
  void aProgressBarShowsDoneTotalAndRateAndClearsItsLineOnlyOnATerminal() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.PrintStream err = new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (Progress p = new Progress(err, true, "texts embedded", 200, Progress.Unit.COUNT)) {
      p.moveTo(50);
      Thread.sleep(600);
      p.moveTo(120);
      Thread.sleep(600);
    }
    String drawn = bytes.toString(StandardCharsets.UTF_8);
    assertThat(drawn).contains("texts embedded", "120/200", "/s");
    // Redrawn with carriage returns, never a new line (no blank line left behind), and cleared
    // when closed: the last thing drawn is a carriage return after spaces.
    assertThat(drawn).doesNotContain("\n").endsWith("\r");
    String cleared = drawn.substring(drawn.lastIndexOf('\r', drawn.length() - 2) + 1);
    assertThat(cleared).isBlank();

    java.io.ByteArrayOutputStream none = new java.io.ByteArrayOutputStream();
    try (Progress p =
        new Progress(new java.io.PrintStream(none), false, "texts", 10, Progress.Unit.COUNT)) {
      p.moveTo(5);
    }
    assertThat(none.size()).isZero();
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
