package dev.ferry.indexer.input;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder of {@code .txt} and {@code .md} files (also gzipped), one document each, in path order.
 * Its fingerprint is of each file's relative path and size, so a resume notices a file added,
 * removed or resized before the committed position without reading the files again.
 */
final class FolderSource implements DocumentSource {
  private static final Logger LOG = LoggerFactory.getLogger(FolderSource.class);

  /** Files larger than this are rejected rather than read. */
  static final long MAX_FILE_BYTES = 64L << 20;

  private final Path root;
  private final List<Path> files;
  private final RunningDigest digest = new RunningDigest();
  private int next;

  private FolderSource(Path root, List<Path> files) {
    this.root = root;
    this.files = files;
  }

  static FolderSource open(Path root) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(Files::isRegularFile).filter(FolderSource::isText).sorted().toList();
    }
    LOG.debug("{}: {} text files", root, files.size());
    return new FolderSource(root, files);
  }

  static boolean isText(Path p) {
    String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    if (n.endsWith(".gz")) {
      n = n.substring(0, n.length() - 3);
    }
    return n.endsWith(".txt") || n.endsWith(".md");
  }

  @Override
  public String name() {
    return root.toAbsolutePath().normalize().toString();
  }

  /** How many files the folder has. */
  int size() {
    return files.size();
  }

  @Override
  public SourceItem next() throws IOException {
    if (next >= files.size()) {
      return null;
    }
    int at = next++;
    Path file = files.get(at);
    String id = idOf(file);
    String origin = file.toString();
    long size = Files.size(file);
    fingerprint(id, size);
    if (size > MAX_FILE_BYTES) {
      return new RejectedRecord(
          at, origin, "larger than " + (MAX_FILE_BYTES >> 20) + " MiB; skipped");
    }
    byte[] bytes;
    try (InputStream in =
        file.getFileName().toString().endsWith(".gz")
            ? new GZIPInputStream(Files.newInputStream(file))
            : Files.newInputStream(file)) {
      bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
    } catch (IOException e) {
      return new RejectedRecord(at, origin, "cannot be read (" + e.getMessage() + ")");
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return new RejectedRecord(
          at, origin, "not valid UTF-8 text (a binary file?); save it as UTF-8");
    }
    if (text.indexOf('\0') >= 0) {
      return new RejectedRecord(at, origin, "contains NUL bytes: a binary file, not text");
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    if (text.isBlank()) {
      return new RejectedRecord(at, origin, "empty file; expected text to index");
    }
    return new InputDocument(at, origin, id, text, null);
  }

  @Override
  public long totalBytes() {
    long total = 0;
    for (Path file : files) {
      try {
        total += Files.size(file);
      } catch (IOException e) {
        return -1;
      }
    }
    return total;
  }

  private String idOf(Path file) {
    return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  private void fingerprint(String id, long size) {
    digest.updateEntry((id + "\0" + size + "\n").getBytes(StandardCharsets.UTF_8), size);
    digest.endRecord();
  }

  /** Passes over files reading only their sizes, for the fingerprint. */
  @Override
  public void skip(long count) throws IOException {
    for (long i = 0; i < count && next < files.size(); i++) {
      Path file = files.get(next++);
      fingerprint(idOf(file), Files.size(file));
    }
  }

  @Override
  public InputFingerprint fingerprint() {
    return digest.fingerprint();
  }

  @Override
  public void close() {}
}
