package dev.ferry.plugin;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.opensearch.test.hamcrest.OpenSearchAssertions.assertAcked;

import com.carrotsearch.randomizedtesting.annotations.ThreadLeakScope;
import dev.ferry.indexer.FerryIndex;
import dev.ferry.indexer.Indexer;
import dev.ferry.indexer.IngestListener;
import dev.ferry.indexer.IngestOptions;
import dev.ferry.indexer.input.DocumentSource;
import dev.ferry.indexer.search.Hit;
import dev.ferry.indexer.search.Search;
import dev.ferry.indexer.search.SearchMode;
import dev.ferry.indexer.search.SearchRequest;
import dev.ferry.models.bundle.ClassifiedDocument;
import dev.ferry.models.bundle.Classifier;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.models.bundle.Prediction;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.encoder.TextRole;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.BeforeClass;
import org.opensearch.ExceptionsHelper;
import org.opensearch.action.bulk.BulkItemResponse;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.action.support.WriteRequest;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.core.common.bytes.BytesArray;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.index.query.WrapperQueryBuilder;
import org.opensearch.index.reindex.BulkByScrollResponse;
import org.opensearch.index.reindex.ReindexAction;
import org.opensearch.index.reindex.ReindexModulePlugin;
import org.opensearch.index.reindex.ReindexRequest;
import org.opensearch.index.reindex.UpdateByQueryAction;
import org.opensearch.index.reindex.UpdateByQueryRequest;
import org.opensearch.ingest.common.IngestCommonModulePlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.PluginsService;
import org.opensearch.search.SearchHit;
import org.opensearch.search.aggregations.AggregationBuilders;
import org.opensearch.search.aggregations.bucket.terms.Terms;
import org.opensearch.test.OpenSearchIntegTestCase;
import org.opensearch.test.OpenSearchIntegTestCase.ClusterScope;
import org.opensearch.test.OpenSearchIntegTestCase.Scope;

/**
 * Three in-JVM data nodes, an index of 3 shards and 1 replica, 300 Reuters stories bulk-indexed
 * through {@code ferry_classify}: {@code ferry_semantic} finds what exact search over the same
 * vectors finds and what Ferry's embedded indexer finds, with and without a label filter; {@code
 * ferry_relabel} through {@code _update_by_query} gives the labels the new bundle gives when it
 * classifies the texts itself, and refuses a bundle that reads documents otherwise.
 */
@ClusterScope(
    scope = Scope.SUITE,
    numDataNodes = 3,
    numClientNodes = 0,
    supportsDedicatedMasters = false)
// ONNX Runtime and the tokenizer keep native threads and JDK cleaner threads for the JVM's life.
@ThreadLeakScope(ThreadLeakScope.Scope.NONE)
public class SemanticSearchIntegTests extends OpenSearchIntegTestCase {
  private static final int DOCS = 300;
  private static final int K = 10;
  private static final String FILTER_LABEL = "grain";
  private static final List<String> QUERIES =
      List.of(
          "wheat exports to the Soviet Union",
          "corn crop estimates from the USDA",
          "grain shipments delayed by strikes",
          "soybean and maize plantings",
          "oil prices fall as OPEC output rises",
          "central bank raises interest rates",
          "company agrees to be acquired in a leveraged buyout",
          "quarterly earnings per share rose",
          "sugar production in Brazil",
          "export subsidies for farm products",
          "drought damages the harvest",
          "trade deficit with Japan widens",
          "coffee quotas talks collapse",
          "rice imports by China",
          "dollar weakens against the yen",
          "fertilizer demand and farm income",
          "stock market crash",
          "barley and sorghum sales to Saudi Arabia",
          "mining company reports copper output",
          "storage of surplus grain stocks");
  private static final String MAPPING =
      """
      {"properties": {"text": {"type": "text"}, "ferry": {"properties": {
        "label": {"type": "keyword"}, "confidence": {"type": "float"}, "bundle": {"type": "keyword"},
        "text_hash": {"type": "keyword"}, "chunks": {"type": "integer"},
        "vector": {"type": "ferry_vector", "dimension": 384, "similarity": "dot_product", "m": 16, "ef_construction": 100},
        "chunk_vectors": {"type": "nested", "properties": {
          "vector": {"type": "ferry_vector", "dimension": 384, "similarity": "dot_product"}}},
        "features": {"type": "object", "enabled": false}}}}}""";

