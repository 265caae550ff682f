package dev.ferry.models.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlReaderTest {
  @TempDir Path dir;

  private static List<JsonlLine> readAll(byte[] bytes) throws IOException {
    List<JsonlLine> out = new ArrayList<>();
    try (JsonlReader reader = JsonlReader.of(new ByteArrayInputStream(bytes), "in.jsonl", "text")) {
      reader.forEach(out::add);
    }
    return out;
  }

  private static byte[] concat(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object p : parts) {
      byte[] b = p instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) p;
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  @Test
  void badLinesAreReportedAndTheGoodOnesAroundThemKept() throws IOException {
    byte[] input =
        concat(
            "{\"text\": \"first\", \"label\": \"a\"}\n",
            "{\"text\": \"caf",
            new byte[] {(byte) 0xE9},
            "\"}\n", // Latin-1 é: not UTF-8
            "{\"text\": \"third\"\n", // unterminated object
            "\n   \n", // blank lines: skipped
            "[\"not\", \"an object\"]\n",
            "{\"body\": \"wrong field\"}\n",
            "{\"text\": 42}\n",
            "{\"text\": \"last, no newline\"}");
    List<JsonlLine> lines = readAll(input);
    assertThat(lines).hasSize(7);
    assertThat(lines.get(0))
        .isEqualTo(
            new TextRecord(
                1,
                "first",
                (com.fasterxml.jackson.databind.node.ObjectNode)
                    ((TextRecord) lines.get(0)).fields()));
    assertThat(((TextRecord) lines.get(0)).fields().get("label").asText()).isEqualTo("a");
    assertThat(((BadLine) lines.get(1)).message())
        .isEqualTo(
            "in.jsonl:2: not valid UTF-8 (byte 0xE9 at byte column 14); save the file as UTF-8");
    assertThat(((BadLine) lines.get(2)).message()).startsWith("in.jsonl:3: invalid JSON");
    assertThat(((BadLine) lines.get(3)).message())
        .isEqualTo(
            "in.jsonl:6: expected a JSON object with a string field \"text\", found an array");
    assertThat(((BadLine) lines.get(4)).message())
        .isEqualTo("in.jsonl:7: expected a string field \"text\", found fields [body]");
    assertThat(((BadLine) lines.get(5)).message())
        .isEqualTo("in.jsonl:8: expected a string field \"text\", found a number");
    assertThat(lines.get(6))
        .isInstanceOfSatisfying(
            TextRecord.class,
            r -> {
              assertThat(r.lineNumber()).isEqualTo(9);
              assertThat(r.text()).isEqualTo("last, no newline");
            });
  }

  @Test
  void bomCrlfEscapesAndControlCharactersAreFine() throws IOException {
    byte[] input =
        concat(
            new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
            "{\"text\": \"windows\"}\r\n",
            "{\"text\": \"nul \\u0000 and \\ud83d\\ude42\"}\r\n");
    List<JsonlLine> lines = readAll(input);
    assertThat(lines)
        .extracting(l -> ((TextRecord) l).text())
        .containsExactly("windows", "nul \u0000 and \uD83D\uDE42");
  }

  @Test
  void gzipFilesAreReadByName() throws IOException {
    Path file = dir.resolve("docs.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write("{\"text\": \"zipped\"}\n".getBytes(StandardCharsets.UTF_8));
    }
    try (JsonlReader reader = JsonlReader.open(file)) {
      JsonlLine line = reader.next();
      assertThat(((TextRecord) line).text()).isEqualTo("zipped");
      assertThat(reader.next()).isNull();
    }
  }

  @Test
  void truncatedGzipKeepsEveryLineBeforeTheBreakAndSaysWhere() throws IOException {
    Path full = dir.resolve("full.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(full))) {
      for (int i = 0; i < 2000; i++) {
        out.write(
            ("{\"text\": \"record " + i + " " + "x".repeat(i % 50) + "\"}\n")
                .getBytes(StandardCharsets.UTF_8));
      }
    }
    byte[] bytes = Files.readAllBytes(full);
    Path truncated =
        Files.write(
            dir.resolve("truncated.jsonl.gz"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
    List<JsonlLine> lines = new ArrayList<>();
    try (JsonlReader reader = JsonlReader.open(truncated)) {
      reader.forEach(lines::add);
    }
    JsonlLine last = lines.get(lines.size() - 1);
    assertThat(last).isInstanceOf(BadLine.class);
    assertThat(((BadLine) last).message())
        .contains("truncated.jsonl.gz:" + last.lineNumber())
        .contains("cannot be read past this point");
    assertThat(lines.subList(0, lines.size() - 1))
        .hasSizeGreaterThan(100)
        .allMatch(l -> l instanceof TextRecord);
    assertThat(((TextRecord) lines.get(100)).text()).startsWith("record 100 ");
  }

  @Test
  void aDirectoryIsNamedAsSuch() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> JsonlReader.open(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(dir + ": is a directory");
  }

  @Test
  void anotherTextFieldCanBeNamed() throws IOException {
    try (JsonlReader reader =
        JsonlReader.of(
            new ByteArrayInputStream("{\"body\": \"here\"}\n".getBytes(StandardCharsets.UTF_8)),
            "x",
            "body")) {
      assertThat(((TextRecord) reader.next()).text()).isEqualTo("here");
    }
  }

  @Test
  void sharedDataSetsReadWithoutProblems() throws IOException {
    Path data = Path.of(System.getProperty("ferry.shared.data", "../shared/data"));
    Path reuters = data.resolve("reuters-grain-test.jsonl.gz");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(reuters), "no ../shared/data here");
    int records = 0;
    try (JsonlReader reader = JsonlReader.open(reuters)) {
      for (JsonlLine line : reader) {
        assertThat(line).isInstanceOf(TextRecord.class);
        records++;
      }
    }
    assertThat(records).isEqualTo(604);
  }
}
