package dev.ferry.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An ingest says how many documents were new and how many replaced one with the same id. */
class IngestCountsTest {
  @TempDir Path dir;

  @Test
  void documentsThatReplaceAnIdIndexedBeforeOrEarlierInTheRunAreCountedApart() throws IOException {
    Path first = Files.write(dir.resolve("first.jsonl"), TestBundles.docs("d", 0, 4));
    List<String> second = new ArrayList<>();
    second.addAll(TestBundles.docs("d", 1, 2)); // indexed before
    second.addAll(TestBundles.docs("n", 0, 2)); // new
    second.addAll(TestBundles.docs("n", 0, 1)); // new, then again in the same run
    second.addAll(TestBundles.docs("d", 1, 2)); // indexed before, and again in this run
    second.add("{broken");
    Path input = Files.write(dir.resolve("second.jsonl"), second);
    try (FerryIndex index = FerryIndex.open(dir.resolve("index"));
        Indexer indexer =
            Indexer.open(
                index, ModelBundle.open(TestBundles.sportCooking()), EncoderOptions.defaults())) {
      IngestResult r1 = indexer.ingest(first, IngestOptions.defaults(), IngestListener.NONE);
      assertThat(r1.newDocuments()).isEqualTo(4);
      assertThat(r1.replacedDocuments()).isZero();
      IngestResult r2 =
          indexer.ingest(input, IngestOptions.defaults().withBatchSize(2), IngestListener.NONE);
      assertThat(r2.documents()).isEqualTo(5);
      assertThat(r2.rejected()).isEqualTo(1);
      assertThat(r2.newDocuments()).isEqualTo(2);
      assertThat(r2.replacedDocuments()).isEqualTo(3);
      assertThat(index.stats().documents()).isEqualTo(r1.newDocuments() + r2.newDocuments());
    }
  }
}
