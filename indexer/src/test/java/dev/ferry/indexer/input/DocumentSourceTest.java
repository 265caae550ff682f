package dev.ferry.indexer.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/** Folder and in-memory inputs: what becomes a document, what is rejected and why, and resuming. */
class DocumentSourceTest {
  @TempDir Path dir;

  private static List<SourceItem> drain(DocumentSource source) throws IOException {
    List<SourceItem> items = new ArrayList<>();
    for (SourceItem item = source.next(); item != null; item = source.next()) {
      items.add(item);
    }
    return items;
  }

  @Test
  void aFolderGivesOneDocumentPerTextFileInPathOrderAndRejectsBinaryAndEmptyFiles()
      throws IOException {
    Files.writeString(dir.resolve("b.md"), "# Wheat\nExports rose.");
    Files.writeString(dir.resolve("a.txt"), "\uFEFFCorn prices fell.");
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/c.txt"), "Soybean futures were steady.");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("d.txt.gz")))) {
      out.write("Gzipped story about barley.".getBytes(StandardCharsets.UTF_8));
    }
    Files.write(dir.resolve("e.txt"), new byte[] {'a', 0, 'b'});
    Files.write(dir.resolve("f.txt"), new byte[] {(byte) 0xff, (byte) 0xfe, 'x'});
    Files.writeString(dir.resolve("g.md"), "  \n ");
    Files.writeString(dir.resolve("notes.json"), "{\"not\": \"text\"}"); // not a text file: ignored

    try (DocumentSource source = DocumentSource.open(dir, null)) {
      assertThat(source.name()).isEqualTo(dir.toAbsolutePath().normalize().toString());
      List<SourceItem> items = drain(source);
      assertThat(items).hasSize(7);
      assertThat(items)
          .filteredOn(InputDocument.class::isInstance)
          .map(InputDocument.class::cast)
          .extracting(InputDocument::id, InputDocument::text)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("a.txt", "Corn prices fell."),
              org.assertj.core.groups.Tuple.tuple("b.md", "# Wheat\nExports rose."),
              org.assertj.core.groups.Tuple.tuple("d.txt.gz", "Gzipped story about barley."),
              org.assertj.core.groups.Tuple.tuple("sub/c.txt", "Soybean futures were steady."));
      assertThat(items)
          .filteredOn(RejectedRecord.class::isInstance)
          .map(RejectedRecord.class::cast)
          .extracting(r -> Path.of(r.origin()).getFileName().toString(), RejectedRecord::reason)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(
                  "e.txt", "contains NUL bytes: a binary file, not text"),
              org.assertj.core.groups.Tuple.tuple(
                  "f.txt", "not valid UTF-8 text (a binary file?); save it as UTF-8"),
              org.assertj.core.groups.Tuple.tuple("g.md", "empty file; expected text to index"));
      for (int i = 0; i < items.size(); i++) {
        long position =
            items.get(i) instanceof InputDocument d
                ? d.position()
                : ((RejectedRecord) items.get(i)).position();
        assertThat(position).as("item %d", i).isEqualTo(i);
      }
    }
    try (DocumentSource resumed = DocumentSource.open(dir, null)) {
      resumed.skip(5);
      assertThat(drain(resumed))
          .hasSize(2)
          .first()
          .isInstanceOfSatisfying(
              RejectedRecord.class, r -> assertThat(r.origin()).endsWith("g.md"));
    }
  }

  @Test
  void textsInMemoryGetIdsAndBlankOnesAreRejected() throws IOException {
    try (DocumentSource source =
        DocumentSource.of("batch-7", List.of("first", " ", "third"), null)) {
      List<SourceItem> items = drain(source);
      assertThat(items.get(0))
          .isEqualTo(new InputDocument(0, "batch-7:1", "batch-7:1", "first", null));
      assertThat(items.get(1))
          .isEqualTo(new RejectedRecord(1, "batch-7:2", "empty text; expected text to index"));
      assertThat(((InputDocument) items.get(2)).id()).isEqualTo("batch-7:3");
    }
    try (DocumentSource source =
        DocumentSource.of("b", List.of("x", "y"), List.of("id-x", "id-y"))) {
      source.skip(1);
      assertThat(((InputDocument) source.next()).id()).isEqualTo("id-y");
      assertThat(source.next()).isNull();
    }
    assertThatThrownBy(() -> DocumentSource.of("b", List.of("x"), List.of("a", "b")))
        .hasMessage("1 texts but 2 ids");
    assertThatThrownBy(() -> DocumentSource.open(dir.resolve("missing.jsonl"), null))
        .isInstanceOf(java.nio.file.NoSuchFileException.class);
  }

  /**
   * A fingerprint covers the records read, to the end of the last one: skipping gives the same as
   * reading, blank lines after the last record and records appended later do not count, and a
   * changed record does.
   */
  @Test
  void aFingerprintIsOfTheRecordsReadWhetherReadOrSkipped() throws IOException {
    Path file = dir.resolve("docs.jsonl");
    Files.writeString(file, "{\"text\": \"one\"}\n\n{\"text\": \"two\"}\n\n\n");
    InputFingerprint read;
    try (DocumentSource source = DocumentSource.open(file, InputFields.DEFAULT)) {
      drain(source);
      read = source.fingerprint();
    }
    assertThat(read.records()).isEqualTo(2);
    assertThat(read.bytes()).isEqualTo("{\"text\": \"one\"}\n\n{\"text\": \"two\"}\n".length());
    assertThat(read.sha256()).hasSize(64);
    Files.writeString(file, "{\"text\": \"three\"}\n", java.nio.file.StandardOpenOption.APPEND);
    try (DocumentSource source = DocumentSource.open(file, InputFields.DEFAULT)) {
      source.skip(2);
      assertThat(source.fingerprint()).isEqualTo(read);
    }
    Files.writeString(file, Files.readString(file).replace("two", "TWO"));
    try (DocumentSource source = DocumentSource.open(file, InputFields.DEFAULT)) {
      source.skip(2);
      assertThat(source.fingerprint().bytes()).isEqualTo(read.bytes());
      assertThat(source.fingerprint().sha256()).isNotEqualTo(read.sha256());
    }
    try (DocumentSource a = DocumentSource.of("m", List.of("x", "y"), null);
        DocumentSource b = DocumentSource.of("m", List.of("x", "y", "z"), null)) {
      drain(a);
      b.skip(2);
      assertThat(b.fingerprint()).isEqualTo(a.fingerprint());
    }
  }
}
