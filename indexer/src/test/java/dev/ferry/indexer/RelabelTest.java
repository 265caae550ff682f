package dev.ferry.indexer;

import static dev.ferry.indexer.TestBundles.line;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.indexer.search.Search;
import dev.ferry.indexer.search.SearchMode;
import dev.ferry.indexer.search.SearchRequest;
import dev.ferry.indexer.search.SearchResult;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Relabeling from stored vectors with a new head, and refusing a head of another encoder. */
class RelabelTest {
  @TempDir Path dir;

  private FerryIndex ingested() throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < TestBundles.SPORT.size(); i++) {
      lines.add(line("s" + i, TestBundles.SPORT.get(i)));
      lines.add(line("c" + i, TestBundles.COOKING.get(i)));
    }
    Path input = Files.write(dir.resolve("docs.jsonl"), lines);
    FerryIndex index = FerryIndex.open(dir.resolve("index"));
    try (Indexer indexer =
        Indexer.open(
            index, ModelBundle.open(TestBundles.sportCooking()), EncoderOptions.defaults())) {
      indexer.ingest(input, IngestOptions.defaults(), IngestListener.NONE);
    }
    return index;
  }

  @Test
  void relabelRewritesLabelsInPlaceFromStoredVectors() throws IOException {
    try (FerryIndex index = ingested()) {
      IndexStats before = index.stats();
      long sport = before.labels().get("sport");
      RelabelResult r =
          Relabeler.relabel(index, ModelBundle.open(TestBundles.gamesFood()), n -> {});
      assertThat(r.documents()).isEqualTo(24);
      assertThat(r.changed()).isEqualTo(24);
      assertThat(r.bundle()).startsWith("games-food@");
      IndexStats after = index.stats();
      // Same vectors, same data, other label names: the same split of documents.
      assertThat(after.labels()).containsOnlyKeys("games", "food");
      assertThat(after.labels().get("games")).isEqualTo(sport);
      assertThat(after.bundles()).containsOnlyKeys(r.bundle());
      assertThat(after.chunks()).isEqualTo(before.chunks());
      assertThat(after.progress()).isEqualTo(before.progress());
      try (Search search = Search.open(index, EncoderOptions.defaults(), null)) {
        SearchResult hits =
            search.search(
                SearchRequest.of("penalty shootout final", SearchMode.HYBRID)
                    .withLabels(List.of("games")));
        assertThat(hits.hits())
            .isNotEmpty()
            .allSatisfy(
                h -> {
                  assertThat(h.label()).isEqualTo("games");
                  assertThat(h.probabilities()).containsOnlyKeys("games", "food");
                  assertThat(h.bundle()).isEqualTo(r.bundle());
                });
        assertThat(hits.hits().get(0).id()).isEqualTo("s1");
      }
    }
    // The relabel was committed: a fresh open sees it.
    try (FerryIndex reopened = FerryIndex.openExisting(dir.resolve("index"))) {
      assertThat(reopened.stats().labels()).containsOnlyKeys("games", "food");
      assertThat(reopened.labels()).containsExactlyInAnyOrder("sport", "cooking", "games", "food");
    }
  }

  @Test
  void aBundleOfAnotherEncoderOrChunkingIsRefused() throws IOException {
    try (FerryIndex index = ingested()) {
      ModelBundle other = ModelBundle.open(TestBundles.otherEncoder());
      assertThatThrownBy(() -> Relabeler.relabel(index, other, n -> {}))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("its encoder is all-minilm-l6-v2 ")
          .hasMessageContaining("come from all-minilm-l6-v2-q")
          .hasMessageContaining("trained on");
      assertThatThrownBy(() -> Indexer.open(index, other, EncoderOptions.defaults()))
          .isInstanceOf(IndexException.class);
      ModelBundle chunked = ModelBundle.open(TestBundles.otherChunking());
      assertThatThrownBy(() -> Relabeler.relabel(index, chunked, n -> {}))
          .isInstanceOf(IndexException.class)
          .hasMessageContaining("chunks of 48 tokens");
      assertThat(index.stats().labels()).containsOnlyKeys("sport", "cooking");
    }
  }

  /**
   * After a relabel to other labels, an ingest with the old bundle would mix two label sets:
   * refused unless allowed.
   */
  @Test
  void anIngestWithABundleOfOtherLabelsThanTheDocumentsCarryIsRefused() throws IOException {
    Path more = Files.write(dir.resolve("more.jsonl"), TestBundles.docs("m", 0, 4));
    try (FerryIndex index = ingested()) {
      Relabeler.relabel(index, ModelBundle.open(TestBundles.gamesFood()), n -> {});
      try (Indexer indexer =
          Indexer.open(
              index, ModelBundle.open(TestBundles.sportCooking()), EncoderOptions.defaults())) {
        assertThatThrownBy(
                () -> indexer.ingest(more, IngestOptions.defaults(), IngestListener.NONE))
            .isInstanceOf(IndexException.class)
            .hasMessageContaining("sport-cooking")
            .hasMessageContaining("[cooking, sport]")
            .hasMessageContaining("[food, games]")
            .hasMessageContaining("24 documents");
      }
      assertThat(index.stats().documents()).isEqualTo(24);
      assertThat(index.stats().labels()).containsOnlyKeys("games", "food");
      // The bundle of the labels the documents carry goes on.
      try (Indexer indexer =
          Indexer.open(
              index, ModelBundle.open(TestBundles.gamesFood()), EncoderOptions.defaults())) {
        assertThat(indexer.ingest(more, IngestOptions.defaults(), IngestListener.NONE).documents())
            .isEqualTo(4);
      }
      assertThat(index.stats().labels()).containsOnlyKeys("games", "food");
      assertThat(index.stats().mixedLabelSets()).isFalse();
    }
  }

  /**
   * Allowed, the change leaves two label sets, which stats shows, until a relabel makes them one.
   */
  @Test
  void anAllowedLabelChangeShowsInStatsUntilARelabel() throws IOException {
    Path more = Files.write(dir.resolve("more.jsonl"), TestBundles.docs("m", 0, 4));
    try (FerryIndex index = ingested()) {
      RelabelResult relabeled =
          Relabeler.relabel(index, ModelBundle.open(TestBundles.gamesFood()), n -> {});
      ModelBundle sportCooking = ModelBundle.open(TestBundles.sportCooking());
      try (Indexer indexer = Indexer.open(index, sportCooking, EncoderOptions.defaults())) {
        indexer.ingest(
            more, IngestOptions.defaults().withAllowLabelChange(true), IngestListener.NONE);
      }
      IndexStats mixed = index.stats();
      assertThat(mixed.mixedLabelSets()).isTrue();
      assertThat(mixed.labelSets())
          .containsExactly(
              new IndexStats.LabelSet(List.of("food", "games"), List.of(relabeled.bundle()), 24),
              new IndexStats.LabelSet(
                  List.of("cooking", "sport"), List.of(FerryIndex.refOf(sportCooking).key()), 4));
      // Once mixed, either label set needs the option.
      try (Indexer indexer =
          Indexer.open(
              index, ModelBundle.open(TestBundles.gamesFood()), EncoderOptions.defaults())) {
        assertThatThrownBy(
                () -> indexer.ingest(more, IngestOptions.defaults(), IngestListener.NONE))
            .isInstanceOf(InvalidSettingException.class)
            .hasMessageContaining("4 documents");
      }
      Relabeler.relabel(index, ModelBundle.open(TestBundles.gamesFood()), n -> {});
      assertThat(index.stats().labelSets())
          .singleElement()
          .satisfies(set -> assertThat(set.documents()).isEqualTo(28));
    }
  }
}
