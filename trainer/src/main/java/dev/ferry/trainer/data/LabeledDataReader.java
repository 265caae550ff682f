package dev.ferry.trainer.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.ferry.models.data.BadLine;
import dev.ferry.models.data.JsonlLine;
import dev.ferry.models.data.JsonlReader;
import dev.ferry.models.data.TextRecord;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads labeled examples from JSONL, CSV or TSV, each optionally gzip-compressed.
 *
 * <p>The format comes from the file name, ignoring case and a trailing {@code .gz}:
 *
 * <ul>
 *   <li>{@code .jsonl}, {@code .ndjson}, {@code .json}: one JSON object per line (see {@link
 *       JsonlReader}); the label may be a string, a number or a boolean ({@code 0}/{@code 1} labels
 *       become {@code "0"}/{@code "1"});
 *   <li>{@code .csv}: comma-separated with a header row naming the columns;
 *   <li>{@code .tsv}: tab-separated with a header row.
 * </ul>
 *
 * CSV and TSV fields may be quoted ({@code "..."}, a quote inside doubled), and a quoted field may
 * span lines. Every row is located by the physical line where it starts, the header being line 1.
 * Text, label and id columns or fields are named in {@link Options}; the id is optional.
 *
 * <p>A row is bad when it is not valid UTF-8 or JSON, its text is missing, not a string or blank,
 * its label is missing, null, blank, an object or an array, its id is an object or an array, or (in
 * CSV and TSV) it has another number of columns than the header. By default every bad row is
 * collected and a {@link BadDataException} lists them after the whole file was read; with {@link
 * Options#skipBad()} they are logged, skipped and returned in {@link LabeledData#badRows()}.
 */
public final class LabeledDataReader {
  private static final Logger log = LoggerFactory.getLogger(LabeledDataReader.class);

  /** Skipped rows logged one by one; the rest are only counted. */
  static final int LOGGED = 20;

  private static final CsvMapper CSV = new CsvMapper();

  private LabeledDataReader() {}

  /**
   * Which fields (JSONL) or columns (CSV, TSV) hold what, and what to do with bad rows.
   *
   * @param textField field or column holding the text
   * @param labelField field or column holding the label
   * @param idField field or column holding an id; null, or absent from the file, means no ids
   * @param skipBad skip bad rows (logging them) instead of failing with {@link BadDataException}
   */
  public record Options(String textField, String labelField, String idField, boolean skipBad) {
    /** Checks that the text and label fields are named. */
    public Options {
      requireName(textField, "textField");
      requireName(labelField, "labelField");
      if (textField.equals(labelField)) {
        throw new IllegalArgumentException(
            "text and label must come from different fields, both are '" + textField + "'");
      }
    }

    /** Fields {@code text}, {@code label} and {@code id}; bad rows fail the read. */
    public static Options defaults() {
      return new Options("text", "label", "id", false);
    }

    /** A copy reading the text from another field or column. */
    public Options withTextField(String value) {
      return new Options(value, labelField, idField, skipBad);
    }

    /** A copy reading the label from another field or column. */
    public Options withLabelField(String value) {
      return new Options(textField, value, idField, skipBad);
    }

    /** A copy reading the id from another field or column (null for none). */
    public Options withIdField(String value) {
      return new Options(textField, labelField, value, skipBad);
    }

    /** A copy that skips bad rows ({@code true}) or fails on them ({@code false}). */
    public Options withSkipBad(boolean value) {
      return new Options(textField, labelField, idField, value);
    }

    private static void requireName(String name, String what) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException(what + " must name a field, was '" + name + "'");
      }
    }
  }

  /** The file formats, by extension. */
  enum Format {
    JSONL,
    CSV,
    TSV;

    static Format of(Path file) throws IOException {
      Path fileName = file.getFileName();
      String name = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
      if (name.endsWith(".gz")) {
        name = name.substring(0, name.length() - 3);
      }
      if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
        return JSONL;
      }
      if (name.endsWith(".csv")) {
        return CSV;
      }
      if (name.endsWith(".tsv")) {
        return TSV;
      }
      throw new IOException(
          file
              + ": unknown data file type; expected a name ending in .jsonl,"
              + " .ndjson, .json (one JSON object per line), .csv or .tsv (with a header row),"
              + " each optionally followed by .gz");
    }
  }

  /**
   * Reads every row of {@code file}.
   *
   * @throws BadDataException if there are bad rows and {@code options.skipBad()} is false
   * @throws IOException if the file cannot be read, has an unknown extension, lacks the text or
   *     label column, is malformed beyond a single row (a CSV quote that never closes), or has no
   *     good rows
   */
  public static LabeledData read(Path file, Options options) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(options, "options");
    Format format = Format.of(file);
    Rows rows = new Rows(file.toString(), options);
    switch (format) {
      case JSONL -> readJsonl(file, rows);
      case CSV -> readDelimited(file, ',', "CSV", rows);
      case TSV -> readDelimited(file, '\t', "TSV", rows);
    }
    return rows.finish(file, format);
  }

  private static InputStream open(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IOException(file + ": is a directory; expected a data file");
    }
    InputStream raw;
    try {
      raw = Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new IOException(file + ": no such file", e);
    }
    if (!file.toString().toLowerCase(Locale.ROOT).endsWith(".gz")) {
      return new BufferedInputStream(raw, 1 << 16);
    }
    try {
      return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
    } catch (IOException e) {
      raw.close();
      throw new IOException(file + ": not a gzip file (" + e.getMessage() + ")", e);
    }
  }

  // ---------------------------------------------------------------- JSONL

  private static void readJsonl(Path file, Rows rows) throws IOException {
    Options o = rows.options;
    try (JsonlReader reader = JsonlReader.of(open(file), file.toString(), o.textField())) {
      for (JsonlLine line = reader.next(); line != null; line = reader.next()) {
        switch (line) {
          case BadLine bad -> rows.bad(bad.lineNumber(), bad.problem());
          case TextRecord record -> readRecord(record, rows);
        }
      }
    }
  }

  private static void readRecord(TextRecord record, Rows rows) {
    Options o = rows.options;
    int line = record.lineNumber();
    if (record.text().isBlank()) {
      rows.bad(
          line,
          "text field \""
              + o.textField()
              + "\" is "
              + emptyOrBlank(record.text())
              + "; expected the text to classify");
      return;
    }
    JsonNode label = record.fields().get(o.labelField());
    String problem = null;
    if (label == null) {
      problem = "no label field \"" + o.labelField() + "\"; found fields " + fieldNames(record);
    } else if (label.isNull() || label.isContainerNode()) {
      problem =
          "label field \""
              + o.labelField()
              + "\" is "
              + kind(label)
              + "; expected a string, number or boolean";
    } else if (label.isTextual() && label.textValue().isBlank()) {
      problem =
          "label field \""
              + o.labelField()
              + "\" is "
              + emptyOrBlank(label.textValue())
              + "; expected a class name";
    }
    if (problem != null) {
      rows.bad(line, problem);
      return;
    }
    JsonNode id = o.idField() == null ? null : record.fields().get(o.idField());
    if (id != null && id.isContainerNode()) {
      rows.bad(
          line,
          "id field \"" + o.idField() + "\" is " + kind(id) + "; expected a string or number");
      return;
    }
    rows.good(
        id == null || id.isNull() ? null : id.asText(), record.text(), label.asText().trim(), line);
  }

  private static String fieldNames(TextRecord record) {
    List<String> names = new ArrayList<>();
    record.fields().fieldNames().forEachRemaining(names::add);
    return names.toString();
  }

  private static String kind(JsonNode node) {
    return node.isArray()
        ? "an array"
        : node.isObject()
            ? "an object"
            : node.isNull() ? "null" : node.getNodeType().toString().toLowerCase(Locale.ROOT);
  }

  private static String emptyOrBlank(String s) {
    return s.isEmpty() ? "empty" : "blank";
  }

  // ---------------------------------------------------------------- CSV and TSV

  /** One CSV row as parsed: its cells, starting line and starting character offset. */
  private record RawRow(List<String> cells, int line, long offset) {}

  private static void readDelimited(Path file, char separator, String kind, Rows rows)
      throws IOException {
    List<RawRow> raw = new ArrayList<>();
    Utf8Reader reader = new Utf8Reader(open(file));
    String fatal = null;
    int fatalLine = 0;
    try (reader;
        CsvParser parser = CSV.getFactory().createParser(reader)) {
      parser.setSchema(CsvSchema.emptySchema().withColumnSeparator(separator));
      try {
        parseRows(parser, raw);
      } catch (JsonProcessingException e) {
        fatalLine = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
        fatal = e.getOriginalMessage().replace('\n', ' ');
      }
    }
    if (reader.failure() != null) {
      // The stream broke (truncated gzip): the last row read may be cut short, so it is dropped.
      int line = raw.isEmpty() ? Math.max(1, fatalLine) : raw.remove(raw.size() - 1).line();
      if (raw.isEmpty()) {
        throw new IOException(
            file
                + ":"
                + line
                + ": the file cannot be read ("
                + reader.failure().getMessage()
                + "); is it truncated?",
            reader.failure());
      }
      processRows(file, kind, raw, reader, rows);
      rows.bad(
          line,
          "the file cannot be read past this point ("
              + reader.failure().getMessage()
              + "); is it truncated? Rows before it were read");
      return;
    }
    if (fatal != null) {
      throw new IOException(
          file
              + ":"
              + fatalLine
              + ": malformed "
              + kind
              + " ("
              + fatal
              + "); a field that contains the separator, a quote or a line break must be quoted"
              + " (\"...\"), with quotes inside it doubled (\"\")");
    }
    processRows(file, kind, raw, reader, rows);
  }

  private static void parseRows(CsvParser parser, List<RawRow> out) throws IOException {
    List<String> cells = null;
    int line = 0;
    long offset = 0;
    for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
      switch (token) {
        case START_ARRAY -> cells = new ArrayList<>();
        case END_ARRAY -> {
          if (cells != null && !cells.isEmpty()) {
            out.add(new RawRow(cells, line, offset));
          }
          cells = null;
        }
        default -> {
          if (cells != null) {
            if (cells.isEmpty()) {
              line = parser.currentTokenLocation().getLineNr();
              offset = parser.currentTokenLocation().getCharOffset();
            }
            cells.add(parser.getText());
          }
        }
      }
    }
  }

  private static void processRows(
      Path file, String kind, List<RawRow> raw, Utf8Reader reader, Rows rows) throws IOException {
    if (raw.isEmpty()) {
      throw new IOException(
          file
              + ": the file is empty; expected a header row naming the columns \""
              + rows.options.textField()
              + "\" and \""
              + rows.options.labelField()
              + "\", then one row per example");
    }
    Options o = rows.options;
    List<String> header = raw.get(0).cells().stream().map(String::trim).toList();
    int text = columnIndex(file, kind, header, o.textField(), "text");
    int label = columnIndex(file, kind, header, o.labelField(), "label");
    int id = o.idField() == null ? -1 : header.indexOf(o.idField());
    for (int r = 1; r < raw.size(); r++) {
      RawRow row = raw.get(r);
      List<String> cells = row.cells();
      if (cells.size() == 1 && cells.get(0).isBlank() && header.size() > 1) {
        continue; // a blank line
      }
      long end = r + 1 < raw.size() ? raw.get(r + 1).offset() : Long.MAX_VALUE;
      Utf8Reader.Malformed bad = reader.malformedIn(row.offset(), end);
      if (bad != null) {
        rows.bad(
            row.line(),
            String.format(
                Locale.ROOT,
                "not valid UTF-8 (byte 0x%02X%s); save the file as UTF-8",
                bad.firstByte(),
                bad.line() == row.line() ? "" : " on line " + bad.line()));
      } else if (cells.size() != header.size()) {
        rows.bad(
            row.line(),
            "expected " + header.size() + " columns as in the header, found " + cells.size());
      } else if (cells.get(text).isBlank()) {
        rows.bad(
            row.line(),
            "text column \""
                + o.textField()
                + "\" is "
                + emptyOrBlank(cells.get(text))
                + "; expected the text to classify");
      } else if (cells.get(label).isBlank()) {
        rows.bad(
            row.line(),
            "label column \""
                + o.labelField()
                + "\" is "
                + emptyOrBlank(cells.get(label))
                + "; expected a class name");
      } else {
        String rowId = id < 0 || cells.get(id).isEmpty() ? null : cells.get(id);
        rows.good(rowId, cells.get(text), cells.get(label).trim(), row.line());
      }
    }
  }

  private static int columnIndex(
      Path file, String kind, List<String> header, String name, String role) throws IOException {
    int index = header.indexOf(name);
    if (index < 0) {
      throw new IOException(
          file
              + ":1: no "
              + role
              + " column \""
              + name
              + "\" in the "
              + kind
              + " header; found columns "
              + header
              + "; expected a column named \""
              + name
              + "\"");
    }
    return index;
  }

  // ---------------------------------------------------------------- collecting

  /** Good rows and problems as they are found. */
  private static final class Rows {
    final String source;
    final Options options;
    final List<LabeledExample> examples = new ArrayList<>();
    final List<String> problems = new ArrayList<>();

    Rows(String source, Options options) {
      this.source = source;
      this.options = options;
    }

    void good(String id, String text, String label, int line) {
      examples.add(new LabeledExample(id, text, label, source, line));
    }

    void bad(int line, String problem) {
      problems.add(source + ":" + line + ": " + problem);
    }

    LabeledData finish(Path file, Format format) throws IOException {
      if (!problems.isEmpty() && !options.skipBad()) {
        throw new BadDataException(source, problems);
      }
      if (examples.isEmpty()) {
        if (problems.isEmpty()) {
          throw new IOException(
              source
                  + ": no examples; the file "
                  + (format == Format.JSONL ? "is empty" : "has a header but no rows"));
        }
        throw new IOException(
            source
                + ": no good rows; all "
                + problems.size()
                + " rows are bad, the first: "
                + problems.get(0));
      }
      if (!problems.isEmpty()) {
        problems.stream().limit(LOGGED).forEach(p -> log.warn("Skipped {}", p));
        log.warn(
            "Skipped {} bad {} of {} in {}{}",
            problems.size(),
            problems.size() == 1 ? "row" : "rows",
            problems.size() + examples.size(),
            source,
            problems.size() > LOGGED ? " (the first " + LOGGED + " are shown above)" : "");
      }
      return new LabeledData(file, examples, problems);
    }
  }
}
