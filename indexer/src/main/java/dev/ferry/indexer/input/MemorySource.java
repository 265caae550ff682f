package dev.ferry.indexer.input;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Texts held in memory ({@link DocumentSource#of}); ids are {@code NAME:N} (1-based) unless given.
 * Its fingerprint is of each id and text.
 */
final class MemorySource implements DocumentSource {
  private final String name;
  private final List<String> texts;
  private final List<String> ids;
  private final RunningDigest digest = new RunningDigest();
  private int next;

  MemorySource(String name, List<String> texts, List<String> ids) {
    if (ids != null && ids.size() != texts.size()) {
      throw new IllegalArgumentException(texts.size() + " texts but " + ids.size() + " ids");
    }
    this.name = name;
    this.texts = texts;
    this.ids = ids;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public SourceItem next() {
    if (next >= texts.size()) {
      return null;
    }
    int at = next++;
    String origin = name + ":" + (at + 1);
    String text = texts.get(at);
    String id = ids == null ? origin : ids.get(at);
    fingerprint(id, text);
    if (text == null || text.isBlank()) {
      return new RejectedRecord(at, origin, "empty text; expected text to index");
    }
    return new InputDocument(at, origin, id, text, null);
  }

  private void fingerprint(String id, String text) {
    byte[] bytes = (id + "\0" + (text == null ? "" : text) + "\n").getBytes(StandardCharsets.UTF_8);
    digest.update(bytes, 0, bytes.length);
    digest.endRecord();
  }

  @Override
  public void skip(long count) {
    for (long i = 0; i < count && next < texts.size(); i++, next++) {
      fingerprint(ids == null ? name + ":" + (next + 1) : ids.get(next), texts.get(next));
    }
  }

  @Override
  public InputFingerprint fingerprint() {
    return digest.fingerprint();
  }

  @Override
  public void close() {}
}
