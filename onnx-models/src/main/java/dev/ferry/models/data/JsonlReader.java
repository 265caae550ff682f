package dev.ferry.models.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.zip.GZIPInputStream;

/**
 * Reads JSONL: one JSON object per line, each with a string field holding the text (by default
 * {@code text}). Files ending in {@code .gz} are decompressed; {@code -} reads standard input.
 *
 * <p>Each line is checked on its own: invalid UTF-8, invalid JSON, or a missing text field gives a
 * {@link BadLine} naming the line and what was expected, and reading goes on, so one bad line never
 * costs the good ones around it. Blank lines are skipped; a UTF-8 byte-order mark and Windows line
 * ends are accepted.
 *
 * <pre>{@code
 * try (JsonlReader in = JsonlReader.open(Path.of("docs.jsonl"))) {
 *   for (JsonlLine line = in.next(); line != null; line = in.next()) {
 *     switch (line) {
 *       case TextRecord r -> use(r.text());
 *       case BadLine bad -> System.err.println(bad.message());
 *     }
 *   }
 * }
 * }</pre>
 */
public final class JsonlReader implements AutoCloseable, Iterable<JsonlLine> {
  /** Lines longer than this are reported and skipped rather than read into memory. */
  public static final int MAX_LINE_BYTES = 64 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final InputStream in;
  private final String source;
  private final String textField;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
  private int lineNumber;
  private boolean eof;

  private JsonlReader(InputStream in, String source, String textField) {
    this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16);
    this.source = source;
    this.textField = textField;
  }

  /**
   * Opens a file (gzip if its name ends in {@code .gz}; {@code -} for stdin), field {@code text}.
   */
  public static JsonlReader open(Path file) throws IOException {
    return open(file, "text");
  }

  /** Opens a file and reads the text from {@code textField}. */
  public static JsonlReader open(Path file, String textField) throws IOException {
    if (file.toString().equals("-")) {
      return of(System.in, "<stdin>", textField);
    }
    if (Files.isDirectory(file)) {
      throw new IOException(file + ": is a directory; expected a JSONL file");
    }
    InputStream raw = Files.newInputStream(file);
    try {
      InputStream in =
          file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
      return new JsonlReader(in, file.toString(), textField);
    } catch (IOException e) {
      raw.close();
      throw new IOException(file + ": not a gzip file (" + e.getMessage() + ")", e);
    }
  }

  /** Reads from a stream; {@code source} names it in messages. */
  public static JsonlReader of(InputStream in, String source, String textField) {
    return new JsonlReader(in, source, textField);
  }

  /** The name used in messages. */
  public String source() {
    return source;
  }

  /**
   * The next non-blank line as a record or a problem, or null at the end. A stream that fails part
   * way (a truncated gzip file, say) gives one last {@link BadLine} saying so; every line before it
   * has been returned.
   *
   * @throws IOException never for a failing stream; declared for subclasses of the contract
   */
  public JsonlLine next() throws IOException {
    while (!eof) {
      boolean tooLong;
      try {
        tooLong = readLine();
      } catch (IOException e) {
        eof = true;
        lineNumber++;
        return new BadLine(
            source,
            lineNumber,
            "the file cannot be read past this point ("
                + e.getMessage()
                + "); is it truncated? Lines before it were read");
      }
      lineNumber++;
      if (tooLong) {
        return new BadLine(
            source, lineNumber, "line longer than " + (MAX_LINE_BYTES >> 20) + " MiB; skipped");
      }
      byte[] bytes = line.toByteArray();
      int start = lineNumber == 1 && startsWithBom(bytes) ? 3 : 0;
      int end = bytes.length;
      if (end > start && bytes[end - 1] == '\r') {
        end--;
      }
      if (isBlank(bytes, start, end)) {
        continue;
      }
      return parse(bytes, start, end);
    }
    return null;
  }

  private JsonlLine parse(byte[] bytes, int start, int end) {
    String text;
    try {
      text = decoder().decode(ByteBuffer.wrap(bytes, start, end - start)).toString();
    } catch (CharacterCodingException e) {
      return new BadLine(source, lineNumber, invalidUtf8(bytes, start, end));
    }
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return new BadLine(
          source,
          lineNumber,
          "invalid JSON ("
              + e.getOriginalMessage()
              + " at column "
              + e.getLocation().getColumnNr()
              + "); expected one JSON object per line");
    }
    if (!(node instanceof ObjectNode object)) {
      return new BadLine(
          source,
          lineNumber,
          "expected a JSON object with a string field \"" + textField + "\", found " + kind(node));
    }
    JsonNode value = object.get(textField);
    if (value == null || !value.isTextual()) {
      return new BadLine(
          source,
          lineNumber,
          "expected a string field \""
              + textField
              + "\", "
              + (value == null ? "found fields " + fieldNames(object) : "found " + kind(value)));
    }
    return new TextRecord(lineNumber, value.textValue(), object);
  }

  private static CharsetDecoder decoder() {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  /** Names the first invalid byte and its column (1-based byte offset). */
  private static String invalidUtf8(byte[] bytes, int start, int end) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes, start, end - start);
    CharBuffer out = CharBuffer.allocate(end - start + 1);
    CoderResult result = decoder().decode(buffer, out, true);
    int at = result.isError() ? buffer.position() : start;
    return String.format(
        "not valid UTF-8 (byte 0x%02X at byte column %d); save the file as UTF-8",
        bytes[at] & 0xff, at - start + 1);
  }

  private static String kind(JsonNode node) {
    return node.isArray()
        ? "an array"
        : node.isObject()
            ? "an object"
            : node.isTextual()
                ? "a string"
                : node.isNumber()
                    ? "a number"
                    : node.isBoolean()
                        ? "a boolean"
                        : node.isNull()
                            ? "null"
                            : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }

  private static String fieldNames(ObjectNode object) {
    StringBuilder sb = new StringBuilder("[");
    object.fieldNames().forEachRemaining(n -> sb.append(sb.length() > 1 ? ", " : "").append(n));
    return sb.append(']').toString();
  }

  /** Reads up to the next newline into {@link #line}; returns true if the line was too long. */
  private boolean readLine() throws IOException {
    line.reset();
    boolean tooLong = false;
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        return tooLong;
      }
      if (line.size() < MAX_LINE_BYTES) {
        line.write(b);
      } else {
        tooLong = true;
      }
    }
    eof = true;
    return tooLong;
  }

  private static boolean startsWithBom(byte[] b) {
    return b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF;
  }

  private static boolean isBlank(byte[] b, int start, int end) {
    for (int i = start; i < end; i++) {
      if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
        return false;
      }
    }
    return true;
  }

  /** Iterates over the remaining lines; I/O failures surface as {@link UncheckedIOException}. */
  @Override
  public Iterator<JsonlLine> iterator() {
    return new Iterator<>() {
      private JsonlLine pending = advance();

      private JsonlLine advance() {
        try {
          return JsonlReader.this.next();
        } catch (IOException e) {
          throw new UncheckedIOException(source + ": " + e.getMessage(), e);
        }
      }

      @Override
      public boolean hasNext() {
        return pending != null;
      }

      @Override
      public JsonlLine next() {
        if (pending == null) {
          throw new java.util.NoSuchElementException();
        }
        JsonlLine current = pending;
        pending = advance();
        return current;
      }
    };
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
