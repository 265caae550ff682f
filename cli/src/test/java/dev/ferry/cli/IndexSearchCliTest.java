package dev.ferry.cli;

import static dev.ferry.cli.FerryCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.FerryCliTest.Run;
import dev.ferry.indexer.FerryIndex;
import dev.ferry.indexer.Indexer;
import dev.ferry.indexer.IngestListener;
import dev.ferry.indexer.IngestOptions;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.testing.Samples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** index, search, stats and relabel end to end, in-process, on the bundled Reuters sample. */
class IndexSearchCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static Path bundle;
  static Path index;
  static Run indexed;
  static List<String> docs = new ArrayList<>();

  @BeforeAll
  static void trainAndIndex() throws IOException {
    Path train = Samples.reuters(Samples.REUTERS_TRAIN);
    bundle = dir.resolve("bundle");
    Run trained =
        run(
            "train",
            "--data",
            train.toString(),
            "--encoder",
            "all-minilm-l6-v2-q",
            "--out",
            bundle.toString());
    assertThat(trained.code()).as(trained.err()).isZero();
    List<String> lines =
        Files.readAllLines(Samples.reuters(Samples.REUTERS_TEST)).stream().limit(40).toList();
    for (int i = 0; i < lines.size(); i++) {
      JsonNode o = JSON.readTree(lines.get(i));
      docs.add(
          JSON.writeValueAsString(
              JSON.createObjectNode()
                  .put("id", "r" + i)
                  .put("text", o.get("text").asText())
                  .put("gold", o.get("label").asText())));
    }
    docs.add("{not json");
    Path input = Files.write(dir.resolve("docs.jsonl"), docs);
    index = dir.resolve("index");
    indexed =
        run(
            "index",
            "--bundle",
            bundle.toString(),
            "--input",
            input.toString(),
            "--index",
            index.toString(),
            "--records-per-batch",
            "16");
  }

  @Test
  void indexSaysHowManyWereIndexedAndRejected() throws IOException {
    assertThat(indexed.code()).as("one rejected record exits 1").isEqualTo(1);
    assertThat(indexed.out()).contains("Indexed 40 documents");
    assertThat(indexed.err()).contains("1 record rejected", "rejects.jsonl");
    assertThat(Files.readString(index.resolve("rejects.jsonl")))
        .contains("docs.jsonl:41", "invalid JSON");
  }

  @Test
  void statsAndSearchJson() throws IOException {
    Run stats = run("stats", "--index", index.toString(), "--json");
    assertThat(stats.code()).as(stats.err()).isZero();
    JsonNode s = JSON.readTree(stats.out());
    assertThat(s.get("documents").asInt()).isEqualTo(40);
    assertThat(s.get("chunks").asInt()).isGreaterThanOrEqualTo(40);
    assertThat(s.get("labels").size()).isBetween(1, 3);

    for (String mode : List.of("bm25", "knn", "hybrid")) {
      Run r =
          run(
              "search",
              "--index",
              index.toString(),
              "--mode",
              mode,
              "--json",
              "-k",
              "3",
              "wheat",
              "exports");
      assertThat(r.code()).as(r.err()).isZero();
      JsonNode o = JSON.readTree(r.out());
      assertThat(o.get("hits").size()).as(mode).isEqualTo(3);
      JsonNode hit = o.get("hits").get(0);
      assertThat(hit.get("id").asText()).startsWith("r");
      assertThat(hit.get("label").asText()).isIn("corn", "grain", "other");
      assertThat(hit.get("confidence").asDouble()).isBetween(0.0, 1.0);
      assertThat(hit.get("snippet").asText()).isNotBlank();
      assertThat(hit.at("/fields/gold").asText()).isIn("corn", "grain", "other");
      assertThat(o.get("labels").size()).isPositive();
    }
    Run filtered =
        run("search", "--index", index.toString(), "--label", "other", "--json", "grain harvest");
    JsonNode f = JSON.readTree(filtered.out());
    f.get("hits").forEach(h -> assertThat(h.get("label").asText()).isEqualTo("other"));
    Run text = run("search", "--index", index.toString(), "wheat");
    assertThat(text.out()).contains("matching documents", " 1. r");
  }

  @Test
  void labelCountsComeBeforeTheLabelFilterAndMatchesMeanTheSameInEveryMode() throws IOException {
    for (String mode : List.of("bm25", "knn", "hybrid")) {
      JsonNode all = search("--mode", mode, "--json", "grain", "harvest");
      JsonNode other = search("--mode", mode, "--label", "other", "--json", "grain", "harvest");
      // post_filter semantics: filtering by one label leaves every label's count as it was.
      assertThat(other.get("labels")).as(mode).isEqualTo(all.get("labels"));
      if (!mode.equals("bm25")) {
        assertThat(all.get("labels").size()).as(mode).isGreaterThan(1);
      }
      other.get("hits").forEach(h -> assertThat(h.get("label").asText()).isEqualTo("other"));
      assertThat(other.get("matches").asLong()).isEqualTo(all.at("/labels/other").asLong());
      long keyword = all.get("keyword_matches").asLong();
      long meaning = all.get("meaning_matches").asLong();
      switch (mode) {
        case "bm25" -> {
          assertThat(meaning).isZero();
          assertThat(all.get("matches").asLong()).isEqualTo(keyword).isPositive();
        }
        case "knn" -> {
          // Every document of 40 is among the 100 nearest.
          assertThat(keyword).isZero();
          assertThat(all.get("matches").asLong()).isEqualTo(meaning).isEqualTo(40);
        }
        default ->
            assertThat(all.get("matches").asLong())
                .isGreaterThanOrEqualTo(Math.max(keyword, meaning))
                .isLessThanOrEqualTo(keyword + meaning);
      }
    }
    Run text = run("search", "--index", index.toString(), "--label", "grain", "wheat", "harvest");
    assertThat(text.out())
        .contains("hold a word of the query", "nearest by meaning")
        .contains("labels of the matches before the --label filter: ");
  }

  private static JsonNode search(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of("search", "--index", index.toString()));
    all.addAll(List.of(args));
    Run r = run(all.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
    return JSON.readTree(r.out());
  }

  @Test
  void statsJsonIsTypedAndSnakeCase() throws IOException {
    JsonNode s = JSON.readTree(run("stats", "--index", index.toString(), "--json").out());
    assertThat(s.has("progress")).isFalse();
    JsonNode last = s.get("last_ingest");
    assertThat(last.get("records").isIntegralNumber()).isTrue();
    assertThat(last.get("records").asLong()).isEqualTo(41);
    assertThat(last.get("complete").isBoolean()).isTrue();
    assertThat(last.get("input_bytes").isIntegralNumber()).isTrue();
    assertThat(last.get("input").asText()).endsWith("docs.jsonl");
    assertThat(s.get("ingest_incomplete").isBoolean()).isTrue();
    s.fieldNames().forEachRemaining(name -> assertThat(name).matches("[a-z0-9_]+"));
  }

  @Test
  void theOldBatchOptionIsRefusedNamingTheNewOnes() {
    Run r =
        run(
            "index",
            "--bundle",
            bundle.toString(),
            "--input",
            "x.jsonl",
            "--index",
            "i",
            "--batch",
            "8");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--batch is now --records-per-batch", "--batch-size is texts");
  }

  @Test
  void relabelWithTheSameBundleKeepsLabelsAndBadUsageExitsTwo() throws IOException {
    Run before = run("stats", "--index", index.toString(), "--json");
    Run relabel = run("relabel", "--index", index.toString(), "--bundle", bundle.toString());
    assertThat(relabel.code()).as(relabel.err()).isZero();
    assertThat(relabel.out()).contains("Relabeled 40 documents", "0 changed label");
    JsonNode json =
        JSON.readTree(
            run("relabel", "--index", index.toString(), "--bundle", bundle.toString(), "--json")
                .out());
    assertThat(json.get("documents").asInt()).isEqualTo(40);
    assertThat(json.get("changed").asInt()).isZero();
    assertThat(json.get("changes").size()).isZero();
    assertThat(json.get("labels").size()).isPositive();
    assertThat(
            JSON.readTree(run("stats", "--index", index.toString(), "--json").out()).get("labels"))
        .isEqualTo(JSON.readTree(before.out()).get("labels"));
    assertThat(run("search", "--index", index.toString(), "--mode", "fuzzy", "x").code())
        .isEqualTo(2);
    Run missing = run("search", "--index", dir.resolve("nothing").toString(), "x");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("no such index folder");
  }

  /** {@code ferry ARGS} is refused as bad usage (exit 2), saying each of {@code messages}. */
  private static Run assertUsageError(List<String> messages, String... args) {
    Run r = run(args);
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).contains(messages);
    return r;
  }

  @Test
  void aRejectsFileThatIsTheInputIsRefusedAndTheInputKept() throws IOException {
    Path input = Files.write(dir.resolve("keep.jsonl"), docs.subList(0, 3));
    byte[] before = Files.readAllBytes(input);
    assertUsageError(
        List.of("--rejects", input.toAbsolutePath().normalize().toString(), "is the input"),
        "index",
        "--bundle",
        bundle.toString(),
        "--input",
        input.toString(),
        "--index",
        dir.resolve("keep-index").toString(),
        "--rejects",
        input.toString());
    assertThat(Files.readAllBytes(input)).isEqualTo(before);
  }

  @Test
  void resumeWithNothingCommittedStartsFromTheBeginningAndSaysSo() throws IOException {
    Path input = Files.write(dir.resolve("resume.jsonl"), docs.subList(0, 3));
    Run r =
        run(
            "index",
            "--bundle",
            bundle.toString(),
            "--input",
            input.toString(),
            "--index",
            dir.resolve("resume-index").toString(),
            "--resume");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("Indexed 3 documents", "started from the beginning");
  }

  @Test
  void indexSaysHowManyDocumentsWereNewAndHowManyReplacedAnId() throws IOException {
    List<String> records = new ArrayList<>(docs.subList(0, 5));
    records.addAll(docs.subList(0, 2));
    Path input = Files.write(dir.resolve("repeats.jsonl"), records);
    String[] args = {
      "index",
      "--bundle",
      bundle.toString(),
      "--input",
      input.toString(),
      "--index",
      dir.resolve("repeats-index").toString()
    };
    Run first = run(args);
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out()).contains("Indexed 7 documents (5 new, 2 replaced an existing id)");
    Run again = run(args);
    assertThat(again.out()).contains("Indexed 7 documents (0 new, 7 replaced an existing id)");
  }

  @Test
  void searchRefusesALabelNoDocumentHasAndAKeywordQueryTooLongForLucene() throws IOException {
    assertUsageError(
        List.of("--label", "'sprot'", "labels"),
        "search",
        "--index",
        index.toString(),
        "--label",
        "sprot",
        "wheat");
    String longQuery =
        IntStream.range(0, 15_000).mapToObj(i -> "word" + i).collect(Collectors.joining(" "));
    for (String mode : List.of("bm25", "hybrid")) {
      assertUsageError(
          List.of("15,000 terms", "too long", "--mode knn"),
          "search",
          "--index",
          index.toString(),
          "--mode",
          mode,
          longQuery);
    }
    Run knn = run("search", "--index", index.toString(), "--mode", "knn", "--json", longQuery);
    assertThat(knn.code()).as(knn.err()).isZero();
    assertThat(JSON.readTree(knn.out()).get("hits").size()).isEqualTo(10);
  }

  /**
   * What another process sees while the first ingest of an index runs, before it commits documents.
   */
  @Test
  void statsAndSearchDuringTheFirstIngestShowAnEmptyIndexWithItsIngestIncomplete()
      throws IOException {
    Path input = Files.write(dir.resolve("during.jsonl"), docs.subList(0, 20));
    Path folder = dir.resolve("during-index");
    AtomicReference<Run> stats = new AtomicReference<>();
    AtomicReference<Run> search = new AtomicReference<>();
    try (FerryIndex idx = FerryIndex.open(folder);
        Indexer indexer = Indexer.open(idx, ModelBundle.open(bundle), EncoderOptions.defaults())) {
      indexer.ingest(
          input,
          IngestOptions.defaults().withBatchSize(4),
          new IngestListener() {
            @Override
            public void written(long documents, long chunks, long rejected) {
              if (stats.get() == null) {
                stats.set(run("stats", "--index", folder.toString()));
                search.set(run("search", "--index", folder.toString(), "--mode", "bm25", "wheat"));
              }
            }
          });
    }
    assertThat(stats.get().code()).as(stats.get().err()).isZero();
    assertThat(stats.get().out()).contains("0 documents", "incomplete");
    assertThat(search.get().code()).as(search.get().err()).isZero();
    assertThat(search.get().out()).contains("0 matching documents");
    assertThat(search.get().err()).contains("incomplete");
  }

  @Test
  void anIngestThatWouldMixLabelSetsIsRefusedUnlessAllowedAndStatsShowsTheMix() throws IOException {
    List<String> renamed = new ArrayList<>();
    for (String line : Files.readAllLines(Samples.reuters(Samples.REUTERS_TRAIN))) {
      var o = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(line);
      renamed.add(JSON.writeValueAsString(o.put("label", "topic-" + o.get("label").asText())));
    }
    Path other = dir.resolve("other-bundle");
    Run trained =
        run(
            "train",
            "--data",
            Files.write(dir.resolve("renamed.jsonl"), renamed).toString(),
            "--encoder",
            "all-minilm-l6-v2-q",
            "--out",
            other.toString());
    assertThat(trained.code()).as(trained.err()).isZero();
    Path folder = dir.resolve("mix-index");
    Path first = Files.write(dir.resolve("mix-1.jsonl"), docs.subList(0, 6));
    Path second = Files.write(dir.resolve("mix-2.jsonl"), docs.subList(6, 10));
    assertThat(
            run(
                    "index",
                    "--bundle",
                    bundle.toString(),
                    "--input",
                    first.toString(),
                    "--index",
                    folder.toString())
                .code())
        .isZero();
    assertThat(run("relabel", "--index", folder.toString(), "--bundle", other.toString()).code())
        .isZero();
    String[] more = {
      "index",
      "--bundle",
      bundle.toString(),
      "--input",
      second.toString(),
      "--index",
      folder.toString()
    };
    assertUsageError(List.of("--allow-label-change", "6 documents", "topic-"), more);
    Run allowed =
        run(
            java.util.stream.Stream.concat(
                    java.util.Arrays.stream(more),
                    java.util.stream.Stream.of("--allow-label-change"))
                .toArray(String[]::new));
    assertThat(allowed.code()).as(allowed.err()).isZero();
    JsonNode s = JSON.readTree(run("stats", "--index", folder.toString(), "--json").out());
    assertThat(s.get("mixed_label_sets").asBoolean()).isTrue();
    assertThat(s.get("label_sets")).hasSize(2);
    assertThat(s.at("/label_sets/0/documents").asInt() + s.at("/label_sets/1/documents").asInt())
        .isEqualTo(10);
    assertThat(run("stats", "--index", folder.toString()).out()).contains("mixed");
    // Relabeling back with the first bundle says what changed, old label -> new label -> count.
    JsonNode back =
        JSON.readTree(
            run("relabel", "--index", folder.toString(), "--bundle", bundle.toString(), "--json")
                .out());
    long moved = 0;
    for (var from = back.get("changes").fields(); from.hasNext(); ) {
      var entry = from.next();
      assertThat(entry.getKey()).startsWith("topic-");
      for (var to = entry.getValue().fields(); to.hasNext(); ) {
        var target = to.next();
        assertThat(target.getKey()).isIn("corn", "grain", "other");
        moved += target.getValue().asLong();
      }
    }
    assertThat(moved).isEqualTo(6).isEqualTo(back.get("changed").asLong());
  }
}
