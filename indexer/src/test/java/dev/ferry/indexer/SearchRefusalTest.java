package dev.ferry.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.indexer.search.Search;
import dev.ferry.indexer.search.SearchMode;
import dev.ferry.indexer.search.SearchRequest;
import dev.ferry.indexer.search.SearchResult;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.lucene.search.IndexSearcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Searches that cannot be answered as asked are refused saying why, not answered with nothing or a
 * Lucene error.
 */
class SearchRefusalTest {
  @TempDir static Path dir;
  static FerryIndex index;
  static Search search;

  @BeforeAll
  static void ingest() throws IOException {
    Path input = Files.write(dir.resolve("docs.jsonl"), TestBundles.docs("d", 0, 24));
    index = FerryIndex.open(dir.resolve("index"));
    TestBundles.ingest(index, input, IngestOptions.defaults(), IngestListener.NONE);
    search = Search.open(index, EncoderOptions.defaults(), null);
  }

  @AfterAll
  static void close() throws IOException {
    search.close();
    index.close();
  }

  /** About 100 KB of text: 15,000 words. */
  static String longQuery() {
    return IntStream.range(0, 15_000).mapToObj(i -> "word" + i).collect(Collectors.joining(" "));
  }

  @Test
  void aKeywordQueryWithMoreTermsThanLuceneTakesIsRefusedSayingHowManyAndTheLimit() {
    String query = longQuery();
    assertThat(query.length()).isGreaterThan(100_000);
    String limit = String.format(Locale.ROOT, "%,d", IndexSearcher.getMaxClauseCount());
    for (SearchMode mode : List.of(SearchMode.BM25, SearchMode.HYBRID)) {
      assertThatThrownBy(() -> search.search(SearchRequest.of(query, mode)))
          .as(mode.id())
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("15,000 terms")
          .hasMessageContaining(limit)
          .hasMessageContaining("too long")
          .hasMessageContaining("shorten");
    }
  }

  /** The query encoder reads only the model's window of a query, however long the query is. */
  @Test
  void knnTakesAVeryLongQuery() throws IOException {
    String query =
        String.join(" ", java.util.Collections.nCopies(400, String.join(" ", TestBundles.SPORT)));
    assertThat(query.length()).isGreaterThan(100_000);
    SearchResult r = search.search(SearchRequest.of(query, SearchMode.KNN).withK(5));
    assertThat(r.hits()).hasSize(5);
    assertThat(r.hits().get(0).label()).isEqualTo("sport");
  }

  @Test
  void aLabelNoDocumentHasIsRefusedNamingTheLabelsThereAre() throws IOException {
    for (SearchMode mode : SearchMode.values()) {
      assertThatThrownBy(
              () ->
                  search.search(
                      SearchRequest.of("match", mode).withLabels(List.of("sport", "sprot"))))
          .as(mode.id())
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("'sprot'")
          .hasMessageContaining("cooking, sport");
    }
    assertThat(
            search
                .search(SearchRequest.of("match", SearchMode.BM25).withLabels(List.of("sport")))
                .hits())
        .isNotEmpty()
        .allSatisfy(h -> assertThat(h.label()).isEqualTo("sport"));
  }
}
