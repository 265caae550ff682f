package dev.ferry.indexer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.indexer.input.RejectedRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The rejects file: one JSON object per rejected record, {@code {"record": "file:line",
 * "position": n, "reason": "..."}}. Opened at the length the last commit recorded (0 for a new
 * run), so a resumed ingest never lists a record twice.
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
    FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    channel.truncate(Math.min(keepBytes, channel.size()));
    channel.position(channel.size());
    return new RejectsFile(path, channel);
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
