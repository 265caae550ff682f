package dev.ferry.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.models.bundle.ClassifiedDocument;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.encoder.TextRole;
import dev.ferry.plugin.ingest.ClassifyProcessor;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin zip in a real OpenSearch node ({@link RealNode}: the integ-test-zip distribution,
 * {@code bin/opensearch-plugin install}, the engine's Java agent on, as user {@code nobody} when
 * the build runs as root), with no file under {@code config/ferry}: the bundles are uploaded over
 * REST, as {@code curl --data-binary @bundle.zip} does, and the node keeps its copies under its
 * data path. Then a pipeline and a bulk request over REST with the labels checked against the
 * embedded {@link Classifier}; the semantic path: a mapping with {@code ferry_vector}, a {@code
 * ferry_semantic} query with a label filter, and a relabel by {@code _update_by_query}; and a
 * bundle's life: listed, aliased, switched to a retrained bundle and relabeled, refused deletion
 * while in use, deleted, and bad uploads refused.
 *
 * <p>It also times the bulk request against the embedded classifier on the same texts: {@code
 * -Dferry.bench.docs=N} (default 150) sets how many documents.
 */
class RealServerIT {
  private static final Logger LOG = LoggerFactory.getLogger(RealServerIT.class);
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = RealNode.JSON;
  private static RealNode node;

  @BeforeAll
  static void startNode() throws Exception {
    node = RealNode.start(Map.of(), "512m");
    for (Map.Entry<String, Path> b :
        Map.of(
                TestBundles.REUTERS,
                TestBundles.reuters(),
                TestBundles.CROPS,
                TestBundles.crops(),
                TestBundles.MEAN_POOLED,
                TestBundles.meanPooled())
            .entrySet()) {
      upload(b.getKey(), BundleZips.zip(b.getValue()));
    }
  }

  /**
   * {@code curl -XPUT .../_plugins/ferry/bundles/NAME -H 'Content-Type: application/json'
   * --data-binary @zip}.
   */
  private static JsonNode upload(String name, byte[] zip) throws IOException, InterruptedException {
    HttpResponse<String> response = node.rawBytes("PUT", "/_plugins/ferry/bundles/" + name, zip);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return JSON.readTree(response.body());
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void bulkThroughThePipelineLabelsLikeTheEmbeddedClassifier() throws Exception {
    int docs = Integer.getInteger("ferry.bench.docs", 150);
    List<String> texts = TestBundles.repeat(TestBundles.testTexts(150), docs);
    int batch = ClassifyProcessor.DEFAULT_BATCH_SIZE;
    assertThat(
            node.send(
                    "PUT",
                    "/_ingest/pipeline/news",
                    "{\"processors\": [{\"ferry_classify\": {\"bundle\": \"reuters\", \"field\":"
                        + " \"body\", \"target_prefix\": \"topic\"}}]}")
                .get("acknowledged")
                .asBoolean())
        .isTrue();
    node.send(
        "PUT",
        "/news",
        "{\"mappings\": {\"properties\": {\"body\": {\"type\": \"text\"}, \"topic\":"
            + " {\"properties\": {\"label\": {\"type\": \"keyword\"}, \"confidence\": {\"type\":"
            + " \"float\"}, \"vector\": {\"type\": \"float\", \"index\": false}, \"features\":"
            + " {\"type\": \"object\", \"enabled\": false}}}}}}");

    // The same texts in the same batches as the processor cut them (the int8 encoder's scores
    // depend on which texts share a batch).
    List<ClassifiedDocument> expected = new ArrayList<>();
    double embeddedSeconds;
    try (Classifier embedded =
        ModelBundle.open(TestBundles.reuters()).openClassifier(EncoderOptions.defaults())) {
      // Warm up, as the node's copy was when the pipeline was created.
      embedded.classifyDocuments(texts.subList(0, Math.min(8, texts.size())));
      long start = System.nanoTime();
      for (int from = 0; from < texts.size(); from += batch) {
        expected.addAll(
            embedded.classifyDocuments(texts.subList(from, Math.min(texts.size(), from + batch))));
      }
      embeddedSeconds = (System.nanoTime() - start) / 1e9;
    }

    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < texts.size(); i++) {
      bulk.append("{\"index\": {\"_index\": \"news\", \"_id\": \"").append(i).append("\"}}\n");
      ObjectNode source = JSON.createObjectNode().put("body", texts.get(i));
      bulk.append(JSON.writeValueAsString(source)).append('\n');
    }
    Thread.sleep(1000); // let the embedded run's ONNX Runtime threads go idle
    long bulkStart = System.nanoTime();
    JsonNode response = node.send("POST", "/_bulk?pipeline=news&refresh=true", bulk.toString());
    double nodeSeconds = (System.nanoTime() - bulkStart) / 1e9;
    assertThat(response.get("errors").asBoolean()).as(response.toString()).isFalse();

    JsonNode hits =
        node.send(
                "POST",
                "/news/_search",
                "{\"size\": "
                    + docs
                    + ", \"_source\": [\"topic.label\", "
                    + "\"topic.confidence\"], \"query\": {\"match_all\": {}}}")
            .path("hits")
            .path("hits");
    assertThat(hits.size()).isEqualTo(docs);
    Map<String, Integer> perLabel = new TreeMap<>();
    for (JsonNode hit : hits) {
      int i = Integer.parseInt(hit.get("_id").asText());
      JsonNode topic = hit.path("_source").path("topic");
      assertThat(topic.path("label").asText())
          .as("label of document %d", i)
          .isEqualTo(expected.get(i).prediction().label());
      assertThat((float) topic.path("confidence").asDouble())
          .as("confidence of document %d", i)
          .isEqualTo(expected.get(i).prediction().confidence());
    }
    for (ClassifiedDocument d : expected) {
      perLabel.merge(d.prediction().label(), 1, Integer::sum);
    }
    for (Map.Entry<String, Integer> e : perLabel.entrySet()) {
      JsonNode count =
          node.send(
              "POST",
              "/news/_count",
              "{\"query\": {\"term\": {\"topic.label\": \"" + e.getKey() + "\"}}}");
      assertThat(count.get("count").asInt())
          .as("documents labeled %s", e.getKey())
          .isEqualTo(e.getValue());
    }
    assertOnnxRuntimeTelemetryStayedOff();
    String report =
        String.format(
            Locale.ROOT,
            "%d documents: bulk through ferry_classify %.1f docs/s (%.2f s), "
                + "embedded Classifier %.1f docs/s (%.2f s), batches of %d, labels %s",
            docs,
            docs / nodeSeconds,
            nodeSeconds,
            docs / embeddedSeconds,
            embeddedSeconds,
            batch,
            perLabel);
    LOG.info(report);
    System.out.println("[ferry bench] " + report);
  }

