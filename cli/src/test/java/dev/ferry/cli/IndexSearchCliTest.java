package dev.ferry.cli;

import static dev.ferry.cli.FerryCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.FerryCliTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

  @BeforeAll
  static void trainAndIndex() throws IOException {
    Path train = dir.resolve("train.jsonl");
    try (var in = IndexSearchCliTest.class.getResourceAsStream("/dev/ferry/cli/reuters-sample.jsonl")) {
      Files.write(train, in.readAllBytes());
    }
    bundle = dir.resolve("bundle");
    Run trained = run("train", "--data", train.toString(), "--encoder", "all-minilm-l6-v2-q", "--out", bundle.toString(),
        "--epochs", "30");
    assertThat(trained.code()).as(trained.err()).isZero();
    List<String> docs = new ArrayList<>();
    List<String> lines;
    try (var in = IndexSearchCliTest.class.getResourceAsStream("/dev/ferry/cli/reuters-sample-test.jsonl")) {
      lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().limit(40).toList();
    }
    for (int i = 0; i < lines.size(); i++) {
      JsonNode o = JSON.readTree(lines.get(i));
      docs.add(JSON.writeValueAsString(JSON.createObjectNode().put("id", "r" + i).put("text", o.get("text").asText())
          .put("gold", o.get("label").asText())));
    }
    docs.add("{not json");
    Path input = Files.write(dir.resolve("docs.jsonl"), docs);
    index = dir.resolve("index");
    indexed = run("index", "--bundle", bundle.toString(), "--input", input.toString(), "--index", index.toString(),
        "--batch", "16");
  }

  @Test
  void indexSaysHowManyWereIndexedAndRejected() throws IOException {
    assertThat(indexed.code()).as("one rejected record exits 1").isEqualTo(1);
    assertThat(indexed.out()).contains("Indexed 40 documents");
    assertThat(indexed.err()).contains("1 record rejected", "rejects.jsonl");
    assertThat(Files.readString(index.resolve("rejects.jsonl"))).contains("docs.jsonl:41", "invalid JSON");
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
      Run r = run("search", "--index", index.toString(), "--mode", mode, "--json", "-k", "3", "wheat", "exports");
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
    Run filtered = run("search", "--index", index.toString(), "--label", "other", "--json", "grain harvest");
    JsonNode f = JSON.readTree(filtered.out());
    f.get("hits").forEach(h -> assertThat(h.get("label").asText()).isEqualTo("other"));
    Run text = run("search", "--index", index.toString(), "wheat");
    assertThat(text.out()).contains("matching documents", " 1. r");
  }

  @Test
  void relabelWithTheSameBundleKeepsLabelsAndBadUsageExitsTwo() throws IOException {
    Run before = run("stats", "--index", index.toString(), "--json");
    Run relabel = run("relabel", "--index", index.toString(), "--bundle", bundle.toString());
    assertThat(relabel.code()).as(relabel.err()).isZero();
    assertThat(relabel.out()).contains("Relabeled 40 documents", "0 changed label");
    assertThat(JSON.readTree(run("stats", "--index", index.toString(), "--json").out()).get("labels"))
        .isEqualTo(JSON.readTree(before.out()).get("labels"));
    assertThat(run("search", "--index", index.toString(), "--mode", "fuzzy", "x").code()).isEqualTo(2);
    Run missing = run("search", "--index", dir.resolve("nothing").toString(), "x");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("no such index folder");
  }
}
