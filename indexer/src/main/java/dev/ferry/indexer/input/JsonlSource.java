package dev.ferry.indexer.input;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.data.BadLine;
import dev.ferry.models.data.JsonlLine;
import dev.ferry.models.data.JsonlReader;
import dev.ferry.models.data.TextRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * A JSONL file; each non-blank line is one record (see {@link DocumentSource}). Its fingerprint is
 * of the bytes (decompressed for {@code .gz}) up to the end of the last record's line.
 */
final class JsonlSource implements DocumentSource {
  private final JsonlReader reader;
  private final RunningDigest digest;
  private final String name;
  private final String shortName;
  private final InputFields fields;
  private final Path file;
  private long position;

  private JsonlSource(JsonlReader reader, RunningDigest digest, Path file, InputFields fields) {
    this.reader = reader;
    this.digest = digest;
    this.name = file.toAbsolutePath().normalize().toString();
    this.shortName = file.getFileName().toString();
    this.fields = fields;
    this.file = file;
  }

  static JsonlSource open(Path file, InputFields fields) throws IOException {
    InputStream raw = Files.newInputStream(file);
    InputStream in;
    try {
      in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
    } catch (IOException e) {
      raw.close();
      throw new IOException(file + ": not a gzip file (" + e.getMessage() + ")", e);
    }
    RunningDigest digest = new RunningDigest();
    return new JsonlSource(
        JsonlReader.of(new DigestingInputStream(in, digest), file.toString(), fields.text()),
        digest,
        file,
        fields);
  }

  @Override
  public long totalBytes() {
    try {
      long size = Files.size(file);
      if (!file.getFileName().toString().endsWith(".gz")) {
        return size;
      }
      // The gzip trailer's last 4 bytes: the uncompressed size modulo 2^32 (of the last member).
      if (size < 18) {
        return -1;
      }
      try (var channel = Files.newByteChannel(file)) {
        java.nio.ByteBuffer b =
            java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        channel.position(size - 4);
        while (b.hasRemaining() && channel.read(b) > 0) {}
        long stated = Integer.toUnsignedLong(b.getInt(0));
        // Past 4 GiB the field wraps: no total rather than a wrong one.
        return stated >= size ? stated : -1;
      }
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public SourceItem next() throws IOException {
    JsonlLine line = reader.next();
    if (line == null) {
      return null;
    }
    digest.endRecord();
    long at = position++;
    return switch (line) {
      case BadLine bad ->
          new RejectedRecord(at, bad.source() + ":" + bad.lineNumber(), bad.problem());
      case TextRecord r -> document(at, r);
    };
  }

  private SourceItem document(long at, TextRecord r) {
    String origin = reader.source() + ":" + r.lineNumber();
    if (r.text().isBlank()) {
      return new RejectedRecord(
          at, origin, "the \"" + fields.text() + "\" field is empty; expected text to index");
    }
    ObjectNode rest = r.fields().deepCopy();
    rest.remove(fields.text());
    JsonNode idNode = rest.remove(fields.id());
    String id;
    if (idNode == null || idNode.isNull()) {
      id = shortName + ":" + r.lineNumber();
    } else if (idNode.isTextual() && !idNode.textValue().isEmpty()) {
      id = idNode.textValue();
    } else if (idNode.isIntegralNumber()) {
      id = idNode.asText();
    } else {
      return new RejectedRecord(
          at,
          origin,
          "expected the \""
              + fields.id()
              + "\" field to be a non-empty string"
              + " or an integer, found "
              + kind(idNode));
    }
    return new InputDocument(at, origin, id, r.text(), rest.isEmpty() ? null : rest.toString());
  }

  private static String kind(JsonNode node) {
    return node.isTextual()
        ? "an empty string"
        : node.isArray()
            ? "an array"
            : node.isObject()
                ? "an object"
                : node.isNumber()
                    ? "the number " + node.asText()
                    : node.getNodeType().toString().toLowerCase(Locale.ROOT);
  }

  @Override
  public InputFingerprint fingerprint() {
    return digest.fingerprint();
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }
}
