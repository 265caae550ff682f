package dev.ferry.indexer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.indexer.input.RejectedRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.IndexWriter;

/**
 * The rejects file: one JSON object per rejected record, {@code {"record": "file:line", "position":
 * n, "reason": "..."}}. Opened at the length the last commit recorded (0 for a new run), so a
 * resumed ingest never lists a record twice.
 *
 * <p>Since a run empties it, the rejects file is only ever a file Ferry may empty: see {@link
 * #requireSafe}.
 */
final class RejectsFile implements AutoCloseable {
  private final Path path;
  private final FileChannel channel;

  private RejectsFile(Path path, FileChannel channel) {
    this.path = path;
    this.channel = channel;
  }

  static RejectsFile open(Path path, long keepBytes) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    FileChannel channel =
        FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    channel.truncate(Math.min(keepBytes, channel.size()));
    channel.position(channel.size());
    return new RejectsFile(path, channel);
  }

  /**
   * Refuses a rejects file a run must not empty: a folder, the input itself, a file of the index's
   * own (a name Lucene uses in the index folder), or an existing non-empty file that is not the
   * rejects file the index's last commit recorded (which a new run starts again and a resume
   * keeps).
   *
   * @param rejects the rejects file, absolute and normalized
   * @param input the input's name ({@link dev.ferry.indexer.input.DocumentSource#name()})
   * @param folder the index folder
   * @param last the last ingest's progress, or null
   * @throws InvalidSettingException naming the file and what to do
   */
  static void requireSafe(Path rejects, String input, Path folder, IngestProgress last)
      throws IOException {
    if (Files.isDirectory(rejects)) {
      throw refused(
          rejects + ": is a folder; the rejects file must be a file", "choose a rejects file");
    }
    if (isInput(rejects, input)) {
      throw refused(
          rejects + ": is the input; writing rejects there would empty it",
          "choose another rejects file");
    }
    Path parent = rejects.getParent();
    if (parent != null
        && parent.equals(folder.toAbsolutePath().normalize())
        && isLuceneName(rejects)) {
      throw refused(
          rejects
              + ": is a name Lucene uses for the files of the index in "
              + parent
              + "; writing rejects there would damage the index",
          "choose another rejects file (by default it is "
              + Indexer.REJECTS_FILE
              + " in the index folder)");
    }
    boolean recorded = last != null && rejects.toString().equals(last.rejects());
    if (!recorded && Files.isRegularFile(rejects) && Files.size(rejects) > 0) {
      throw refused(
          String.format(
              Locale.ROOT,
              "%s: exists (%,d bytes) and is not the rejects file the index in %s"
                  + " recorded%s; an ingest empties its rejects file as it starts",
              rejects,
              Files.size(rejects),
              folder,
              last == null ? "" : " (" + last.rejects() + ")"),
          "choose another rejects file, or move that one away if it is an old rejects file");
    }
  }

  private static boolean isInput(Path rejects, String input) throws IOException {
    Path inputPath;
    try {
      inputPath = Path.of(input).toAbsolutePath().normalize();
    } catch (InvalidPathException notAPath) {
      return false; // texts in memory, named by something other than a path
    }
    return rejects.equals(inputPath)
        || Files.exists(rejects) && Files.exists(inputPath) && Files.isSameFile(rejects, inputPath);
  }

  private static boolean isLuceneName(Path file) {
    String name = file.getFileName().toString();
    return IndexFileNames.CODEC_FILE_PATTERN.matcher(name).matches()
        || name.startsWith(IndexFileNames.SEGMENTS)
        || name.startsWith(IndexFileNames.PENDING_SEGMENTS)
        || name.equals(IndexWriter.WRITE_LOCK_NAME);
  }

  private static InvalidSettingException refused(String problem, String advice) {
    return new InvalidSettingException(InvalidSettingException.Setting.REJECTS, problem, advice);
  }

  Path path() {
    return path;
  }

  void write(RejectedRecord r) throws IOException {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("record", r.origin());
    o.put("position", r.position());
    o.put("reason", r.reason());
    ByteBuffer bytes = ByteBuffer.wrap((o + "\n").getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  /** Makes what was written durable before a commit records the length. */
  void flush() throws IOException {
    channel.force(false);
  }

  long length() throws IOException {
    return channel.size();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
