package dev.ferry.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.encoder.Vectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Measures the plugin in a real node ({@link RealNode}) and prints {@code [ferry bench]} lines for
 * eval/RESULTS.md. Skipped unless {@code -Dferry.bench=true}:
 *
 * <pre>{@code
 * ./mvnw -B -pl plugin -am verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dit.test=PluginBenchmarkIT -Dferry.bench=true
 * }</pre>
 *
 * <ol>
 *   <li>Ingest through {@code ferry_classify} at the setting of OpenSearch's 2023 semantic-search
 *       benchmark (all-MiniLM-L6-v2, 128 tokens, one window per document), fp32 and int8, against
 *       the embedded classifier on the same texts in the same batches, back to back
 *       ({@code -Dferry.bench.ingest.docs}, default 2000).
 *   <li>Relabel by {@code _update_by_query} against re-ingesting the same documents through
 *       {@code ferry_classify} with a bundle of the same encoder, back to back
 *       ({@code -Dferry.bench.relabel.docs}, default 600).
 *   <li>{@code ferry_semantic} latency and recall@10 against exact search on generated vectors
 *       ({@code -Dferry.bench.vectors}, default 100000; {@code -Dferry.bench.queries}, default 500).
 * </ol>
 */
class PluginBenchmarkIT {
  private static final int BULK = 500;
  private static RealNode node;
  private static int cores;

