package dev.ferry.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.indexer.search.Search;
import dev.ferry.indexer.search.SearchMode;
import dev.ferry.indexer.search.SearchRequest;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming: the input must still begin with the records the index committed (appending is fine), an
 * index with nothing committed starts from the beginning, and a new index is visible from the start
 * of its first ingest.
 */
class ResumeTest {
  /**
   * Records a stopped ingest has committed: {@link #stopAfterFirstCommit} commits every 8
   * documents.
   */
  static final int COMMITTED = 8;

  @TempDir Path dir;

  /** The listener's way of stopping an ingest right after a commit, as a crash would. */
  static final class Stop extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stop() {
      super("stopped after a commit");
    }
  }

  private static IngestResult ingest(
      FerryIndex index, Path input, IngestOptions options, IngestListener listener)
      throws IOException {
    return TestBundles.ingest(index, input, options.withBatchSize(4), listener);
  }

  /** Ingests until the first commit after {@value #COMMITTED} records, then stops as if killed. */
  private static void stopAfterFirstCommit(FerryIndex index, Path input) {
    IngestListener stopper =
        new IngestListener() {
          @Override
          public void committed(long position) {
            if (position >= COMMITTED) {
              throw new Stop();
            }
          }
        };
    assertThatThrownBy(
            () ->
                ingest(
                    index,
                    input,
                    IngestOptions.defaults().withCommitEvery(COMMITTED, Duration.ofHours(1)),
                    stopper))
        .isInstanceOf(Stop.class);
    assertThat(index.commitData())
        .containsEntry(Indexer.INPUT_POSITION, Integer.toString(COMMITTED));
  }

  private static IngestResult resume(FerryIndex index, Path input) throws IOException {
    return ingest(index, input, IngestOptions.defaults().withResume(true), IngestListener.NONE);
  }

  private static void assertEachIdOnce(FerryIndex index, List<String> ids) throws IOException {
    assertThat(index.stats().documents()).isEqualTo(ids.size());
    try (DirectoryReader reader = index.openReader()) {
      IndexSearcher searcher = new IndexSearcher(reader);
      for (String id : ids) {
        assertThat(searcher.count(new TermQuery(new Term(FerryFields.ID, id)))).as(id).isEqualTo(1);
      }
    }
  }

  private static List<String> ids(String prefix, int from, int to) {
    List<String> ids = new ArrayList<>();
    for (int i = from; i < to; i++) {
      ids.add(prefix + i);
    }
    return ids;
  }

  @Test
  void aResumeAfterRecordsWerePrependedIsRefusedNamingTheInput() throws IOException {
    Path input = Files.write(dir.resolve("docs.jsonl"), TestBundles.docs("d", 0, 20));
    try (FerryIndex index = FerryIndex.open(dir.resolve("index"))) {
      stopAfterFirstCommit(index, input);
      List<String> prepended = new ArrayList<>(TestBundles.docs("p", 0, 10));
      prepended.addAll(TestBundles.docs("d", 0, 20));
      Files.write(input, prepended);
      assertThatThrownBy(() -> resume(index, input))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining(input.toAbsolutePath().normalize().toString())
          .hasMessageContaining("changed")
          .hasMessageContaining("first " + COMMITTED + " records");
      assertEachIdOnce(index, ids("d", 0, COMMITTED));
    }
  }

  @Test
  void aRecordChangedInPlaceToTheSameLengthIsNoticed() throws IOException {
    Path input = Files.write(dir.resolve("docs.jsonl"), TestBundles.docs("d", 0, 20));
    try (FerryIndex index = FerryIndex.open(dir.resolve("index"))) {
      stopAfterFirstCommit(index, input);
      Files.writeString(input, Files.readString(input).replaceFirst("\"d3\"", "\"e3\""));
      assertThatThrownBy(() -> resume(index, input))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("changed")
          .hasMessageContaining("SHA-256");
    }
  }

  @Test
  void aResumeAfterRecordsWereAppendedGoesOnWithEveryRecordOnce() throws IOException {
    Path input = Files.write(dir.resolve("docs.jsonl"), TestBundles.docs("d", 0, 20));
    try (FerryIndex index = FerryIndex.open(dir.resolve("index"))) {
      stopAfterFirstCommit(index, input);
      Files.write(input, TestBundles.docs("d", 20, 25), java.nio.file.StandardOpenOption.APPEND);
      IngestResult r = resume(index, input);
      assertThat(r.startPosition()).isEqualTo(COMMITTED);
      assertThat(r.endPosition()).isEqualTo(25);
      assertEachIdOnce(index, ids("d", 0, 25));
    }
  }

  /**
   * The fingerprint is of the records, not of the compressed bytes: a gzip file written again with
   * more records resumes.
   */
  @Test
  void aGzipInputIsComparedByItsRecords() throws IOException {
    Path input = dir.resolve("docs.jsonl.gz");
    gzip(input, TestBundles.docs("d", 0, 20));
    try (FerryIndex index = FerryIndex.open(dir.resolve("index"))) {
      stopAfterFirstCommit(index, input);
      List<String> more = new ArrayList<>(TestBundles.docs("d", 0, 20));
      more.addAll(TestBundles.docs("d", 20, 24));
      gzip(input, more);
      assertThat(resume(index, input).endPosition()).isEqualTo(24);
      assertEachIdOnce(index, ids("d", 0, 24));
    }
    try (FerryIndex index = FerryIndex.open(dir.resolve("index2"))) {
      stopAfterFirstCommit(index, input);
      List<String> prepended = new ArrayList<>(TestBundles.docs("p", 0, 3));
      prepended.addAll(TestBundles.docs("d", 0, 24));
      gzip(input, prepended);
      assertThatThrownBy(() -> resume(index, input))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("docs.jsonl.gz")
          .hasMessageContaining("changed");
    }
  }

  @Test
  void aFolderResumesAfterFilesAddedAtItsEndButNotBeforeTheCommittedOnes() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("docs"));
    for (int i = 0; i < 20; i++) {
      Files.writeString(
          folder.resolve(String.format("f%02d.txt", i)),
          TestBundles.SPORT.get(i % 12) + " Story " + i);
    }
    try (FerryIndex index = FerryIndex.open(dir.resolve("index"))) {
      stopAfterFirstCommit(index, folder);
      Path early =
          Files.writeString(folder.resolve("a00.txt"), "An early story about the cup final.");
      assertThatThrownBy(() -> resume(index, folder))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining(folder.toAbsolutePath().normalize().toString())
          .hasMessageContaining("changed");
      Files.delete(early);
      Files.writeString(folder.resolve("f07.txt"), "A story rewritten to another length.");
      assertThatThrownBy(() -> resume(index, folder))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("changed");
      Files.writeString(folder.resolve("f07.txt"), TestBundles.SPORT.get(7) + " Story " + 7);
      Files.writeString(folder.resolve("z99.txt"), "A late story about the cup final.");
      IngestResult r = resume(index, folder);
      assertThat(r.startPosition()).isEqualTo(COMMITTED);
      assertThat(r.endPosition()).isEqualTo(21);
      List<String> all = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        all.add(String.format("f%02d.txt", i));
      }
      all.add("z99.txt");
      assertEachIdOnce(index, all);
    }
  }

  /**
   * A supervisor that always passes resume: an index whose first ingest never committed starts from
   * the beginning.
   */
  @Test
  void resumeWithNothingCommittedStartsFromTheBeginning() throws IOException {
    Path input = Files.write(dir.resolve("docs.jsonl"), TestBundles.docs("d", 0, 10));
    try (FerryIndex index = FerryIndex.open(dir.resolve("index"))) {
      IngestResult r = resume(index, input);
      assertThat(r.startPosition()).isZero();
      assertThat(r.endPosition()).isEqualTo(10);
      assertEachIdOnce(index, ids("d", 0, 10));
    }
  }

  /**
   * Search and stats from another process see a new index, with no documents and its ingest
   * incomplete, before its first commit of documents.
   */
  @Test
  void aNewIndexIsVisibleAsSoonAsItsFirstIngestStarts() throws IOException {
    Path input = Files.write(dir.resolve("docs.jsonl"), TestBundles.docs("d", 0, 12));
    Path folder = dir.resolve("index");
    AtomicReference<IndexStats> during = new AtomicReference<>();
    AtomicReference<Long> hits = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    IngestListener look =
        new IngestListener() {
          @Override
          public void written(long documents, long chunks, long rejected) {
            if (during.get() != null || failure.get() != null) {
              return;
            }
            try (FerryIndex reader = FerryIndex.openExisting(folder);
                Search search = Search.open(reader, EncoderOptions.defaults(), null)) {
              during.set(reader.stats());
              hits.set(search.search(SearchRequest.of("match", SearchMode.HYBRID)).matches());
            } catch (IOException | RuntimeException e) {
              failure.set(e);
            }
          }
        };
    try (FerryIndex index = FerryIndex.open(folder)) {
      ingest(index, input, IngestOptions.defaults(), look);
    }
    assertThat(failure.get()).as("search and stats during the ingest").isNull();
    assertThat(during.get().documents()).isZero();
    assertThat(during.get().ingestIncomplete()).isTrue();
    assertThat(during.get().progress())
        .containsEntry(Indexer.INPUT_COMPLETE, "false")
        .containsEntry(Indexer.INPUT, input.toAbsolutePath().normalize().toString());
    assertThat(hits.get()).isZero();
    try (FerryIndex index = FerryIndex.openExisting(folder)) {
      assertThat(index.stats().ingestIncomplete()).isFalse();
    }
  }

  private static void gzip(Path file, List<String> lines) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }
}