  private static Path configDir;
  private static List<String> texts;

  /**
   * What the crops bundle makes of the texts in the test's JVM (its encoder and chunking are
   * reuters').
   */
  private static List<ClassifiedDocument> embedded;

  /** The reuters head's labels of the same features. */
  private static List<String> reutersLabels;

  private static Path referenceIndex;

  @BeforeClass
  public static void prepare() throws IOException {
    configDir = Files.createTempDirectory("ferry-node-config");
    TestBundles.installAll(configDir);
    texts = TestBundles.stories(DOCS);
    // One encoder pass in this JVM, in the batches the node will run (the whole bulk at once).
    try (Classifier crops =
            ModelBundle.open(TestBundles.crops()).openClassifier(EncoderOptions.defaults());
        Classifier reuters =
            ModelBundle.open(TestBundles.reuters()).openClassifier(EncoderOptions.defaults())) {
      embedded = crops.classifyDocuments(texts);
      reutersLabels =
          reuters
              .head()
              .predict(embedded.stream().map(ClassifiedDocument::features).toArray(float[][]::new))
              .stream()
              .map(Prediction::label)
              .toList();
      // The embedded indexer's index of the same texts, ids as in the cluster.
      referenceIndex = Files.createTempDirectory("ferry-reference-index");
      try (FerryIndex index = FerryIndex.open(referenceIndex);
          Indexer indexer =
              Indexer.using(index, ModelBundle.open(TestBundles.reuters()), reuters)) {
        indexer.ingest(
            DocumentSource.of("stories", texts, ids()),
            IngestOptions.defaults().withBatchSize(DOCS),
            IngestListener.NONE);
      }
    }
  }

  private static List<String> ids() {
    return IntStream.range(0, DOCS).mapToObj(Integer::toString).toList();
  }

