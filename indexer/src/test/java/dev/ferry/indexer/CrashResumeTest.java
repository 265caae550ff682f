package dev.ferry.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexNotFoundException;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real ingesting JVM with SIGKILL after its first commits, resumes in this JVM, and checks
 * that every input record is in the index or the rejects file exactly once.
 */
class CrashResumeTest {
  static final int RECORDS = 1500;
  static final int BAD_EVERY = 97;
  @TempDir Path dir;

  @Test
  void killedIngestResumesWithEveryDocumentExactlyOnce() throws Exception {
    Path bundle = TestBundles.sportCooking();
    List<String> lines = new ArrayList<>();
    int good = 0;
    int bad = 0;
    for (int i = 0; i < RECORDS; i++) {
      if (i % BAD_EVERY == BAD_EVERY - 1) {
        lines.add("{\"id\": \"bad" + i + "\", \"text\": ");
        bad++;
      } else {
        List<String> topic = i % 2 == 0 ? TestBundles.SPORT : TestBundles.COOKING;
        lines.add(TestBundles.line("d" + i, topic.get(i % topic.size()) + " Item " + i + "."));
        good++;
      }
    }
    Path input = Files.write(dir.resolve("docs.jsonl"), lines);
    Path indexDir = dir.resolve("index");

    Process child =
        new ProcessBuilder(javaCommand(bundle, input, indexDir))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
    long committed = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (committed < 300 && System.nanoTime() < deadline) {
      if (!child.isAlive()) {
        child.waitFor();
        throw new AssertionError(
            "the child ended (exit "
                + child.exitValue()
                + ") before it could be killed:\n"
                + Files.readString(dir.resolve("child.log")));
      }
      committed = committedPosition(indexDir);
      Thread.sleep(20);
    }
    child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close, no final commit
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    long atKill = committedPosition(indexDir);
    assertThat(atKill).as("killed mid-way").isBetween(300L, (long) RECORDS - 1);

    IngestResult resumed;
    try (FerryIndex index = FerryIndex.open(indexDir);
        Indexer indexer =
            Indexer.open(index, ModelBundle.open(bundle), EncoderOptions.defaults())) {
      resumed =
          indexer.ingest(input, IngestOptions.defaults().withResume(true), IngestListener.NONE);
    }
    assertThat(resumed.startPosition()).isEqualTo(atKill);
    assertThat(resumed.endPosition()).isEqualTo(RECORDS);

    try (FSDirectory fs = FSDirectory.open(indexDir);
        DirectoryReader reader = DirectoryReader.open(fs)) {
      IndexSearcher searcher = new IndexSearcher(reader);
      TopDocs parents =
          searcher.search(
              new TermQuery(new Term(FerryFields.KIND, FerryFields.DOCUMENT_KIND)), RECORDS * 2);
      assertThat(parents.totalHits.value()).isEqualTo(good);
      StoredFields stored = reader.storedFields();
      long chunks = 0;
      for (ScoreDoc sd : parents.scoreDocs) {
        chunks +=
            stored.document(sd.doc).getField(FerryFields.CHUNK_COUNT).numericValue().longValue();
      }
      assertThat(reader.numDocs()).as("no orphan or duplicate chunks").isEqualTo(good + chunks);
      for (int i = 0; i < RECORDS; i++) {
        int expected = i % BAD_EVERY == BAD_EVERY - 1 ? 0 : 1;
        assertThat(searcher.count(new TermQuery(new Term(FerryFields.ID, "d" + i))))
            .as("d" + i)
            .isEqualTo(expected);
      }
    }
    List<String> rejects = Files.readAllLines(indexDir.resolve(Indexer.REJECTS_FILE));
    assertThat(rejects).hasSize(bad);
    assertThat(rejects.stream().distinct()).hasSize(bad);
  }

  private static long committedPosition(Path indexDir) throws IOException {
    if (!Files.isDirectory(indexDir)) {
      return 0;
    }
    try (FSDirectory fs = FSDirectory.open(indexDir)) {
      Map<String, String> data = SegmentInfos.readLatestCommit(fs).getUserData();
      return Long.parseLong(data.getOrDefault(Indexer.INPUT_POSITION, "0"));
    } catch (IndexNotFoundException | java.nio.file.NoSuchFileException e) {
      return 0;
    }
  }

  private static List<String> javaCommand(Path bundle, Path input, Path indexDir) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xss4m", "-Xmx512m"));
    for (String property : List.of("ferry.cache.dir")) {
      String value = System.getProperty(property);
      if (value != null) {
        cmd.add("-D" + property + "=" + value);
      }
    }
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            CrashIngestMain.class.getName(),
            bundle.toString(),
            input.toString(),
            indexDir.toString(),
            "100"));
    return cmd;
  }
}