  @BeforeAll
  static void startNode() throws Exception {
    Assumptions.assumeTrue(Boolean.getBoolean("ferry.bench"), "benchmarks run with -Dferry.bench=true");
    node = RealNode.start(Map.of(TestBundles.REUTERS, TestBundles.reuters(), TestBundles.CROPS, TestBundles.crops(),
        "minilm-128", TestBundles.firstWindow("all-minilm-l6-v2", 128),
        "minilm-q-128", TestBundles.firstWindow("all-minilm-l6-v2-q", 128)), System.getProperty("ferry.bench.heap", "2g"));
    cores = node.send("GET", "/_nodes/os", null).path("nodes").elements().next().path("os")
        .path("allocated_processors").asInt();
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void ingestAtTheSettingOfOpenSearchsSemanticSearchBenchmark() throws Exception {
    int docs = Integer.getInteger("ferry.bench.ingest.docs", 2000);
    List<String> texts = TestBundles.repeat(TestBundles.stories(350), docs);
    for (String bundle : List.of("minilm-128", "minilm-q-128")) {
      Path folder = TestBundles.firstWindow(bundle.startsWith("minilm-q") ? "all-minilm-l6-v2-q" : "all-minilm-l6-v2",
          128);
      double embedded = embeddedRate(folder, texts);
      String index = "ingest-" + bundle;
      createIndex(index, 1);
      node.send("PUT", "/_ingest/pipeline/" + bundle, "{\"processors\": [{\"ferry_classify\": {\"bundle\": \""
          + bundle + "\", \"field\": \"body\"}}]}");
      bulk(index, bundle, texts.subList(0, 64), docs); // warm up the node's copy of the bundle
      double seconds = bulk(index, bundle, texts, 0);
      double rate = docs / seconds;
      report(String.format(Locale.ROOT, "ingest %s (128 tokens, one window): ferry_classify %.1f docs/s = %.1f per core "
          + "(%d cores; OpenSearch 2023: 17.8 per vCPU, x%.1f), embedded Classifier %.1f docs/s (plugin at %.0f%%), "
          + "%d docs in bulks of %d, batch_size 64", bundle, rate, rate / cores, cores, rate / cores / 17.75, embedded,
          100 * rate / embedded, docs, BULK));
    }
  }

  /** Docs/s of the embedded classifier on {@code texts} in batches of 64, after a warm-up. */
  private static double embeddedRate(Path bundle, List<String> texts) throws InterruptedException {
    try (Classifier classifier = ModelBundle.open(bundle).openClassifier(EncoderOptions.defaults())) {
      classifier.classifyDocuments(texts.subList(0, 64));
      long start = System.nanoTime();
      for (int from = 0; from < texts.size(); from += 64) {
        classifier.classifyDocuments(texts.subList(from, Math.min(texts.size(), from + 64)));
      }
      double rate = texts.size() / ((System.nanoTime() - start) / 1e9);
      Thread.sleep(1000); // let ONNX Runtime's threads here go idle before the node's turn
      return rate;
    }
  }

  @Test
  void relabelAgainstReingestingTheSameDocuments() throws Exception {
    int docs = Integer.getInteger("ferry.bench.relabel.docs", 600);
    List<String> texts = TestBundles.repeat(TestBundles.stories(350), docs);
    createIndex("relabel", 1);
    node.send("PUT", "/_ingest/pipeline/classify-crops", "{\"processors\": [{\"ferry_classify\": {\"bundle\": \""
        + TestBundles.CROPS + "\", \"field\": \"body\"}}]}");
    node.send("PUT", "/_ingest/pipeline/relabel-reuters", "{\"processors\": [{\"ferry_relabel\": {\"bundle\": \""
        + TestBundles.REUTERS + "\"}}]}");
    // Warm the crops bundle's encoder, as a node that has been ingesting would have it.
    bulk("relabel", "classify-crops", texts.subList(0, 64), 0);
    double reingest = bulk("relabel", "classify-crops", texts, 0);
    long start = System.nanoTime();
    JsonNode relabeled = node.send("POST", "/relabel/_update_by_query?pipeline=relabel-reuters&refresh=true", null);
    double relabel = (System.nanoTime() - start) / 1e9;
    assertThat(relabeled.get("updated").asInt()).isEqualTo(docs);
    assertThat(relabeled.get("failures").size()).isZero();
    report(String.format(Locale.ROOT, "relabel %d whole Reuters stories (int8 MiniLM, chunks of 256 tokens): re-ingest "
        + "through ferry_classify %.2f s (%.1f docs/s), _update_by_query with ferry_relabel %.2f s (%.1f docs/s): "
        + "%.1fx faster", docs, reingest, docs / reingest, relabel, docs / relabel, reingest / relabel));
  }

  @Test
  void semanticLatencyAndRecallOnGeneratedVectors() throws Exception {
    int count = Integer.getInteger("ferry.bench.vectors", 100_000);
    int queries = Integer.getInteger("ferry.bench.queries", 500);
    int k = 10;
    ClusteredVectors generator = new ClusteredVectors(42, 384);
    float[][] data = generator.draw(count);
    float[][] probes = generator.draw(queries);
    node.send("PUT", "/vectors", "{\"settings\": {\"number_of_shards\": 1, \"number_of_replicas\": 0, "
        + "\"refresh_interval\": \"-1\"}, \"mappings\": {\"properties\": {\"v\": {\"type\": \"ferry_vector\", "
        + "\"dimension\": 384, \"similarity\": \"dot_product\"}}}}");
    long start = System.nanoTime();
    for (int from = 0; from < count; from += 2000) {
      StringBuilder body = new StringBuilder();
      for (int i = from; i < Math.min(count, from + 2000); i++) {
        body.append("{\"index\": {\"_index\": \"vectors\", \"_id\": \"").append(i).append("\"}}\n{\"v\": ")
            .append(Arrays.toString(data[i])).append("}\n");
      }
      assertThat(node.send("POST", "/_bulk", body.toString()).get("errors").asBoolean()).isFalse();
    }
    node.send("POST", "/vectors/_refresh", null);
    double indexing = (System.nanoTime() - start) / 1e9;
    start = System.nanoTime();
    node.send("POST", "/vectors/_forcemerge?max_num_segments=1", null);
    double merging = (System.nanoTime() - start) / 1e9;
    start = System.nanoTime();
    int[][] truth = new int[queries][];
    for (int q = 0; q < queries; q++) {
      truth[q] = Vectors.nearest(probes[q], data, k).stream().mapToInt(Vectors.Neighbour::index).toArray();
    }
    double exactMillis = (System.nanoTime() - start) / 1e6 / queries;
    for (int candidates : List.of(10, 50, 100)) {
      Map<String, Double> measured = searchVectors(probes, truth, k, candidates);
      report(String.format(Locale.ROOT, "ferry_semantic on %,d vectors (384 dims, clustered, 1 segment): "
          + "num_candidates %d: recall@%d %.3f, took p50 %.1f ms p99 %.1f ms, HTTP round trip p50 %.1f ms p99 %.1f ms; "
          + "exact search (Vectors.nearest) %.1f ms/query; indexing %.0f s, force merge %.0f s", count, candidates, k,
          measured.get("recall"), measured.get("took50"), measured.get("took99"), measured.get("wall50"),
          measured.get("wall99"), exactMillis, indexing, merging));
    }
    Map<String, Double> texts = searchTexts(Math.min(queries, 200), k);
    report(String.format(Locale.ROOT, "ferry_semantic with query_text (bundle reuters, int8 MiniLM, embedded on the "
        + "coordinating node) on the same index: took p50 %.1f ms p99 %.1f ms, HTTP round trip p50 %.1f ms p99 %.1f ms",
        texts.get("took50"), texts.get("took99"), texts.get("wall50"), texts.get("wall99")));
  }

  private static Map<String, Double> searchVectors(float[][] probes, int[][] truth, int k, int candidates)
      throws Exception {
    for (int q = 0; q < Math.min(50, probes.length); q++) {
      vectorQuery(probes[q], k, candidates);
    }
    double[] took = new double[probes.length];
    double[] wall = new double[probes.length];
    double recall = 0;
    for (int q = 0; q < probes.length; q++) {
      long start = System.nanoTime();
      JsonNode r = vectorQuery(probes[q], k, candidates);
      wall[q] = (System.nanoTime() - start) / 1e6;
      took[q] = r.get("took").asDouble();
      Set<String> expected = new HashSet<>();
      for (int i : truth[q]) {
        expected.add(Integer.toString(i));
      }
      int found = 0;
      for (JsonNode hit : r.path("hits").path("hits")) {
        found += expected.contains(hit.get("_id").asText()) ? 1 : 0;
      }
      recall += (double) found / k;
    }
    Map<String, Double> out = percentiles(took, wall);
    out.put("recall", recall / probes.length);
    return out;
  }

  private static JsonNode vectorQuery(float[] vector, int k, int candidates) throws Exception {
    return node.send("POST", "/vectors/_search", "{\"size\": " + k + ", \"_source\": false, \"query\": {"
        + "\"ferry_semantic\": {\"field\": \"v\", \"vector\": " + Arrays.toString(vector) + ", \"k\": " + k
        + ", \"num_candidates\": " + candidates + "}}}");
  }

  private static Map<String, Double> searchTexts(int count, int k) throws Exception {
    List<String> texts = TestBundles.testTexts(150);
    double[] took = new double[count];
    double[] wall = new double[count];
    for (int q = -20; q < count; q++) {
      String text = texts.get(Math.floorMod(q, texts.size()));
      String query = RealNode.JSON.writeValueAsString(text.substring(0, Math.min(120, text.length())));
      long start = System.nanoTime();
      JsonNode r = node.send("POST", "/vectors/_search", "{\"size\": " + k + ", \"_source\": false, \"query\": {"
          + "\"ferry_semantic\": {\"field\": \"v\", \"query_text\": " + query + ", \"bundle\": \"reuters\", \"k\": "
          + k + "}}}");
      if (q >= 0) {
        wall[q] = (System.nanoTime() - start) / 1e6;
        took[q] = r.get("took").asDouble();
      }
    }
    return percentiles(took, wall);
  }

  private static Map<String, Double> percentiles(double[] took, double[] wall) {
    Arrays.sort(took);
    Arrays.sort(wall);
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("took50", took[took.length / 2]);
    out.put("took99", took[Math.min(took.length - 1, (int) Math.ceil(took.length * 0.99) - 1)]);
    out.put("wall50", wall[wall.length / 2]);
    out.put("wall99", wall[Math.min(wall.length - 1, (int) Math.ceil(wall.length * 0.99) - 1)]);
    return out;
  }

  private static void createIndex(String index, int shards) throws Exception {
    node.send("PUT", "/" + index, "{\"settings\": {\"number_of_shards\": " + shards + ", \"number_of_replicas\": 0}, "
        + "\"mappings\": {\"properties\": {\"body\": {\"type\": \"text\"}, \"ferry\": {\"properties\": {"
        + "\"label\": {\"type\": \"keyword\"}, \"bundle\": {\"type\": \"keyword\"}, \"text_hash\": {\"type\": \"keyword\"},"
        + "\"vector\": {\"type\": \"ferry_vector\", \"dimension\": 384, \"similarity\": \"dot_product\"},"
        + "\"features\": {\"type\": \"object\", \"enabled\": false}}}}}}");
  }

  /** Seconds to bulk {@code texts} through {@code pipeline} in requests of {@value #BULK}, then refresh. */
  private static double bulk(String index, String pipeline, List<String> texts, int firstId) throws Exception {
    List<String> bodies = new ArrayList<>();
    for (int from = 0; from < texts.size(); from += BULK) {
      StringBuilder body = new StringBuilder();
      for (int i = from; i < Math.min(texts.size(), from + BULK); i++) {
        body.append("{\"index\": {\"_index\": \"").append(index).append("\", \"_id\": \"").append(firstId + i)
            .append("\"}}\n").append(RealNode.JSON.writeValueAsString(Map.of("body", texts.get(i)))).append('\n');
      }
      bodies.add(body.toString());
    }
    long start = System.nanoTime();
    for (String body : bodies) {
      JsonNode r = node.send("POST", "/_bulk?pipeline=" + pipeline, body);
      assertThat(r.get("errors").asBoolean()).as(r.toString()).isFalse();
    }
    node.send("POST", "/" + index + "/_refresh", null);
    return (System.nanoTime() - start) / 1e9;
  }

  private static void report(String line) {
    System.out.println("[ferry bench] " + line);
  }
}
