package dev.ferry.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rejects file never takes the place of a file Ferry did not write as one: the input, the
 * index's own files.
 */
class RejectsSafetyTest {
  @TempDir Path dir;

  private static IngestResult ingest(FerryIndex index, Path input, IngestOptions options)
      throws IOException {
    return TestBundles.ingest(index, input, options, IngestListener.NONE);
  }

  @Test
  void theInputIsRefusedAsTheRejectsFileAndLeftAsItWas() throws IOException {
    Path input = Files.write(dir.resolve("input.jsonl"), TestBundles.docs("d", 0, 6));
    byte[] before = Files.readAllBytes(input);
    Files.createDirectories(dir.resolve("sub"));
    try (FerryIndex index = FerryIndex.open(dir.resolve("index"))) {
      for (Path rejects : List.of(input, dir.resolve("sub/../input.jsonl"))) {
        assertThatThrownBy(
                () -> ingest(index, input, IngestOptions.defaults().withRejects(rejects)))
            .isInstanceOf(IndexException.class)
            .hasMessageContaining(input.toAbsolutePath().normalize().toString())
            .hasMessageContaining("is the input")
            .hasMessageContaining("another rejects file");
        assertThat(Files.readAllBytes(input)).isEqualTo(before);
      }
      assertThat(index.stats().documents()).isZero();
    }
  }

  @Test
  void anExistingFileThatIsNotThisIndexsRejectsFileIsRefusedAndKept() throws IOException {
    Path input = Files.write(dir.resolve("input.jsonl"), TestBundles.docs("d", 0, 6));
    Path notes = Files.writeString(dir.resolve("notes.jsonl"), "{\"keep\": \"me\"}\n");
    try (FerryIndex index = FerryIndex.open(dir.resolve("index"))) {
      assertThatThrownBy(() -> ingest(index, input, IngestOptions.defaults().withRejects(notes)))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining(notes.toAbsolutePath().normalize().toString())
          .hasMessageContaining("not the rejects file");
      assertThat(Files.readString(notes)).isEqualTo("{\"keep\": \"me\"}\n");
      // A folder is not a rejects file either.
      assertThatThrownBy(() -> ingest(index, input, IngestOptions.defaults().withRejects(dir)))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("is a folder");
    }
  }

  @Test
  void theIndexsOwnFilesAreRefusedAsTheRejectsFile() throws IOException {
    Path input = Files.write(dir.resolve("input.jsonl"), TestBundles.docs("d", 0, 6));
    Path folder = dir.resolve("index");
    try (FerryIndex index = FerryIndex.open(folder)) {
      ingest(index, input, IngestOptions.defaults());
      List<Path> luceneFiles;
      try (Stream<Path> files = Files.list(folder)) {
        luceneFiles =
            files.filter(p -> !p.getFileName().toString().equals(Indexer.REJECTS_FILE)).toList();
      }
      assertThat(luceneFiles)
          .anySatisfy(p -> assertThat(p.getFileName().toString()).startsWith("segments_"));
      List<Path> refused = new ArrayList<>(luceneFiles);
      refused.add(folder.resolve("_9.cfs")); // a name Lucene may give a file later
      for (Path file : refused) {
        byte[] before = Files.exists(file) ? Files.readAllBytes(file) : null;
        assertThatThrownBy(() -> ingest(index, input, IngestOptions.defaults().withRejects(file)))
            .as(file.toString())
            .isInstanceOf(IndexException.class)
            .hasMessageContaining(file.getFileName().toString())
            .hasMessageContaining("Lucene");
        if (before != null) {
          assertThat(Files.readAllBytes(file)).isEqualTo(before);
        }
      }
      assertThat(index.stats().documents()).isEqualTo(6);
    }
    try (FerryIndex reopened = FerryIndex.openExisting(folder)) {
      assertThat(reopened.stats().documents()).isEqualTo(6);
    }
  }

  @Test
  void theRejectsFileTheIndexRecordedIsStartedAgainByANewRunAndKeptByAResume() throws IOException {
    List<String> lines = new ArrayList<>(TestBundles.docs("d", 0, 4));
    lines.add("{broken");
    Path input = Files.write(dir.resolve("input.jsonl"), lines);
    Path rejects = dir.resolve("out/rejects.jsonl");
    try (FerryIndex index = FerryIndex.open(dir.resolve("index"))) {
      assertThat(ingest(index, input, IngestOptions.defaults().withRejects(rejects)).rejected())
          .isEqualTo(1);
      assertThat(ingest(index, input, IngestOptions.defaults().withRejects(rejects)).rejected())
          .isEqualTo(1);
      assertThat(Files.readAllLines(rejects)).hasSize(1);
      IngestResult resumed =
          ingest(index, input, IngestOptions.defaults().withRejects(rejects).withResume(true));
      assertThat(resumed.rejected()).isZero();
      assertThat(Files.readAllLines(rejects))
          .hasSize(1)
          .first()
          .asString()
          .contains("input.jsonl:5");
    }
  }
}