  @Test
  void aMissingBundleFailsThePipelineAndTheNodeStaysUp() throws Exception {
    HttpResponse<String> response =
        node.raw(
            "PUT",
            "/_ingest/pipeline/broken",
            "{\"processors\": [{\"ferry_classify\": {\"bundle\": \"no-such-bundle\"}}]}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body())
        .contains("no bundle 'no-such-bundle'")
        .contains("it stores reuters, reuters-crops");
    assertThat(node.send("GET", "/_cluster/health", null).get("status").asText())
        .isIn("green", "yellow");
  }

  @Test
  void semanticSearchWithALabelFilterAndRelabelOverRest() throws Exception {
    List<String> texts = TestBundles.testTexts(60);
    node.send(
        "PUT",
        "/tickets",
        """
        {"settings": {"number_of_shards": 2, "number_of_replicas": 0},
         "mappings": {"properties": {"body": {"type": "text"}, "ferry": {"properties": {
           "label": {"type": "keyword"}, "confidence": {"type": "float"}, "bundle": {"type": "keyword"},
           "text_hash": {"type": "keyword"}, "chunks": {"type": "integer"},
           "vector": {"type": "ferry_vector", "dimension": 384, "similarity": "dot_product"},
           "features": {"type": "object", "enabled": false}}}}}}\
        """);
    node.send(
        "PUT",
        "/_ingest/pipeline/tickets",
        "{\"processors\": [{\"ferry_classify\": {\"bundle\": \"reuters\", "
            + "\"field\": \"body\"}}]}");
    node.send(
        "PUT",
        "/_ingest/pipeline/relabel-crops",
        "{\"processors\": [{\"ferry_relabel\": {\"bundle\": " + "\"reuters-crops\"}}]}");
    node.send(
        "PUT",
        "/_ingest/pipeline/relabel-mean",
        "{\"processors\": [{\"ferry_relabel\": {\"bundle\": " + "\"reuters-mean\"}}]}");
    StringBuilder bulk = new StringBuilder();
    for (int i = 0; i < texts.size(); i++) {
      bulk.append("{\"index\": {\"_index\": \"tickets\", \"_id\": \"")
          .append(i)
          .append("\"}}\n")
          .append(JSON.writeValueAsString(JSON.createObjectNode().put("body", texts.get(i))))
          .append('\n');
    }
    assertThat(
            node.send("POST", "/_bulk?pipeline=tickets&refresh=true", bulk.toString())
                .get("errors")
                .asBoolean())
        .isFalse();

    // The node's batch was the whole bulk (60 texts, under batch_size 64): the same batch here.
    List<ClassifiedDocument> crops;
    float[] query;
    try (Classifier embedded =
        ModelBundle.open(TestBundles.crops()).openClassifier(EncoderOptions.defaults())) {
      crops = embedded.classifyDocuments(texts);
      query = embedded.encoder().embed(List.of("wheat exports"), TextRole.QUERY)[0];
    }
    List<String> reutersLabels;
    try (var head = ModelBundle.open(TestBundles.reuters()).openHead()) {
      reutersLabels =
          head
              .predict(crops.stream().map(ClassifiedDocument::features).toArray(float[][]::new))
              .stream()
              .map(p -> p.label())
              .toList();
    }
    JsonNode hits =
        node.send(
                "POST",
                "/tickets/_search",
                """
                {"size": 5, "_source": ["ferry.label"], "query": {"ferry_semantic": {"field": "ferry.vector",
                  "query_text": "wheat exports", "bundle": "reuters", "k": 5, "filter": {"term": {"ferry.label": "grain"}}}}}\
                """)
            .path("hits")
            .path("hits");
    List<String> ids = new ArrayList<>();
    hits.forEach(h -> ids.add(h.get("_id").asText()));
    assertThat(ids).isEqualTo(new ExactSearch(crops, reutersLabels).documents(query, "grain", 5));
    hits.forEach(
        h -> assertThat(h.path("_source").path("ferry").path("label").asText()).isEqualTo("grain"));

    HttpResponse<String> refused =
        node.raw("POST", "/tickets/_update_by_query?pipeline=relabel-mean&refresh=true", null);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body())
        .contains("bundle 'reuters-mean' cannot relabel this document")
        .contains(
            "chunk_pooling is 'first_mean_max' in the document but 'token_weighted_mean' in bundle"
                + " 'reuters-mean'");
    JsonNode relabeled =
        node.send("POST", "/tickets/_update_by_query?pipeline=relabel-crops&refresh=true", null);
    assertThat(relabeled.get("updated").asInt()).isEqualTo(texts.size());
    JsonNode all =
        node.send(
                "POST",
                "/tickets/_search",
                "{\"size\": 60, \"_source\": [\"ferry.label\", " + "\"ferry.bundle\"]}")
            .path("hits")
            .path("hits");
    for (JsonNode hit : all) {
      int i = Integer.parseInt(hit.get("_id").asText());
      assertThat(hit.path("_source").path("ferry").path("label").asText())
          .as("label of %d", i)
          .isEqualTo(crops.get(i).prediction().label());
      assertThat(hit.path("_source").path("ferry").path("bundle").asText())
          .startsWith("reuters-crops@");
    }
  }

