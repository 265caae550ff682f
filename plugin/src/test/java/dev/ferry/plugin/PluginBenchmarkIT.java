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
 *       the embedded classifier on the same texts in the same batches, back to back ({@code
 *       -Dferry.bench.ingest.docs}, default 2000).
 *   <li>Relabel by {@code _update_by_query} against re-ingesting the same documents through {@code
 *       ferry_classify} with a bundle of the same encoder, back to back ({@code
 *       -Dferry.bench.relabel.docs}, default 600).
 *   <li>{@code ferry_semantic} latency and recall@10 against exact search on generated vectors
 *       ({@code -Dferry.bench.vectors}, default 100000; {@code -Dferry.bench.queries}, default
 *       500).
 * </ol>
 *
 * <p>{@code -Dferry.bench.only=ingest,relabel,vectors} runs some of them; {@code
 * -Dferry.bench.encoder.threads=N} gives the encoders N ONNX Runtime threads, in the node ({@code
 * ferry.encoder.intra_op_threads}) and in the embedded runs (default: one per processor). Rates are
 * given per second of wall time and per CPU-second of the process (the node's, from its stats; the
 * test's own for the embedded classifier), and each line ends with the machine's load averages: on
 * a shared machine only quantities measured back to back in one run compare.
 */
class PluginBenchmarkIT {
  private static final int BULK = 500;
  private static RealNode node;
  private static int cores;

  /**
   * ONNX Runtime threads per model run, in the node and in the embedded runs (0: one per
   * processor).
   */
  private static final int THREADS = Integer.getInteger("ferry.bench.encoder.threads", 0);

  @BeforeAll
  static void startNode() throws Exception {
    Assumptions.assumeTrue(
        Boolean.getBoolean("ferry.bench"), "benchmarks run with -Dferry.bench=true");
    node =
        RealNode.start(
            Map.of(
                TestBundles.REUTERS,
                TestBundles.reuters(),
                TestBundles.CROPS,
                TestBundles.crops(),
                "minilm-128",
                TestBundles.firstWindow("all-minilm-l6-v2", 128),
                "minilm-q-128",
                TestBundles.firstWindow("all-minilm-l6-v2-q", 128)),
            System.getProperty("ferry.bench.heap", "2g"),
            List.of(FerryPlugin.ENCODER_THREADS.getKey() + ": " + THREADS));
    cores =
        node.send("GET", "/_nodes/os", null)
            .path("nodes")
            .elements()
            .next()
            .path("os")
            .path("allocated_processors")
            .asInt();
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void ingestAtTheSettingOfOpenSearchsSemanticSearchBenchmark() throws Exception {
    runs("ingest");
    int docs = Integer.getInteger("ferry.bench.ingest.docs", 2000);
    List<String> texts = TestBundles.repeat(TestBundles.stories(350), docs);
    for (String bundle : List.of("minilm-128", "minilm-q-128")) {
      Path folder =
          TestBundles.firstWindow(
              bundle.startsWith("minilm-q") ? "all-minilm-l6-v2-q" : "all-minilm-l6-v2", 128);
      double[] embedded = embeddedRate(folder, texts);
      String index = "ingest-" + bundle;
      createIndex(index, 1);
      node.send(
          "PUT",
          "/_ingest/pipeline/" + bundle,
          "{\"processors\": [{\"ferry_classify\": {\"bundle\": \""
              + bundle
              + "\", \"field\": \"body\"}}]}");
      bulk(index, bundle, texts.subList(0, 64), docs); // warm up the node's copy of the bundle
      double cpu = nodeCpuSeconds();
      double seconds = bulk(index, bundle, texts, 0);
      cpu = nodeCpuSeconds() - cpu;
      report(
          String.format(
              Locale.ROOT,
              "ingest %s (128 tokens, one window), %d docs in bulks of %d, batch_size 64, "
                  + "encoder threads %s: ferry_classify %.1f docs/s wall (%.1f per core of %d) and %.1f docs per CPU-second of the node "
                  + "(OpenSearch 2023: 17.8 per vCPU; x%.1f); embedded Classifier %.1f docs/s wall, %.1f per CPU-second; "
                  + "plugin at %.0f%% of the embedded rate per CPU-second (%.0f%% wall)",
              bundle,
              docs,
              BULK,
              THREADS == 0 ? "all" : Integer.toString(THREADS),
              docs / seconds,
              docs / seconds / cores,
              cores,
              docs / cpu,
              docs / cpu / 17.75,
              embedded[0],
              embedded[1],
              100 * (docs / cpu) / embedded[1],
              100 * (docs / seconds) / embedded[0]));
    }
  }

  /**
   * The embedded classifier on {@code texts} in batches of 64, after a warm-up: docs per second of
   * wall time, and per CPU-second of this process.
   */
  private static double[] embeddedRate(Path bundle, List<String> texts)
      throws InterruptedException {
    try (Classifier classifier =
        ModelBundle.open(bundle)
            .openClassifier(EncoderOptions.defaults().withIntraOpThreads(THREADS))) {
      classifier.classifyDocuments(texts.subList(0, 64));
      double cpu = ownCpuSeconds();
      long start = System.nanoTime();
      for (int from = 0; from < texts.size(); from += 64) {
        classifier.classifyDocuments(texts.subList(from, Math.min(texts.size(), from + 64)));
      }
      double wall = (System.nanoTime() - start) / 1e9;
      cpu = ownCpuSeconds() - cpu;
      Thread.sleep(1000); // let ONNX Runtime's threads here go idle before the node's turn
      return new double[] {texts.size() / wall, texts.size() / cpu};
    }
  }

  /** CPU seconds the node's process has used (all its threads, ONNX Runtime's native ones too). */
  private static double nodeCpuSeconds() throws Exception {
    return node.send("GET", "/_nodes/_local/stats/process", null)
            .path("nodes")
            .elements()
            .next()
            .path("process")
            .path("cpu")
            .path("total_in_millis")
            .asLong()
        / 1000.0;
  }

  /** CPU seconds this JVM's process has used. */
  private static double ownCpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime()
        / 1e9;
  }

  @Test
  void relabelAgainstReingestingTheSameDocuments() throws Exception {
    runs("relabel");
    int docs = Integer.getInteger("ferry.bench.relabel.docs", 600);
    List<String> texts = TestBundles.repeat(TestBundles.stories(350), docs);
    createIndex("relabel", 1);
    node.send(
        "PUT",
        "/_ingest/pipeline/classify-crops",
        "{\"processors\": [{\"ferry_classify\": {\"bundle\": \""
            + TestBundles.CROPS
            + "\", \"field\": \"body\"}}]}");
    node.send(
        "PUT",
        "/_ingest/pipeline/relabel-reuters",
        "{\"processors\": [{\"ferry_relabel\": {\"bundle\": \"" + TestBundles.REUTERS + "\"}}]}");
    // Warm the crops bundle's encoder, as a node that has been ingesting would have it.
    bulk("relabel", "classify-crops", texts.subList(0, 64), 0);
    double cpu = nodeCpuSeconds();
    double reingest = bulk("relabel", "classify-crops", texts, 0);
    double reingestCpu = nodeCpuSeconds() - cpu;
    cpu = nodeCpuSeconds();
    long start = System.nanoTime();
    JsonNode relabeled =
        node.send("POST", "/relabel/_update_by_query?pipeline=relabel-reuters&refresh=true", null);
    double relabel = (System.nanoTime() - start) / 1e9;
    double relabelCpu = nodeCpuSeconds() - cpu;
    assertThat(relabeled.get("updated").asInt()).isEqualTo(docs);
    assertThat(relabeled.get("failures").size()).isZero();
    report(
        String.format(
            Locale.ROOT,
            "relabel %d whole Reuters stories (int8 MiniLM, chunks of 256 tokens): re-ingest "
                + "through ferry_classify %.2f s (%.1f docs/s, %.1f CPU-s), _update_by_query with ferry_relabel %.2f s "
                + "(%.1f docs/s, %.1f CPU-s): %.1fx faster in wall time, %.1fx less CPU",
            docs,
            reingest,
            docs / reingest,
            reingestCpu,
            relabel,
            docs / relabel,
            relabelCpu,
            reingest / relabel,
            reingestCpu / relabelCpu));
  }

  @Test
  void semanticLatencyAndRecallOnGeneratedVectors() throws Exception {
    runs("vectors");
    int count = Integer.getInteger("ferry.bench.vectors", 100_000);
    int queries = Integer.getInteger("ferry.bench.queries", 500);
    int k = 10;
    ClusteredVectors generator = new ClusteredVectors(42, 384);
    float[][] data = generator.draw(count);
    float[][] probes = generator.draw(queries);
    node.send(
        "PUT",
        "/vectors",
        "{\"settings\": {\"number_of_shards\": 1, \"number_of_replicas\": 0, "
            + "\"refresh_interval\": \"-1\"}, \"mappings\": {\"properties\": {\"v\": {\"type\": \"ferry_vector\", "
            + "\"dimension\": 384, \"similarity\": \"dot_product\"}}}}");
    long start = System.nanoTime();
    for (int from = 0; from < count; from += 2000) {
      StringBuilder body = new StringBuilder();
      for (int i = from; i < Math.min(count, from + 2000); i++) {
        body.append("{\"index\": {\"_index\": \"vectors\", \"_id\": \"")
            .append(i)
            .append("\"}}\n{\"v\": ")
            .append(Arrays.toString(data[i]))
            .append("}\n");
      }
      assertThat(node.send("POST", "/_bulk", body.toString()).get("errors").asBoolean()).isFalse();
    }
    node.send("POST", "/vectors/_refresh", null);
    double indexing = (System.nanoTime() - start) / 1e9;
    start = System.nanoTime();
    node.send("POST", "/vectors/_forcemerge?max_num_segments=1", null);
    double merging = (System.nanoTime() - start) / 1e9;
    int segments =
        node.send("GET", "/vectors/_stats/segments", null)
            .path("_all")
            .path("primaries")
            .path("segments")
            .path("count")
            .asInt();
    for (int q = 0;
        q < Math.min(200, probes.length);
        q++) { // page cache and JIT, before any setting is timed
      vectorQuery(probes[q], k, 100);
    }
    start = System.nanoTime();
    int[][] truth = new int[queries][];
    for (int q = 0; q < queries; q++) {
      truth[q] =
          Vectors.nearest(probes[q], data, k).stream().mapToInt(Vectors.Neighbour::index).toArray();
    }
    double exactMillis = (System.nanoTime() - start) / 1e6 / queries;
    for (int candidates : List.of(10, 50, 100)) {
      Map<String, Double> measured = searchVectors(probes, truth, k, candidates);
      report(
          String.format(
              Locale.ROOT,
              "ferry_semantic on %,d vectors (384 dims, clustered, %d segment(s)), %d "
                  + "queries: num_candidates %d: recall@%d %.3f, took p50 %.0f ms p99 %.0f ms, HTTP round trip p50 %.1f ms "
                  + "p99 %.1f ms; exact search (Vectors.nearest) %.1f ms/query; indexing %.0f s, force merge %.0f s",
              count,
              segments,
              probes.length,
              candidates,
              k,
              measured.get("recall"),
              measured.get("took50"),
              measured.get("took99"),
              measured.get("wall50"),
              measured.get("wall99"),
              exactMillis,
              indexing,
              merging));
    }
    Map<String, Double> texts = searchTexts(Math.min(queries, 200), k);
    report(
        String.format(
            Locale.ROOT,
            "ferry_semantic with query_text (bundle reuters, int8 MiniLM, embedded on the "
                + "coordinating node) on the same index: took p50 %.1f ms p99 %.1f ms, HTTP round trip p50 %.1f ms p99 %.1f ms",
            texts.get("took50"),
            texts.get("took99"),
            texts.get("wall50"),
            texts.get("wall99")));
  }

  private static Map<String, Double> searchVectors(
      float[][] probes, int[][] truth, int k, int candidates) throws Exception {
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
    return node.send(
        "POST",
        "/vectors/_search",
        "{\"size\": "
            + k
            + ", \"_source\": false, \"query\": {"
            + "\"ferry_semantic\": {\"field\": \"v\", \"vector\": "
            + Arrays.toString(vector)
            + ", \"k\": "
            + k
            + ", \"num_candidates\": "
            + candidates
            + "}}}");
  }

  private static Map<String, Double> searchTexts(int count, int k) throws Exception {
    List<String> texts = TestBundles.testTexts(150);
    double[] took = new double[count];
    double[] wall = new double[count];
    for (int q = -20; q < count; q++) {
      String text = texts.get(Math.floorMod(q, texts.size()));
      String query =
          RealNode.JSON.writeValueAsString(text.substring(0, Math.min(120, text.length())));
      long start = System.nanoTime();
      JsonNode r =
          node.send(
              "POST",
              "/vectors/_search",
              "{\"size\": "
                  + k
                  + ", \"_source\": false, \"query\": {"
                  + "\"ferry_semantic\": {\"field\": \"v\", \"query_text\": "
                  + query
                  + ", \"bundle\": \"reuters\", \"k\": "
                  + k
                  + "}}}");
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
    node.send(
        "PUT",
        "/" + index,
        "{\"settings\": {\"number_of_shards\": "
            + shards
            + ", \"number_of_replicas\": 0}, "
            + "\"mappings\": {\"properties\": {\"body\": {\"type\": \"text\"}, \"ferry\": {\"properties\": {"
            + "\"label\": {\"type\": \"keyword\"}, \"bundle\": {\"type\": \"keyword\"}, \"text_hash\": {\"type\": \"keyword\"},"
            + "\"vector\": {\"type\": \"ferry_vector\", \"dimension\": 384, \"similarity\": \"dot_product\"},"
            + "\"features\": {\"type\": \"object\", \"enabled\": false}}}}}}");
  }

  /**
   * Seconds to bulk {@code texts} through {@code pipeline} in requests of {@value #BULK}, then
   * refresh.
   */
  private static double bulk(String index, String pipeline, List<String> texts, int firstId)
      throws Exception {
    List<String> bodies = new ArrayList<>();
    for (int from = 0; from < texts.size(); from += BULK) {
      StringBuilder body = new StringBuilder();
      for (int i = from; i < Math.min(texts.size(), from + BULK); i++) {
        body.append("{\"index\": {\"_index\": \"")
            .append(index)
            .append("\", \"_id\": \"")
            .append(firstId + i)
            .append("\"}}\n")
            .append(RealNode.JSON.writeValueAsString(Map.of("body", texts.get(i))))
            .append('\n');
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

  /** Skips a benchmark that {@code -Dferry.bench.only} (a comma-separated list) leaves out. */
  private static void runs(String name) {
    String only = System.getProperty("ferry.bench.only", "");
    Assumptions.assumeTrue(
        only.isBlank() || List.of(only.split(",")).contains(name),
        name + " is not in -Dferry.bench.only=" + only);
  }

  /** Prints a result, with the machine's load averages (the machine may be shared). */
  private static void report(String line) throws java.io.IOException {
    String[] load = java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
    System.out.println(
        "[ferry bench] "
            + line
            + " [load "
            + String.join(" ", Arrays.asList(load).subList(0, 3))
            + "]");
  }
}
