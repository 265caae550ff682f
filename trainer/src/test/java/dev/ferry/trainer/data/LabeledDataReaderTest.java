package dev.ferry.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ferry.trainer.data.LabeledDataReader.Options;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabeledDataReaderTest {
  private static final Options DEFAULTS = Options.defaults();
  private static final Options SKIP = Options.defaults().withSkipBad(true);

  @TempDir Path dir;

  private Path write(String name, Object... parts) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (Object p : parts) {
      bytes.writeBytes(p instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) p);
    }
    Path file = dir.resolve(name);
    if (name.toLowerCase().endsWith(".gz")) {
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
        out.write(bytes.toByteArray());
      }
    } else {
      Files.write(file, bytes.toByteArray());
    }
    return file;
  }

  private static List<String> labels(LabeledData data) {
    return data.examples().stream().map(LabeledExample::label).toList();
  }

  private static List<Integer> lines(LabeledData data) {
    return data.examples().stream().map(LabeledExample::lineNumber).toList();
  }

  // ---------------------------------------------------------------- formats

  @Test
  void jsonlGivesIdTextLabelSourceAndLine() throws IOException {
    Path file =
        write(
            "train.jsonl",
            "{\"id\": \"a1\", \"text\": \"good film\", \"label\": \"pos\", \"extra\": 1}\n",
            "\n",
            "{\"text\": \"bad film\", \"label\": \" neg \"}\n",
            "{\"id\": 7, \"text\": \"so-so\", \"label\": \"pos\"}");
    LabeledData data = LabeledDataReader.read(file, DEFAULTS);
    assertThat(data.source()).isEqualTo(file);
    assertThat(data.badRows()).isEmpty();
    assertThat(data.examples())
        .containsExactly(
            new LabeledExample("a1", "good film", "pos", file.toString(), 1),
            new LabeledExample(null, "bad film", "neg", file.toString(), 3),
            new LabeledExample("7", "so-so", "pos", file.toString(), 4));
    assertThat(data.examples().get(1).location()).isEqualTo(file + ":3");
  }

  @Test
  void otherFieldNamesAndNdjsonAndJsonExtensionsWork() throws IOException {
    Options options = DEFAULTS.withTextField("body").withLabelField("category").withIdField("key");
    for (String name : List.of("a.ndjson", "b.json", "c.JSONL")) {
      Path file =
          write(name, "{\"key\": \"k\", \"body\": \"hello\", \"category\": \"greeting\"}\n");
      assertThat(LabeledDataReader.read(file, options).examples())
          .containsExactly(new LabeledExample("k", "hello", "greeting", file.toString(), 1));
    }
  }

  @Test
  void numericAndBooleanLabelsBecomeStrings() throws IOException {
    Path file =
        write(
            "nums.jsonl",
            "{\"text\": \"a\", \"label\": 0}\n",
            "{\"text\": \"b\", \"label\": 1}\n",
            "{\"text\": \"c\", \"label\": true}\n",
            "{\"text\": \"d\", \"label\": 2.5}\n");
    assertThat(labels(LabeledDataReader.read(file, DEFAULTS)))
        .containsExactly("0", "1", "true", "2.5");
  }

  @Test
  void csvWithQuotedMultiLineFieldKeepsPhysicalLineNumbers() throws IOException {
    Path file =
        write(
            "data.csv",
            "id,text,label\r\n",
            "1,plain text,a\r\n",
            "2,\"spans\nthree\r\nlines, with a comma and \"\"quotes\"\"\",b\n",
            "\n",
            "3,after the quoted one,a\n",
            "4,\"last, without newline\",c");
    LabeledData data = LabeledDataReader.read(file, DEFAULTS);
    assertThat(data.examples()).extracting(LabeledExample::id).containsExactly("1", "2", "3", "4");
    assertThat(data.examples().get(1).text())
        .isEqualTo("spans\nthree\r\nlines, with a comma and \"quotes\"");
    assertThat(lines(data)).containsExactly(2, 3, 7, 8);
    assertThat(labels(data)).containsExactly("a", "b", "a", "c");
  }

  @Test
  void csvLineNumbersAfterAQuotedFieldAppearInMessages() throws IOException {
    Path file = write("bad.csv", "text,label\n", "\"one\ntwo\",a\n", "three,\n");
    BadDataException e =
        catchThrowableOfType(BadDataException.class, () -> LabeledDataReader.read(file, DEFAULTS));
    assertThat(e.problems())
        .containsExactly(file + ":4: label column \"label\" is empty; expected a class name");
  }

  @Test
  void tsvWithBomAndWithoutIdColumn() throws IOException {
    Path file =
        write(
            "data.tsv",
            new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
            "label\ttext\n",
            "spam\tWin a prize, now!\n",
            "ham\t\"quoted\ttab\"\n",
            "ham\tsee you at 5\" sharp\n");
    LabeledData data = LabeledDataReader.read(file, DEFAULTS);
    assertThat(data.examples())
        .containsExactly(
            new LabeledExample(null, "Win a prize, now!", "spam", file.toString(), 2),
            new LabeledExample(null, "quoted\ttab", "ham", file.toString(), 3),
            new LabeledExample(null, "see you at 5\" sharp", "ham", file.toString(), 4));
  }

  @Test
  void gzipIsReadForEveryFormatWhateverTheCase() throws IOException {
    Path jsonl = write("a.jsonl.gz", "{\"text\": \"zipped\", \"label\": \"x\"}\n");
    Path csv = write("b.CSV.GZ", "text,label\nzipped,y\n");
    Path tsv = write("c.tsv.gz", "text\tlabel\nzipped\tz\n");
    assertThat(labels(LabeledDataReader.read(jsonl, DEFAULTS))).containsExactly("x");
    assertThat(labels(LabeledDataReader.read(csv, DEFAULTS))).containsExactly("y");
    assertThat(labels(LabeledDataReader.read(tsv, DEFAULTS))).containsExactly("z");
  }

  @Test
  void aGzNameThatIsNotGzipSaysSo() throws IOException {
    Path file = write("plain.jsonl", "{\"text\": \"a\", \"label\": \"b\"}\n");
    Path renamed = Files.move(file, dir.resolve("plain.jsonl.gz"));
    assertThatThrownBy(() -> LabeledDataReader.read(renamed, DEFAULTS))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(renamed + ": not a gzip file");
  }

  @Test
  void truncatedGzipCsvKeepsTheRowsBeforeTheBreak() throws IOException {
    StringBuilder csv = new StringBuilder("text,label\n");
    for (int i = 0; i < 5000; i++) {
      csv.append("row number ")
          .append(i)
          .append(" ")
          .append("x".repeat(i % 40))
          .append(",l")
          .append(i % 3)
          .append('\n');
    }
    byte[] full = Files.readAllBytes(write("full.csv.gz", csv.toString()));
    Path cut = Files.write(dir.resolve("cut.csv.gz"), Arrays.copyOf(full, full.length / 2));
    LabeledData data = LabeledDataReader.read(cut, SKIP);
    assertThat(data.examples()).hasSizeGreaterThan(100);
    for (int i = 0; i < data.examples().size(); i++) {
      assertThat(data.examples().get(i).text()).startsWith("row number " + i + " ");
      assertThat(data.examples().get(i).lineNumber()).isEqualTo(i + 2);
    }
    assertThat(data.badRows())
        .singleElement()
        .asString()
        .startsWith(
            cut + ":" + (data.examples().size() + 2) + ": the file cannot be read past this point");
  }

  // ---------------------------------------------------------------- bad rows

  @Test
  void everyKindOfBadJsonlRowHasItsExactMessage() throws IOException {
    Path file =
        write(
            "bad.jsonl",
            "{\"text\": \"fine\", \"label\": \"a\"}\n", // 1
            "{\"text\": \"caf",
            new byte[] {(byte) 0xE9},
            "\", \"label\": \"a\"}\n", // 2
            "{\"text\": \"unterminated\"\n", // 3
            "{\"label\": \"a\"}\n", // 4
            "{\"text\": null, \"label\": \"a\"}\n", // 5
            "{\"text\": 12, \"label\": \"a\"}\n", // 6
            "{\"text\": \"no label\"}\n", // 7
            "{\"text\": \"null label\", \"label\": null}\n", // 8
            "{\"text\": \"empty label\", \"label\": \"\"}\n", // 9
            "{\"text\": \"blank label\", \"label\": \"  \"}\n", // 10
            "{\"text\": \"object label\", \"label\": {\"x\": 1}}\n", // 11
            "{\"text\": \"array label\", \"label\": [\"a\", \"b\"]}\n", // 12
            "{\"text\": \"array id\", \"label\": \"a\", \"id\": [1]}\n", // 13
            "{\"text\": \"   \", \"label\": \"a\"}\n", // 14
            "{\"text\": \"also fine\", \"label\": \"b\", \"id\": null}\n"); // 15
    LabeledData data = LabeledDataReader.read(file, SKIP);
    assertThat(data.examples())
        .containsExactly(
            new LabeledExample(null, "fine", "a", file.toString(), 1),
            new LabeledExample(null, "also fine", "b", file.toString(), 15));
    String f = file.toString();
    assertThat(data.badRows())
        .containsExactly(
            f + ":2: not valid UTF-8 (byte 0xE9 at byte column 14); save the file as UTF-8",
            data.badRows().get(1), // invalid JSON: the parser's wording, checked below
            f + ":4: expected a string field \"text\", found fields [label]",
            f + ":5: expected a string field \"text\", found null",
            f + ":6: expected a string field \"text\", found a number",
            f + ":7: no label field \"label\"; found fields [text]",
            f + ":8: label field \"label\" is null; expected a string, number or boolean",
            f + ":9: label field \"label\" is empty; expected a class name",
            f + ":10: label field \"label\" is blank; expected a class name",
            f + ":11: label field \"label\" is an object; expected a string, number or boolean",
            f + ":12: label field \"label\" is an array; expected a string, number or boolean",
            f + ":13: id field \"id\" is an array; expected a string or number",
            f + ":14: text field \"text\" is blank; expected the text to classify");
    assertThat(data.badRows().get(1))
        .startsWith(f + ":3: invalid JSON (")
        .endsWith("; expected one JSON object per line");
  }

  @Test
  void everyKindOfBadCsvRowHasItsExactMessage() throws IOException {
    Path file =
        write(
            "bad.csv",
            "id,text,label\n", // 1
            "1,fine,a\n", // 2
            "2,too,many,columns\n", // 3
            "3,too few\n", // 4
            "4,,a\n", // 5
            "5,no label,\n", // 6
            "6,blank label,\"  \"\n", // 7
            "7,\"caf",
            new byte[] {(byte) 0xE9},
            "\",a\n", // 8
            "8,\"multi\nline caf",
            new byte[] {(byte) 0xE9},
            "\",a\n", // 9-10
            "9,also fine,b\n"); // 11
    LabeledData data = LabeledDataReader.read(file, SKIP);
    String f = file.toString();
    assertThat(data.examples())
        .extracting(LabeledExample::id, LabeledExample::lineNumber)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("1", 2),
            org.assertj.core.groups.Tuple.tuple("9", 11));
    assertThat(data.badRows())
        .containsExactly(
            f + ":3: expected 3 columns as in the header, found 4",
            f + ":4: expected 3 columns as in the header, found 2",
            f + ":5: text column \"text\" is empty; expected the text to classify",
            f + ":6: label column \"label\" is empty; expected a class name",
            f + ":7: label column \"label\" is blank; expected a class name",
            f + ":8: not valid UTF-8 (byte 0xE9); save the file as UTF-8",
            f + ":9: not valid UTF-8 (byte 0xE9 on line 10); save the file as UTF-8");
  }

  @Test
  void skipBadKeepsEveryGoodRowAroundTheBadOnes() throws IOException {
    StringBuilder jsonl = new StringBuilder();
    for (int i = 1; i <= 100; i++) {
      jsonl
          .append(
              i % 7 == 0
                  ? "{\"text\": \"row " + i + "\"}"
                  : "{\"text\": \"row " + i + "\", \"label\": \"l\"}")
          .append('\n');
    }
    LabeledData data = LabeledDataReader.read(write("mixed.jsonl", jsonl.toString()), SKIP);
    assertThat(lines(data)).hasSize(86).doesNotContain(7, 14, 98).contains(1, 6, 8, 99, 100);
    assertThat(data.examples())
        .allSatisfy(e -> assertThat(e.text()).isEqualTo("row " + e.lineNumber()));
    assertThat(data.badRows())
        .hasSize(14)
        .allSatisfy(m -> assertThat(m).contains(": no label field"));
  }

  @Test
  void withoutSkipBadEveryProblemIsListedAfterReadingTheWholeFile() throws IOException {
    StringBuilder jsonl = new StringBuilder();
    for (int i = 1; i <= 30; i++) {
      jsonl
          .append(
              i % 2 == 0
                  ? "{\"text\": \"t\", \"label\": null}"
                  : "{\"text\": \"t\", \"label\": \"a\"}")
          .append('\n');
    }
    Path file = write("many.jsonl", jsonl.toString());
    BadDataException e =
        catchThrowableOfType(BadDataException.class, () -> LabeledDataReader.read(file, DEFAULTS));
    assertThat(e.problems()).hasSize(15);
    String problem = ": label field \"label\" is null; expected a string, number or boolean";
    StringBuilder expected = new StringBuilder(file + ": 15 bad rows\n");
    for (int line = 2; line <= 20; line += 2) {
      expected.append(file).append(':').append(line).append(problem).append('\n');
    }
    expected.append("and 5 more\n" + BadDataException.SKIP_BAD_ADVICE);
    assertThat(e.getMessage()).isEqualTo(expected.toString());
  }

  @Test
  void oneBadRowIsSingular() throws IOException {
    Path file = write("one.csv", "text,label\nok,a\nbad\n");
    assertThatThrownBy(() -> LabeledDataReader.read(file, DEFAULTS))
        .isInstanceOf(BadDataException.class)
        .hasMessage(
            file
                + ": 1 bad row\n"
                + file
                + ":3: expected 2 columns as in the header, found 1\n"
                + BadDataException.SKIP_BAD_ADVICE);
  }

  // ---------------------------------------------------------------- whole-file problems

  @Test
  void unknownExtensionNamesTheSupportedOnes() throws IOException {
    Path file = write("data.txt", "text,label\na,b\n");
    assertThatThrownBy(() -> LabeledDataReader.read(file, DEFAULTS))
        .isInstanceOf(IOException.class)
        .hasMessage(
            file
                + ": unknown data file type; expected a name ending in .jsonl, .ndjson,"
                + " .json (one JSON object per line), .csv or .tsv (with a header row), each"
                + " optionally followed by .gz");
    assertThatThrownBy(() -> LabeledDataReader.read(write("data.gz", "x"), DEFAULTS))
        .hasMessageContaining("unknown data file type");
  }

  @Test
  void missingColumnNamesTheFileTheColumnsFoundAndTheOneExpected() throws IOException {
    Path file = write("cols.csv", "id,body,label\n1,hello,a\n");
    assertThatThrownBy(() -> LabeledDataReader.read(file, DEFAULTS))
        .isInstanceOf(IOException.class)
        .hasMessage(
            file
                + ":1: no text column \"text\" in the CSV header; found columns"
                + " [id, body, label]; expected a column named \"text\"");
    assertThat(labels(LabeledDataReader.read(file, DEFAULTS.withTextField("body"))))
        .containsExactly("a");
    Path tsv = write("cols.tsv", "text\tclass\nhello\ta\n");
    assertThatThrownBy(() -> LabeledDataReader.read(tsv, DEFAULTS))
        .hasMessage(
            tsv
                + ":1: no label column \"label\" in the TSV header; found columns"
                + " [text, class]; expected a column named \"label\"");
  }

  @Test
  void emptyFilesAndFilesWithoutGoodRowsSaySo() throws IOException {
    Path jsonl = write("empty.jsonl", "\n\n");
    assertThatThrownBy(() -> LabeledDataReader.read(jsonl, DEFAULTS))
        .isNotInstanceOf(BadDataException.class)
        .hasMessage(jsonl + ": no examples; the file is empty");
    Path csv = write("empty.csv", "");
    assertThatThrownBy(() -> LabeledDataReader.read(csv, DEFAULTS))
        .hasMessageStartingWith(csv + ": the file is empty; expected a header row");
    Path headerOnly = write("header.csv", "text,label\n");
    assertThatThrownBy(() -> LabeledDataReader.read(headerOnly, DEFAULTS))
        .hasMessage(headerOnly + ": no examples; the file has a header but no rows");
    Path allBad = write("allbad.jsonl", "{\"text\": \"a\"}\n{\"text\": \"b\"}\n");
    assertThatThrownBy(() -> LabeledDataReader.read(allBad, SKIP))
        .isNotInstanceOf(BadDataException.class)
        .hasMessage(
            allBad
                + ": no good rows; all 2 rows are bad, the first: "
                + allBad
                + ":1: no label field \"label\"; found fields [text]");
  }

  @Test
  void malformedCsvQuotingIsFatalAndSaysWhere() throws IOException {
    Path file = write("quotes.csv", "text,label\nok,a\n\"closed\"then more,b\n");
    assertThatThrownBy(() -> LabeledDataReader.read(file, SKIP))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(file + ":3: malformed CSV (")
        .hasMessageContaining("must be quoted");
  }

  @Test
  void missingFilesAndDirectoriesAreNamed() {
    Path missing = dir.resolve("nope.csv");
    assertThatThrownBy(() -> LabeledDataReader.read(missing, DEFAULTS))
        .isInstanceOf(IOException.class)
        .hasMessage(missing + ": no such file");
    Path folder = dir.resolve("folder.jsonl");
    assertThatThrownBy(
            () -> {
              Files.createDirectory(folder);
              LabeledDataReader.read(folder, DEFAULTS);
            })
        .hasMessage(folder + ": is a directory; expected a data file");
  }

  @Test
  void optionsRejectMissingOrCollidingFieldNames() {
    assertThatThrownBy(() -> DEFAULTS.withTextField(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("textField");
    assertThatThrownBy(() -> DEFAULTS.withLabelField("text"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("different fields");
    assertThat(DEFAULTS.withIdField(null).idField()).isNull();
    assertThat(Options.defaults()).isEqualTo(new Options("text", "label", "id", false));
  }

  // ---------------------------------------------------------------- real data

  @Test
  void reutersGrainTrainReadsWithItsPublishedCounts() throws IOException {
    Path file =
        Path.of(System.getProperty("ferry.shared.data", "../shared/data"))
            .resolve("reuters-grain-train.jsonl.gz");
    Assumptions.assumeTrue(Files.exists(file), "no shared data set at " + file);
    LabeledData data = LabeledDataReader.read(file, DEFAULTS);
    assertThat(data.examples()).hasSize(1554);
    assertThat(data.badRows()).isEmpty();
    Map<String, Long> counts =
        data.examples().stream()
            .collect(
                Collectors.groupingBy(LabeledExample::label, TreeMap::new, Collectors.counting()));
    assertThat(counts)
        .containsExactly(
            Map.entry("corn", 45L), Map.entry("grain", 59L), Map.entry("other", 1450L));
    assertThat(DatasetSummary.of(data.examples()).labelCounts())
        .containsExactly(Map.entry("other", 1450), Map.entry("grain", 59), Map.entry("corn", 45));
  }
}