  @Override
  protected Path nodeConfigPath(int nodeOrdinal) {
    return configDir;
  }

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(FerryPlugin.class, IngestCommonModulePlugin.class, ReindexModulePlugin.class);
  }

  public void testSemanticSearchAndRelabelAcrossThreeNodes() throws Exception {
    createIndex("news");
    putPipeline(
        "news",
        "{\"ferry_classify\": {\"bundle\": \"reuters\", \"batch_size\": "
            + DOCS
            + ", \"chunk_vectors\": true}}");
    BulkRequestBuilder bulk =
        client().prepareBulk().setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
    for (int i = 0; i < DOCS; i++) {
      bulk.add(
          client()
              .prepareIndex("news")
              .setPipeline("news")
              .setId(Integer.toString(i))
              .setSource(Map.of("text", texts.get(i))));
    }
    BulkResponse response = bulk.get();
    assertFalse(response.buildFailureMessage(), response.hasFailures());
    ensureGreen("news");

    searchFindsWhatExactSearchAndTheEmbeddedIndexerFind();
    boolAndAggregationsCompose();
    relabelByUpdateByQuery();
  }

  private void searchFindsWhatExactSearchAndTheEmbeddedIndexerFind() throws IOException {
    ExactSearch exact = new ExactSearch(embedded, reutersLabels);
    double[] sums = new double[4];
    try (Classifier queryEncoder =
            ModelBundle.open(TestBundles.reuters()).openClassifier(EncoderOptions.defaults());
        FerryIndex index = FerryIndex.openExisting(referenceIndex);
        Search reference = Search.open(index, EncoderOptions.defaults(), TestBundles.reuters())) {
      for (String q : QUERIES) {
        float[] vector = queryEncoder.encoder().embed(List.of(q), TextRole.QUERY)[0];
        for (String label : new String[] {null, FILTER_LABEL}) {
          SearchRequest embeddedKnn =
              SearchRequest.of(q, SearchMode.KNN)
                  .withK(K)
                  .withLabels(label == null ? List.of() : List.of(label));
          List<String> indexer =
              reference.search(embeddedKnn).hits().stream().map(Hit::id).toList();
          sums[0] += overlap(semantic("ferry.vector", q, label), exact.documents(vector, label, K));
          sums[1] +=
              overlap(
                  semantic("ferry.chunk_vectors.vector", q, label), exact.chunks(vector, label, K));
          sums[2] += overlap(semantic("ferry.chunk_vectors.vector", q, label), indexer);
          sums[3] += overlap(indexer, exact.chunks(vector, label, K));
        }
      }
    }
    int searches = QUERIES.size() * 2;
    String report =
        String.format(
            Locale.ROOT,
            "top-%d agreement over %d searches (20 queries, with and without "
                + "label '%s'): ferry.vector vs exact %.2f, chunk vectors vs exact %.2f, chunk vectors vs embedded indexer "
                + "%.2f, embedded indexer vs exact %.2f",
            K,
            searches,
            FILTER_LABEL,
            sums[0] / searches,
            sums[1] / searches,
            sums[2] / searches,
            sums[3] / searches);
    logger.info(report);
    System.out.println("[ferry test] " + report);
    for (double sum : sums) {
      assertTrue(report, sum / searches >= 9.0);
    }
  }

  /** Ids of the top K of a ferry_semantic query, as the cluster answers. */
  private List<String> semantic(String field, String text, String label) {
    String filter =
        label == null ? "" : ", \"filter\": {\"term\": {\"ferry.label\": \"" + label + "\"}}";
    SearchResponse r =
        client()
            .prepareSearch("news")
            .setSize(K)
            .setFetchSource(false)
            .setQuery(
                new WrapperQueryBuilder(
                    "{\"ferry_semantic\": {\"field\": \""
                        + field
                        + "\", \"query_text\": \""
                        + text
                        + "\", \"bundle\": \"reuters\", \"k\": "
                        + K
                        + filter
                        + "}}"))
            .get();
    assertEquals(0, r.getFailedShards());
    List<String> ids = new ArrayList<>();
    for (SearchHit hit : r.getHits().getHits()) {
      ids.add(hit.getId());
    }
    return ids;
  }

  private static int overlap(List<String> a, List<String> b) {
    assertEquals("both lists should have k ids: " + a + " " + b, a.size(), b.size());
    return (int) a.stream().filter(b::contains).count();
  }

  /** BM25 and meaning in one bool query, with label facets over what it matched. */
  private void boolAndAggregationsCompose() {
    SearchResponse r =
        client()
            .prepareSearch("news")
            .setSize(20)
            .setQuery(
                new WrapperQueryBuilder(
                    "{\"bool\": {\"should\": [{\"match\": {\"text\": \"wheat\"}}, "
                        + "{\"ferry_semantic\": {\"field\": \"ferry.vector\", \"query_text\": \"wheat exports\", \"bundle\": "
                        + "\"reuters\", \"k\": 10, \"boost\": 5}}]}}"))
            .addAggregation(AggregationBuilders.terms("labels").field("ferry.label"))
            .get();
    Terms labels = r.getAggregations().get("labels");
    long counted = labels.getBuckets().stream().mapToLong(Terms.Bucket::getDocCount).sum();
    assertEquals(r.getHits().getTotalHits().value(), counted);
    // Every shard's 10 nearest documents match, so at least 10 hits; a keyword-only hit is in too.
    assertTrue(r.getHits().getTotalHits().value() > K);
    assertEquals(
        "the top hits are grain stories",
        FILTER_LABEL,
        labels.getBuckets().stream()
            .max(java.util.Comparator.comparingLong(Terms.Bucket::getDocCount))
            .orElseThrow()
            .getKeyAsString());
  }

  /**
   * Relabel a copy of the index: a bundle of other features is refused per document, crops
   * relabels.
   */
  private void relabelByUpdateByQuery() throws Exception {
    createIndex("tickets");
    BulkByScrollResponse copied =
        client()
            .execute(
                ReindexAction.INSTANCE,
                new ReindexRequest()
                    .setSourceIndices("news")
                    .setDestIndex("tickets")
                    .setRefresh(true))
            .get();
    assertEquals(DOCS, copied.getCreated());
    putPipeline(
        "relabel-mean", "{\"ferry_relabel\": {\"bundle\": \"" + TestBundles.MEAN_POOLED + "\"}}");
    putPipeline(
        "relabel-crops", "{\"ferry_relabel\": {\"bundle\": \"" + TestBundles.CROPS + "\"}}");

    BulkByScrollResponse refused = updateByQuery("tickets", "relabel-mean");
    assertEquals(DOCS, refused.getBulkFailures().size());
    for (BulkItemResponse.Failure f : refused.getBulkFailures()) {
      assertThat(
          f.getMessage(), containsString("bundle 'reuters-mean' cannot relabel this document"));
      assertThat(
          f.getMessage(),
          containsString(
              "chunk_pooling is 'first_mean_max' in the document but "
                  + "'token_weighted_mean' in bundle 'reuters-mean'"));
      assertEquals(RestStatus.BAD_REQUEST, f.getStatus());
    }
    assertLabels("tickets", reutersLabels, TestBundles.REUTERS);

    BulkByScrollResponse relabeled = updateByQuery("tickets", "relabel-crops");
    assertTrue(relabeled.getBulkFailures().toString(), relabeled.getBulkFailures().isEmpty());
    assertEquals(DOCS, relabeled.getUpdated());
    assertLabels(
        "tickets", embedded.stream().map(d -> d.prediction().label()).toList(), TestBundles.CROPS);
    for (PluginsService plugins : internalCluster().getInstances(PluginsService.class)) {
      FerryPlugin plugin = plugins.filterPlugins(FerryPlugin.class).get(0);
      assertEquals(
          "ferry_relabel must not run the encoder",
          0,
          plugin.bundles().get(TestBundles.CROPS).classifier().encoder().stats().texts());
    }
  }

  private BulkByScrollResponse updateByQuery(String index, String pipeline) throws Exception {
    return client()
        .execute(
            UpdateByQueryAction.INSTANCE,
            new UpdateByQueryRequest(index).setPipeline(pipeline).setRefresh(true))
        .get();
  }

  /** Every document's label is what {@code labels} says, from the named bundle. */
  @SuppressWarnings("unchecked")
  private void assertLabels(String index, List<String> labels, String bundle) {
    SearchResponse r =
        client()
            .prepareSearch(index)
            .setSize(DOCS)
            .setFetchSource(new String[] {"ferry.label", "ferry.bundle"}, null)
            .get();
    assertEquals(DOCS, r.getHits().getHits().length);
    for (SearchHit hit : r.getHits().getHits()) {
      Map<String, Object> ferry = (Map<String, Object>) hit.getSourceAsMap().get("ferry");
      assertEquals(
          "label of " + hit.getId(), labels.get(Integer.parseInt(hit.getId())), ferry.get("label"));
      assertThat((String) ferry.get("bundle"), startsWith(bundle + "@"));
    }
  }

  public void testMappingAndDocumentErrorsNameTheField() {
    Exception noDimension =
        expectThrows(
            Exception.class,
            () ->
                prepareCreate("bad")
                    .setMapping("{\"properties\": {\"vec\": {\"type\": \"ferry_vector\"}}}")
                    .get());
    assertThat(
        noDimension.getMessage(), containsString("[vec] a ferry_vector field needs \"dimension\""));
    assertEquals(RestStatus.BAD_REQUEST, ExceptionsHelper.status(noDimension));

    assertAcked(
        prepareCreate("vectors")
            .setMapping(
                "{\"properties\": {\"vec\": {\"type\": \"ferry_vector\", "
                    + "\"dimension\": 3, \"similarity\": \"dot_product\"}}}"));
    assertDocumentRefused(
        "{\"vec\": [0.6, 0.8]}", "[vec] has dimension 3 in the mapping, but the document gives 2");
    assertDocumentRefused(
        "{\"vec\": [\"a\", \"b\", \"c\"]}", "[vec] expects an array of 3 numbers");
    assertDocumentRefused("{\"vec\": 0.5}", "[vec] expects an array of 3 numbers");
    assertDocumentRefused("{\"vec\": [1, 1, 1]}", "similarity dot_product needs unit vectors");
    client()
        .prepareIndex("vectors")
        .setId("ok")
        .setSource("{\"vec\": [0.6, 0.8, 0]}", XContentType.JSON)
        .get();
  }

  private void assertDocumentRefused(String source, String message) {
    Exception e =
        expectThrows(
            Exception.class,
            () -> client().prepareIndex("vectors").setSource(source, XContentType.JSON).get());
    assertThat(
        ExceptionsHelper.unwrapCause(e).toString() + " " + ExceptionsHelper.stackTrace(e),
        containsString("failed to parse field [vec] of type [ferry_vector]"));
    assertThat(ExceptionsHelper.stackTrace(e), containsString(message));
    assertEquals(RestStatus.BAD_REQUEST, ExceptionsHelper.status(e));
  }

  public void testQueryErrorsAreBadRequests() {
    assertAcked(
        prepareCreate("plain")
            .setMapping(
                "{\"properties\": {\"text\": {\"type\": \"text\"}, \"vec\": "
                    + "{\"type\": \"ferry_vector\", \"dimension\": 384}}}"));
    client()
        .prepareIndex("plain")
        .setId("1")
        .setSource(Map.of("text", "wheat"))
        .setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE)
        .get();
    assertQueryRefused(
        "{\"field\": \"vec\", \"query_text\": \"x\", \"bundle\": \"nope\"}", "no bundle 'nope'");
    assertQueryRefused(
        "{\"field\": \"text\", \"query_text\": \"x\", \"bundle\": \"reuters\"}",
        "field [text] is of type [text]");
    assertQueryRefused(
        "{\"field\": \"vec\", \"query_text\": \"x\"}", "[bundle] is required with [query_text]");
    assertQueryRefused(
        "{\"field\": \"vec\", \"vector\": [1, 0]}",
        "holds vectors of 384 values but the query's has 2");
    assertQueryRefused(
        "{\"field\": \"vec\", \"query_text\": \"x\", \"bundle\": \"reuters\", \"k\": 10, "
            + "\"num_candidates\": 5}",
        "need 1 <= k <= num_candidates");
  }

  private void assertQueryRefused(String body, String message) {
    Exception e =
        expectThrows(
            Exception.class,
            () ->
                client()
                    .prepareSearch("plain")
                    .setQuery(new WrapperQueryBuilder("{\"ferry_semantic\": " + body + "}"))
                    .get());
    assertThat(ExceptionsHelper.stackTrace(e), containsString(message));
    assertEquals(body, RestStatus.BAD_REQUEST, ExceptionsHelper.status(e));
  }

  private void createIndex(String name) {
    assertAcked(
        prepareCreate(name)
            .setSettings(
                Settings.builder()
                    .put("index.number_of_shards", 3)
                    .put("index.number_of_replicas", 1))
            .setMapping(MAPPING));
  }

  private void putPipeline(String id, String processorJson) {
    String body = "{\"processors\": [" + processorJson + "]}";
    assertAcked(
        client()
            .admin()
            .cluster()
            .preparePutPipeline(id, new BytesArray(body), XContentType.JSON)
            .get());
  }
}
