package dev.ferry.plugin;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.opensearch.test.hamcrest.OpenSearchAssertions.assertAcked;

import com.carrotsearch.randomizedtesting.annotations.ThreadLeakScope;
import dev.ferry.models.bundle.ClassifiedDocument;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.encoder.Chunking;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.encoder.EncoderStats;
import dev.ferry.plugin.bundle.FeatureReading;
import dev.ferry.plugin.ingest.StoredFeatures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.opensearch.OpenSearchParseException;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.get.GetResponse;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.core.common.bytes.BytesArray;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.ingest.common.IngestCommonModulePlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.PluginsService;
import org.opensearch.test.OpenSearchIntegTestCase;
import org.opensearch.test.OpenSearchIntegTestCase.ClusterScope;
import org.opensearch.test.OpenSearchIntegTestCase.Scope;

/**
 * One in-JVM data node with the plugin: pipelines with {@code ferry_classify}, bulk indexing
 * through them, and the labels checked against the same bundle's {@link Classifier} run here.
 */
@ClusterScope(
    scope = Scope.SUITE,
    numDataNodes = 1,
    numClientNodes = 0,
    supportsDedicatedMasters = false)
// ONNX Runtime and the tokenizer keep native threads and JDK cleaner threads for the JVM's life.
@ThreadLeakScope(ThreadLeakScope.Scope.NONE)
public class ClassifyPipelineIntegTests extends OpenSearchIntegTestCase {
  private static final int DOCS = 120;
  private static Path bundle;
  private static Path configDir;

  @BeforeClass
  public static void trainBundle() throws IOException {
    bundle = TestBundles.reuters();
    configDir = Files.createTempDirectory("ferry-node-config");
    TestBundles.installAll(configDir);
    // A bundle whose head no longer matches the hash its manifest records.
    Path broken = TestBundles.install(bundle, configDir, "broken");
    Files.write(broken.resolve(ModelBundle.HEAD_FILE), new byte[] {1, 2, 3});
  }

  @Override
  protected Path nodeConfigPath(int nodeOrdinal) {
    return configDir;
  }