  @Test
  void aBundlesLifeOverRest() throws Exception {
    assertThat(node.home().resolve("config/ferry")).doesNotExist();
    upload("life-v1", BundleZips.zip(TestBundles.reuters()));
    upload("life-v2", BundleZips.zip(TestBundles.crops()));
    JsonNode listed = node.send("GET", "/_plugins/ferry/bundles", null).path("bundles");
    assertThat(listed.path("life-v1").path("labels").toString())
        .isEqualTo(JSON.writeValueAsString(ModelBundle.open(TestBundles.reuters()).labels()));
    assertThat(listed.path("life-v1").path("encoder").asText()).isEqualTo(TestBundles.ENCODER);
    assertThat(listed.path("life-v1").path("size").asLong()).isPositive();

    // A pipeline names the alias; bulk through it labels with life-v1.
    node.send("PUT", "/_plugins/ferry/bundles/_alias/life", "{\"bundle\": \"life-v1\"}");
    node.send(
        "PUT",
        "/_ingest/pipeline/life",
        "{\"processors\": [{\"ferry_classify\": {\"bundle\": \"life\"}}]}");
    node.send(
        "PUT",
        "/_ingest/pipeline/life-relabel",
        "{\"processors\": [{\"ferry_relabel\": {\"bundle\": " + "\"life\"}}]}");
    node.send(
        "PUT",
        "/life",
        "{\"mappings\": {\"properties\": {\"ferry\": {\"properties\": {\"bundle\": {\"type\":"
            + " \"keyword\"}, \"features\": {\"type\": \"object\", \"enabled\": false}}}}}}");
    StringBuilder bulk = new StringBuilder();
    List<String> texts = TestBundles.testTexts(10);
    for (int i = 0; i < texts.size(); i++) {
      bulk.append("{\"index\": {\"_index\": \"life\", \"_id\": \"")
          .append(i)
          .append("\"}}\n")
          .append(JSON.writeValueAsString(JSON.createObjectNode().put("text", texts.get(i))))
          .append('\n');
    }
    assertThat(
            node.send("POST", "/_bulk?pipeline=life&refresh=true", bulk.toString())
                .get("errors")
                .asBoolean())
        .isFalse();
    assertThat(bundlesOf("life")).allMatch(b -> b.startsWith("life-v1@")).hasSize(texts.size());
    JsonNode one = node.send("GET", "/_plugins/ferry/bundles/life", null);
    assertThat(one.path("bundle").asText()).isEqualTo("life-v1");
    assertThat(one.path("manifest").path("labels").size()).isEqualTo(3);
    assertThat(one.path("loaded_on").size()).isEqualTo(1);
    assertThat(node.home().resolve("data/nodes/0/ferry-bundles")).isDirectory();

    // Switch the alias to the retrained bundle and relabel from the stored features.
    node.send("PUT", "/_plugins/ferry/bundles/_alias/life", "{\"bundle\": \"life-v2\"}");
    JsonNode relabeled =
        node.send("POST", "/life/_update_by_query?pipeline=life-relabel&refresh=true", null);
    assertThat(relabeled.get("updated").asInt()).isEqualTo(texts.size());
    assertThat(bundlesOf("life")).allMatch(b -> b.startsWith("life-v2@"));

    // In use: refused; then deleted with its pipelines gone.
    assertThat(node.raw("DELETE", "/_plugins/ferry/bundles/life-v2", null).statusCode())
        .isEqualTo(409);
    HttpResponse<String> inUse = node.raw("DELETE", "/_plugins/ferry/bundles/_alias/life", null);
    assertThat(inUse.statusCode()).isEqualTo(409);
    assertThat(inUse.body()).contains("pipelines life, life-relabel name it");
    node.send("DELETE", "/_plugins/ferry/bundles/life-v1", null);
    node.send("DELETE", "/_ingest/pipeline/life", null);
    node.send("DELETE", "/_ingest/pipeline/life-relabel", null);
    node.send("DELETE", "/_plugins/ferry/bundles/_alias/life", null);
    node.send("DELETE", "/_plugins/ferry/bundles/life-v2", null);
    assertThat(node.send("GET", "/_plugins/ferry/bundles", null).path("bundles").has("life-v2"))
        .isFalse();

    // Bad uploads: a 400 (or 409) saying why, and nothing stored.
    HttpResponse<String> escaping =
        node.rawBytes(
            "PUT",
            "/_plugins/ferry/bundles/evil",
            BundleZips.withEntry(
                BundleZips.zip(TestBundles.reuters()), "../evil.txt", new byte[] {'x'}));
    assertThat(escaping.statusCode()).isEqualTo(400);
    assertThat(escaping.body()).contains("entry '../evil.txt' has '..' as a path step");
    HttpResponse<String> notZip =
        node.raw("PUT", "/_plugins/ferry/bundles/evil", "{\"zip\": false}");
    assertThat(notZip.statusCode()).isEqualTo(400);
    assertThat(notZip.body()).contains("is not a zip file");
    byte[] again = BundleZips.zip(TestBundles.reuters());
    assertThat(node.rawBytes("PUT", "/_plugins/ferry/bundles/reuters", again).statusCode())
        .isEqualTo(409);
    assertThat(node.send("GET", "/_plugins/ferry/bundles", null).path("bundles").has("evil"))
        .isFalse();
    assertThat(node.home().resolve("config/ferry")).doesNotExist();
  }

  private static List<String> bundlesOf(String index) throws IOException, InterruptedException {
    List<String> out = new ArrayList<>();
    node.send("POST", "/" + index + "/_search", "{\"size\": 100, \"_source\": [\"ferry.bundle\"]}")
        .path("hits")
        .path("hits")
        .forEach(h -> out.add(h.path("_source").path("ferry").path("bundle").asText()));
    return out;
  }

  /**
   * ONNX Runtime ran in the node (no ORT_DISABLE_TELEMETRY in its environment): Ferry switched its
   * telemetry off, so there is no event store under HOME and no mat-debug file in TMPDIR.
   */
  private static void assertOnnxRuntimeTelemetryStayedOff() throws IOException {
    assertThat(node.home().resolve(".cache/Microsoft")).doesNotExist();
    try (Stream<Path> files = Files.list(node.tmp())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith("mat-debug"));
    }
    assertThat(Files.readString(node.home().resolve("logs/console.log")))
        .doesNotContain("telemetry may be on");
  }
}
