package dev.ferry.indexer;

import static dev.ferry.indexer.TestBundles.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ferry.indexer.search.Hit;
import dev.ferry.indexer.search.Search;
import dev.ferry.indexer.search.SearchMode;
import dev.ferry.indexer.search.SearchRequest;
import dev.ferry.indexer.search.SearchResult;
import dev.ferry.models.bundle.ClassifiedDocument;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.ChunkEmbedding;
import dev.ferry.models.encoder.ChunkPooling;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingest, search, stats and upsert end to end with a real (tiny) bundle and the int8 MiniLM. */
class IndexerTest {
  /** Three sport paragraphs and one cooking sentence at the end: several 32-token chunks. */
  static final String LONG_SPORT =
      String.join(" ", TestBundles.SPORT.subList(0, 9))
          + " Simmer the onions in butter until golden, whisk the eggs with sugar until pale, knead the dough"
          + " for ten minutes, roast the chicken for an hour and grate the cheese over the pasta.";

  @TempDir static Path dir;
  static Path bundleDir;
  static FerryIndex index;
  static IngestResult first;
  static Path input;

  @BeforeAll
  static void ingest() throws IOException {
    bundleDir = TestBundles.sportCooking();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < TestBundles.SPORT.size(); i++) {
      lines.add(
          "{\"id\": \"s"
              + i
              + "\", \"text\": \""
              + TestBundles.SPORT.get(i)
              + "\", \"wire\": \"AP\", \"n\": "
              + i
              + "}");
      lines.add(line("c" + i, TestBundles.COOKING.get(i)));
    }
    lines.add(line("long-sport", LONG_SPORT));
    lines.add("{broken"); // broken JSON
    lines.add("{\"id\": \"x1\"}"); // no text
    lines.add("{\"id\": {\"a\": 1}, \"text\": \"hello\"}"); // id of the wrong type
    lines.add("{\"id\": \"x3\", \"text\": 5}"); // text of the wrong type
    lines.add("{\"id\": \"x4\", \"text\": \"   \"}"); // empty text
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    bytes.write(new byte[] {'\n', (byte) 0xff, (byte) 0xfe, 0, 1, 2, '\n'}); // binary garbage
    bytes.write(
        "{\"id\": 42, \"text\": \"The referee sent off two players for fighting.\"}\n"
            .getBytes(StandardCharsets.UTF_8));
    input = dir.resolve("docs.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(input))) {
      out.write(bytes.toByteArray());
    }
    index = FerryIndex.open(dir.resolve("index"));
    try (Indexer indexer =
        Indexer.open(index, ModelBundle.open(bundleDir), EncoderOptions.defaults())) {
      first = indexer.ingest(input, IngestOptions.defaults().withBatchSize(8), IngestListener.NONE);
    }
  }

  @AfterAll
  static void close() throws IOException {
    index.close();
  }

  @Test
  void indexesGoodRecordsAndRejectsBadOnesWithLineAndReason() throws IOException {
    assertThat(first.documents()).isEqualTo(26);
    assertThat(first.newDocuments()).isEqualTo(26);
    assertThat(first.rejected()).isEqualTo(6);
    assertThat(first.endPosition()).isEqualTo(32);
    List<String> rejects = Files.readAllLines(first.rejects());
    assertThat(rejects).hasSize(6);
    assertThat(rejects.get(0)).contains("docs.jsonl.gz:26", "invalid JSON");
    assertThat(rejects.get(1)).contains("docs.jsonl.gz:27", "expected a string field \\\"text\\\"");
    assertThat(rejects.get(2)).contains(":28", "non-empty string or an integer, found an object");
    assertThat(rejects.get(3)).contains(":29", "found a number");
    assertThat(rejects.get(4)).contains(":30", "empty");
    assertThat(rejects.get(5)).contains(":31", "not valid UTF-8");
  }

  @Test
  void statsCountDocumentsChunksLabelsAndBundles() throws IOException {
    IndexStats stats = index.stats();
    assertThat(stats.documents()).isEqualTo(26);
    assertThat(stats.chunks()).isGreaterThan(26); // the long document has several
    assertThat(stats.labels().keySet()).containsExactlyInAnyOrder("sport", "cooking");
    assertThat(stats.labels().get("sport")).isGreaterThanOrEqualTo(12);
    assertThat(stats.bundles().keySet()).singleElement().asString().startsWith("sport-cooking@");
    assertThat(stats.encoder()).isEqualTo(TestBundles.ENCODER);
    assertThat(stats.progress())
        .containsKey(Indexer.INPUT_POSITION)
        .containsEntry(Indexer.INPUT_COMPLETE, "true");
  }

  /**
   * The document's label is the head applied to what the bundle's pooling makes of its chunks (here
   * {@code first_and_mean}: the first chunk's vector beside the token-weighted mean of all chunks),
   * and the index stores exactly that for relabel: a mostly-sport text with one cooking chunk is
   * sport, though its last chunk alone is cooking; every chunk is its own vector in the index.
   */
  @Test
  void longDocumentIsLabeledFromItsFirstChunkAndTheTokenWeightedMeanOfAll() throws IOException {
    ModelBundle bundle = ModelBundle.open(bundleDir);
    assertThat(bundle.chunking().pooling()).isEqualTo(ChunkPooling.FIRST_AND_MEAN);
    try (Classifier classifier = bundle.openClassifier(EncoderOptions.defaults());
        DirectoryReader reader = index.openReader()) {
      ClassifiedDocument expected = classifier.classifyDocuments(List.of(LONG_SPORT)).get(0);
      List<ChunkEmbedding> chunks = expected.embedding().chunks();
      assertThat(chunks).hasSizeGreaterThanOrEqualTo(3);
      int dim = chunks.get(0).vector().length;
      float[] mean = new float[dim];
      double norm = 0;
      for (int k = 0; k < dim; k++) {
        double sum = 0;
        for (ChunkEmbedding c : chunks) {
          sum += c.tokens() * c.vector()[k];
        }
        mean[k] = (float) sum;
        norm += sum * sum;
      }
      for (int k = 0; k < dim; k++) {
        mean[k] /= (float) Math.sqrt(norm);
      }
      float[] features = expected.features();
      assertThat(features).hasSize(2 * dim).hasSize(bundle.headWidth());
      for (int k = 0; k < dim; k++) {
        assertThat(expected.embedding().vector()[k]).isCloseTo(mean[k], within(1e-5f));
        assertThat(features[k]).isEqualTo(chunks.get(0).vector()[k] / 2);
        assertThat(features[dim + k]).isCloseTo(mean[k] / 2, within(1e-5f));
      }
      // The int8 model quantizes per batch, so the stored vector (embedded among other
      // documents) differs from this one in the second or third decimal: compare directions, half
      // by half (one chunk moves more than a mean of several).
      float[] stored = storedVector(reader, "long-sport");
      assertThat(stored).hasSize(2 * dim);
      // Each half is halved: 2 × stored half · unit vector is the cosine.
      assertThat(
              2
                  * dev.ferry.models.encoder.Vectors.dot(
                      Arrays.copyOfRange(stored, 0, dim), chunks.get(0).vector()))
          .isGreaterThan(0.98);
      assertThat(
              2
                  * dev.ferry.models.encoder.Vectors.dot(
                      Arrays.copyOfRange(stored, dim, 2 * dim), mean))
          .isGreaterThan(0.995);
      float[] lastChunk = chunks.get(chunks.size() - 1).vector();
      float[] lastChunkAlone = new float[2 * dim]; // as if it were a one-chunk text
      for (int k = 0; k < dim; k++) {
        lastChunkAlone[k] = lastChunk[k] / 2;
        lastChunkAlone[dim + k] = lastChunk[k] / 2;
      }
      assertThat(classifier.head().predict(new float[][] {lastChunkAlone}).get(0).label())
          .isEqualTo("cooking");
      assertThat(classifier.head().predict(new float[][] {features}).get(0).label())
          .isEqualTo("sport");
      assertThat(expected.prediction().label()).isEqualTo("sport");
      IndexSearcher searcher = new IndexSearcher(reader);
      assertThat(searcher.count(new TermQuery(new Term(FerryFields.CHUNK_OF, "long-sport"))))
          .isEqualTo(chunks.size());
    }
    try (Search search = Search.open(index, EncoderOptions.defaults(), null)) {
      Hit hit =
          search.search(SearchRequest.of("sport", SearchMode.BM25).withK(50)).hits().stream()
              .filter(h -> h.id().equals("long-sport"))
              .findFirst()
              .orElseGet(() -> byId(search, "long-sport"));
      assertThat(hit.label()).isEqualTo("sport");
    }
  }

  private static Hit byId(Search search, String id) {
    try {
      return search
          .search(SearchRequest.of("striker scored twice second half", SearchMode.BM25).withK(50))
          .hits()
          .stream()
          .filter(h -> h.id().equals(id))
          .findFirst()
          .orElseThrow();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static float[] storedVector(DirectoryReader reader, String id) throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    TopDocs top = searcher.search(new TermQuery(new Term(FerryFields.ID, id)), 2);
    assertThat(top.totalHits.value()).isEqualTo(1);
    int doc = top.scoreDocs[0].doc;
    for (LeafReaderContext leaf : reader.leaves()) {
      if (doc >= leaf.docBase && doc < leaf.docBase + leaf.reader().maxDoc()) {
        BinaryDocValues v = leaf.reader().getBinaryDocValues(FerryFields.DOCUMENT_VECTOR);
        assertThat(v.advanceExact(doc - leaf.docBase)).isTrue();
        return FerryFields.decodeVector(v.binaryValue());
      }
    }
    throw new AssertionError(id);
  }

  @Test
  void bm25FindsTheDocumentWithItsLabelSnippetAndFields() throws IOException {
    try (Search search = Search.open(index, EncoderOptions.defaults(), null)) {
      SearchResult r = search.search(SearchRequest.of("goalkeeper saved shots", SearchMode.BM25));
      Hit top = r.hits().get(0);
      assertThat(top.id()).isEqualTo("s3");
      assertThat(top.label()).isEqualTo("sport");
      assertThat(top.confidence()).isGreaterThan(0.5f).isEqualTo(top.probabilities().get("sport"));
      assertThat(top.snippet()).contains("goalkeeper");
      assertThat(top.fields()).contains("\"wire\":\"AP\"", "\"n\":3");
      assertThat(top.source()).endsWith("docs.jsonl.gz:7");
      assertThat(top.bundle()).startsWith("sport-cooking@");
      assertThat(r.labels().values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(r.matches());
      Hit number =
          search.search(SearchRequest.of("referee fighting", SearchMode.BM25)).hits().get(0);
      assertThat(number.id()).isEqualTo("42");
    }
  }

  @Test
  void knnFindsByMeaningNamesTheBestChunkAndHonoursFilters() throws IOException {
    try (Search search = Search.open(index, EncoderOptions.defaults(), null)) {
      SearchResult r =
          search.search(SearchRequest.of("a recipe: fry garlic in oil", SearchMode.KNN).withK(5));
      assertThat(r.hits()).hasSize(5);
      assertThat(r.hits().get(0).label()).isEqualTo("cooking");
      assertThat(r.hits().stream().map(Hit::id).distinct()).hasSize(5); // one hit per document
      // The long sport text's best chunk for a cooking query is its cooking chunk.
      SearchResult all =
          search.search(
              SearchRequest.of("whisk eggs with sugar and knead dough", SearchMode.KNN).withK(26));
      Hit longHit =
          all.hits().stream().filter(h -> h.id().equals("long-sport")).findFirst().orElseThrow();
      assertThat(longHit.chunk().index()).isGreaterThan(0);
      assertThat(longHit.snippet()).contains("dough");

      SearchResult filtered =
          search.search(
              SearchRequest.of("who won the match", SearchMode.KNN)
                  .withLabels(List.of("cooking"))
                  .withK(5));
      assertThat(filtered.hits())
          .isNotEmpty()
          .allSatisfy(h -> assertThat(h.label()).isEqualTo("cooking"));
      // The label counts ignore the label filter (post_filter semantics): sport is still counted.
      assertThat(filtered.labels().keySet()).contains("cooking", "sport");
      assertThat(filtered.matches()).isEqualTo(filtered.labels().get("cooking"));

      SearchResult confident =
          search.search(
              SearchRequest.of("who won the match", SearchMode.KNN)
                  .withMinConfidence(0.7f)
                  .withK(26));
      assertThat(confident.hits())
          .allSatisfy(h -> assertThat(h.confidence()).isGreaterThanOrEqualTo(0.7f));
    }
  }

  @Test
  void hybridFusesByReciprocalRank() throws IOException {
    try (Search search = Search.open(index, EncoderOptions.defaults(), null)) {
      SearchResult r =
          search.search(SearchRequest.of("goalkeeper saved shots", SearchMode.HYBRID).withK(5));
      assertThat(r.hits().get(0).id()).isEqualTo("s3"); // first in BM25, near the top by meaning
      assertThat(r.hits().get(0).score()).isLessThanOrEqualTo(2f / (Search.RRF_K + 1));
      assertThat(r.hits().get(0).score()).isGreaterThan(1f / (Search.RRF_K + 1));
      assertThat(r.matches()).isGreaterThanOrEqualTo(r.hits().size());
    }
  }

  @Test
  void reingestingAnIdReplacesTheDocumentAndItsChunks() throws IOException {
    Path again =
        Files.write(
            dir.resolve("again.jsonl"),
            List.of(
                line("c0", "Stir the custard over a low heat until it thickens, then chill it.")));
    long chunksBefore = index.stats().chunks();
    try (Indexer indexer =
        Indexer.open(index, ModelBundle.open(bundleDir), EncoderOptions.defaults())) {
      IngestResult r =
          indexer.ingest(
              again,
              IngestOptions.defaults().withRejects(dir.resolve("again-rejects.jsonl")),
              IngestListener.NONE);
      assertThat(r.documents()).isEqualTo(1);
      assertThat(r.newDocuments()).isZero();
      assertThat(r.replacedDocuments()).isEqualTo(1);
    }
    IndexStats stats = index.stats();
    assertThat(stats.documents()).isEqualTo(26);
    try (DirectoryReader reader = index.openReader()) {
      IndexSearcher s = new IndexSearcher(reader);
      assertThat(s.count(new TermQuery(new Term(FerryFields.ID, "c0")))).isEqualTo(1);
      assertThat(s.count(new TermQuery(new Term(FerryFields.CHUNK_OF, "c0")))).isEqualTo(1);
      assertThat(stats.chunks()).isEqualTo(chunksBefore);
    }
    try (Search search = Search.open(index, EncoderOptions.defaults(), null)) {
      assertThat(search.search(SearchRequest.of("custard", SearchMode.BM25)).hits().get(0).id())
          .isEqualTo("c0");
      assertThat(search.search(SearchRequest.of("onions butter golden", SearchMode.BM25)).hits())
          .noneMatch(h -> h.id().equals("c0"));
    }
  }
}