  @Override
  protected java.util.Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(
        FerryPlugin.class,
        IngestCommonModulePlugin.class,
        org.opensearch.index.reindex.ReindexModulePlugin.class);
  }

  private void putPipeline(String id, String processorJson) {
    String body = "{\"processors\": [{\"ferry_classify\": " + processorJson + "}]}";
    assertAcked(
        client()
            .admin()
            .cluster()
            .preparePutPipeline(
                id, new BytesArray(body.getBytes(StandardCharsets.UTF_8)), XContentType.JSON)
            .get());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> ferry(GetResponse doc) {
    return (Map<String, Object>) doc.getSourceAsMap().get("ferry");
  }

  public void testBulkLabelsAgreeWithTheEmbeddedClassifier() throws Exception {
    // The int8 encoder quantizes each batch's activations with one scale, so a text's scores move
    // slightly with the texts that share its batch. The node gets the whole bulk in one batch
    // (batch_size above the bulk's size), and the embedded classifier below the same list, so
    // both run the very same model batches and must agree exactly.
    putPipeline(
        "reuters", "{\"bundle\": \"reuters\", \"field\": \"text\", \"batch_size\": " + DOCS + "}");
    assertAcked(
        prepareCreate("news")
            .setMapping(
                "{\"properties\": {\"text\": {\"type\": \"text\"}, \"ferry\": {\"properties\":"
                    + " {\"label\": {\"type\": \"keyword\"}, \"confidence\": {\"type\":"
                    + " \"float\"}}}}}"));
    List<String> texts = TestBundles.testTexts(DOCS);
    BulkRequestBuilder bulk = client().prepareBulk();
    for (int i = 0; i < texts.size(); i++) {
      bulk.add(
          client()
              .prepareIndex("news")
              .setPipeline("reuters")
              .setId(Integer.toString(i))
              .setSource(Map.of("text", texts.get(i))));
    }
    Classifier inNode = nodeClassifier(TestBundles.REUTERS);
    EncoderStats before = inNode.encoder().stats();
    BulkResponse response = bulk.get();
    assertFalse(response.buildFailureMessage(), response.hasFailures());
    EncoderStats used = inNode.encoder().stats().since(before);
    // One document at a time would run one model batch per text (or more, when chunked).
    assertTrue("bulk was not batched: " + used, used.batches() < used.texts());
    refresh("news");

    List<ClassifiedDocument> expected;
    try (Classifier embedded = ModelBundle.open(bundle).openClassifier(EncoderOptions.defaults())) {
      expected = embedded.classifyDocuments(texts);
    }
    FeatureReading reading = FeatureReading.of(ModelBundle.open(bundle), true);
    Map<String, Long> perLabel = new java.util.TreeMap<>();
    for (int i = 0; i < texts.size(); i++) {
      Map<String, Object> got = ferry(client().prepareGet("news", Integer.toString(i)).get());
      ClassifiedDocument want = expected.get(i);
      assertEquals("label of document " + i, want.prediction().label(), got.get("label"));
      assertEquals(
          "confidence of document " + i,
          want.prediction().confidence(),
          ((Number) got.get("confidence")).floatValue(),
          0f);
      assertEquals(want.embedding().chunks().size(), ((Number) got.get("chunks")).intValue());
      List<?> vector = (List<?>) got.get("vector");
      assertEquals(want.embedding().vector().length, vector.size());
      double dot = 0;
      for (int k = 0; k < vector.size(); k++) {
        dot += ((Number) vector.get(k)).doubleValue() * want.embedding().vector()[k];
      }
      assertEquals("vector of document " + i, 1.0, dot, 1e-6);
      Map<?, ?> probabilities = (Map<?, ?>) got.get("probabilities");
      assertEquals(new java.util.HashSet<>(want.prediction().labels()), probabilities.keySet());
      // What relabeling needs: the head's input exactly, how it was read, the bundle, the text's
      // hash.
      StoredFeatures features = StoredFeatures.fromMap("ferry.features", got.get("features"));
      assertArrayEquals("features of document " + i, want.features(), features.values(), 0f);
      assertEquals(reading, features.reading());
      assertThat((String) got.get("bundle"), startsWith(TestBundles.REUTERS + "@"));
      assertEquals(64, ((String) got.get("text_hash")).length());
      perLabel.merge(want.prediction().label(), 1L, Long::sum);
    }
    // Search by label: the keyword field counts what the embedded classifier says.
    for (Map.Entry<String, Long> e : perLabel.entrySet()) {
      SearchResponse hits =
          client()
              .prepareSearch("news")
              .setQuery(QueryBuilders.termQuery("ferry.label", e.getKey()))
              .setSize(0)
              .get();
      assertEquals(
          "documents labeled " + e.getKey(),
          e.getValue().longValue(),
          hits.getHits().getTotalHits().value());
    }
    assertTrue("the sample should give more than one label: " + perLabel, perLabel.size() > 1);
  }

  public void testChunkingOffReadsOnlyTheFirstWindow() throws Exception {
    putPipeline(
        "first-window", "{\"bundle\": \"reuters\", \"chunking\": false, \"batch_size\": 100}");
    List<String> texts = TestBundles.testTexts(20);
    BulkRequestBuilder bulk = client().prepareBulk();
    for (int i = 0; i < texts.size(); i++) {
      bulk.add(
          client()
              .prepareIndex("short")
              .setPipeline("first-window")
              .setId(Integer.toString(i))
              .setSource(Map.of("text", texts.get(i))));
    }
    BulkResponse response = bulk.get();
    assertFalse(response.buildFailureMessage(), response.hasFailures());
    List<ClassifiedDocument> expected;
    try (Classifier embedded = ModelBundle.open(bundle).openClassifier(EncoderOptions.defaults())) {
      expected = embedded.classifyDocuments(texts, Chunking.FIRST_WINDOW);
    }
    for (int i = 0; i < texts.size(); i++) {
      Map<String, Object> got = ferry(client().prepareGet("short", Integer.toString(i)).get());
      assertEquals(expected.get(i).prediction().label(), got.get("label"));
      assertEquals(1, ((Number) got.get("chunks")).intValue());
    }
  }

  public void testMissingTextIsSkippedOrFailsPerDocument() throws Exception {
    putPipeline(
        "lenient",
        "{\"bundle\": \"reuters\", \"ignore_missing\": true, \"target_prefix\": \"out\"}");
    BulkResponse lenient =
        client()
            .prepareBulk()
            .add(
                client()
                    .prepareIndex("mixed")
                    .setPipeline("lenient")
                    .setId("a")
                    .setSource(Map.of("title", "no text here")))
            .add(
                client()
                    .prepareIndex("mixed")
                    .setPipeline("lenient")
                    .setId("b")
                    .setSource(Map.of("text", "Wheat exports rose sharply")))
            .get();
    assertFalse(lenient.buildFailureMessage(), lenient.hasFailures());
    assertNull(client().prepareGet("mixed", "a").get().getSourceAsMap().get("out"));
    assertNotNull(client().prepareGet("mixed", "b").get().getSourceAsMap().get("out"));

    // Without ignore_missing the document fails alone; on_failure records why and indexes it.
    String body =
        "{\"processors\": [{\"ferry_classify\": {\"bundle\": \"reuters\", \"on_failure\":"
            + " [{\"set\": {\"field\": \"error\", \"value\": \"unclassified\"}}]}}]}";
    assertAcked(
        client()
            .admin()
            .cluster()
            .preparePutPipeline(
                "strict", new BytesArray(body.getBytes(StandardCharsets.UTF_8)), XContentType.JSON)
            .get());
    BulkResponse strict =
        client()
            .prepareBulk()
            .add(
                client()
                    .prepareIndex("mixed")
                    .setPipeline("strict")
                    .setId("c")
                    .setSource(Map.of("title", "no text here")))
            .add(
                client()
                    .prepareIndex("mixed")
                    .setPipeline("strict")
                    .setId("d")
                    .setSource(Map.of("text", 42)))
            .add(
                client()
                    .prepareIndex("mixed")
                    .setPipeline("strict")
                    .setId("e")
                    .setSource(Map.of("text", "Corn plantings are down")))
            .get();
    assertFalse(strict.buildFailureMessage(), strict.hasFailures());
    assertEquals(
        "unclassified", client().prepareGet("mixed", "c").get().getSourceAsMap().get("error"));
    assertEquals(
        "unclassified", client().prepareGet("mixed", "d").get().getSourceAsMap().get("error"));
    Map<String, Object> e = client().prepareGet("mixed", "e").get().getSourceAsMap();
    assertNull(e.get("error"));
    assertNotNull(e.get("ferry"));

    // With neither, the bulk item fails with the message.
    putPipeline("plain", "{\"bundle\": \"reuters\"}");
    BulkResponse plain =
        client()
            .prepareBulk()
            .add(
                client()
                    .prepareIndex("mixed")
                    .setPipeline("plain")
                    .setId("f")
                    .setSource(Map.of("title", "no text here")))
            .add(
                client()
                    .prepareIndex("mixed")
                    .setPipeline("plain")
                    .setId("g")
                    .setSource(Map.of("text", 42)))
            .add(
                client()
                    .prepareIndex("mixed")
                    .setPipeline("plain")
                    .setId("h")
                    .setSource(Map.of("text", "Grain shipments resumed")))
            .get();
    assertTrue(plain.getItems()[0].isFailed());
    assertThat(plain.getItems()[0].getFailureMessage(), containsString("field [text] not present"));
    assertTrue(plain.getItems()[1].isFailed());
    assertThat(plain.getItems()[1].getFailureMessage(), containsString("expected a string"));
    assertFalse(plain.getItems()[2].isFailed());

    // ignore_failure indexes the document unlabeled.
    putPipeline("tolerant", "{\"bundle\": \"reuters\", \"ignore_failure\": true}");
    BulkResponse tolerant =
        client()
            .prepareBulk()
            .add(
                client()
                    .prepareIndex("mixed")
                    .setPipeline("tolerant")
                    .setId("i")
                    .setSource(Map.of("text", 42)))
            .get();
    assertFalse(tolerant.buildFailureMessage(), tolerant.hasFailures());
    assertNull(client().prepareGet("mixed", "i").get().getSourceAsMap().get("ferry"));
  }

  public void testBadOrMissingBundleFailsPipelineCreation() {
    OpenSearchParseException missing =
        expectThrows(
            OpenSearchParseException.class, () -> putPipeline("missing", "{\"bundle\": \"nope\"}"));
    assertThat(missing.getMessage(), containsString("no bundle 'nope'"));
    assertThat(missing.getMessage(), containsString("reuters"));
    OpenSearchParseException broken =
        expectThrows(
            OpenSearchParseException.class,
            () -> putPipeline("broken", "{\"bundle\": \"broken\"}"));
    assertThat(broken.getMessage(), containsString("SHA-256"));
    OpenSearchParseException escape =
        expectThrows(
            OpenSearchParseException.class,
            () -> putPipeline("escape", "{\"bundle\": \"../reuters\"}"));
    assertThat(escape.getMessage(), containsString("bundle name '../reuters' is not a valid name"));
    OpenSearchParseException unnamed =
        expectThrows(
            OpenSearchParseException.class, () -> putPipeline("unnamed", "{\"field\": \"text\"}"));
    assertThat(unnamed.getMessage(), containsString("bundle"));
    ensureGreen();
  }

  public void testSkipUnchangedKeepsResultsWhoseTextAndEncoderHold() throws Exception {
    putPipeline("skip", "{\"bundle\": \"reuters\", \"skip_unchanged\": true}");
    putPipeline("skip-crops", "{\"bundle\": \"reuters-crops\", \"skip_unchanged\": true}");
    List<String> texts = TestBundles.testTexts(5);
    bulk("reingest", "skip", texts, Map.of());
    Map<String, Object> first = ferry(client().prepareGet("reingest", "0").get());
    Classifier encoder = nodeClassifier(TestBundles.REUTERS);

    // The client sends every document again with an unrelated field, and document 4 with new text:
    // only document 4 is embedded; the others keep their results from the stored copies.
    List<String> again = new java.util.ArrayList<>(texts);
    again.set(4, "Corn plantings in Iowa are expected to fall this spring, the USDA said.");
    EncoderStats before = encoder.encoder().stats();
    bulk("reingest", "skip", again, Map.of("tag", "resent"));
    EncoderStats used = encoder.encoder().stats().since(before);
    Map<String, Object> changed = ferry(client().prepareGet("reingest", "4").get());
    assertEquals(
        "only the changed text is embedded",
        ((Number) changed.get("chunks")).longValue(),
        used.texts());
    GetResponse kept = client().prepareGet("reingest", "0").get();
    assertEquals("resent", kept.getSourceAsMap().get("tag"));
    assertEquals(first, ferry(kept));

    // _update_by_query through the pipeline: the documents carry their results, nothing is
    // embedded.
    before = encoder.encoder().stats();
    client()
        .execute(
            org.opensearch.index.reindex.UpdateByQueryAction.INSTANCE,
            new org.opensearch.index.reindex.UpdateByQueryRequest("reingest")
                .setPipeline("skip")
                .setRefresh(true))
        .get();
    assertEquals(0, encoder.encoder().stats().since(before).texts());
    assertEquals(first, ferry(client().prepareGet("reingest", "0").get()));

    // Another bundle of the same encoder and chunking: only its head runs, on the stored features.
    Classifier crops = nodeClassifier(TestBundles.CROPS);
    before = crops.encoder().stats();
    bulk("reingest", "skip-crops", again, Map.of("tag", "crops"));
    assertEquals(0, crops.encoder().stats().since(before).texts());
    Map<String, Object> relabeled = ferry(client().prepareGet("reingest", "0").get());
    assertThat((String) relabeled.get("bundle"), startsWith(TestBundles.CROPS + "@"));
    assertTrue(List.of("crops", "other").contains((String) relabeled.get("label")));
    assertEquals(first.get("features"), relabeled.get("features"));
    assertEquals(first.get("vector"), relabeled.get("vector"));
  }

  private void bulk(String index, String pipeline, List<String> texts, Map<String, Object> extra) {
    BulkRequestBuilder bulk =
        client()
            .prepareBulk()
            .setRefreshPolicy(org.opensearch.action.support.WriteRequest.RefreshPolicy.IMMEDIATE);
    for (int i = 0; i < texts.size(); i++) {
      Map<String, Object> source = new java.util.HashMap<>(extra);
      source.put("text", texts.get(i));
      bulk.add(
          client()
              .prepareIndex(index)
              .setPipeline(pipeline)
              .setId(Integer.toString(i))
              .setSource(source));
    }
    BulkResponse response = bulk.get();
    assertFalse(response.buildFailureMessage(), response.hasFailures());
  }

  private static Classifier nodeClassifier(String bundle) {
    FerryPlugin plugin =
        internalCluster().getInstance(PluginsService.class).filterPlugins(FerryPlugin.class).get(0);
    return plugin.bundles().get(bundle).classifier();
  }
}
