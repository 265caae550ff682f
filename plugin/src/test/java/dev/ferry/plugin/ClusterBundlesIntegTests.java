package dev.ferry.plugin;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.opensearch.test.hamcrest.OpenSearchAssertions.assertAcked;

import com.carrotsearch.randomizedtesting.annotations.ThreadLeakScope;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.plugin.action.BundleNodesAction;
import dev.ferry.plugin.action.CatalogUpdateAction;
import dev.ferry.plugin.action.CatalogUpdateRequest;
import dev.ferry.plugin.action.GetBundlesAction;
import dev.ferry.plugin.action.GetBundlesResponse;
import dev.ferry.plugin.action.PutBundleAction;
import dev.ferry.plugin.action.PutBundleRequest;
import dev.ferry.plugin.action.PutBundleResponse;
import dev.ferry.plugin.bundle.BundleUse;
import dev.ferry.plugin.store.BundleIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.opensearch.ExceptionsHelper;
import org.opensearch.OpenSearchParseException;
import org.opensearch.action.bulk.BulkRequestBuilder;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.search.SearchResponse;
import org.opensearch.action.support.WriteRequest;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.core.common.bytes.BytesArray;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.index.query.QueryBuilders;
import org.opensearch.index.query.WrapperQueryBuilder;
import org.opensearch.plugins.Plugin;
import org.opensearch.search.SearchHit;
import org.opensearch.test.OpenSearchIntegTestCase;
import org.opensearch.test.OpenSearchIntegTestCase.ClusterScope;
import org.opensearch.test.OpenSearchIntegTestCase.Scope;
import org.opensearch.transport.client.Client;

/**
 * Bundles stored in the cluster, on three in-JVM data nodes that have no bundle files: uploaded
 * once, loaded by every node that ingests through them (once each, as the nodes' stats count),
 * named through an alias that is switched to a retrained bundle without touching the pipeline,
 * refused deletion while in use, deleted with their chunks, and served to a node that joins after
 * the upload and to a node that restarts (from its cache). Chunks are 4 KB here, so that even the
 * test bundles' heads span several.
 */
@ClusterScope(
    scope = Scope.SUITE,
    numDataNodes = 3,
    numClientNodes = 0,
    supportsDedicatedMasters = false)
// ONNX Runtime and the tokenizer keep native threads and JDK cleaner threads for the JVM's life.
@ThreadLeakScope(ThreadLeakScope.Scope.NONE)
public class ClusterBundlesIntegTests extends OpenSearchIntegTestCase {
  private static final String MAPPING =
      """
      {"properties": {"text": {"type": "text"}, "batch": {"type": "keyword"}, "ferry": {"properties": {
        "label": {"type": "keyword"}, "bundle": {"type": "keyword"}, "features": {"type": "object", "enabled": false},
        "vector": {"type": "ferry_vector", "dimension": 384, "similarity": "dot_product"}}}}}\
      """;
  private static Path configDir;
  private static byte[] reutersZip;
  private static byte[] cropsZip;
  private static List<String> texts;

  @BeforeClass
  public static void zipBundles() throws IOException {
    reutersZip = BundleZips.zip(TestBundles.reuters());
    cropsZip = BundleZips.zip(TestBundles.crops());
    texts = TestBundles.testTexts(4);
    // The config folder holds one bundle, under a name the test also stores in the cluster.
    configDir = Files.createTempDirectory("ferry-node-config");
    TestBundles.install(TestBundles.reuters(), configDir, "twin");
  }

  @Override
  protected Path nodeConfigPath(int nodeOrdinal) {
    return configDir;
  }

  @Override
  protected Settings nodeSettings(int nodeOrdinal) {
    return Settings.builder()
        .put(super.nodeSettings(nodeOrdinal))
        .put("ferry.bundles.chunk_size", "4kb")
        .build();
  }

  @Override
  protected Collection<Class<? extends Plugin>> nodePlugins() {
    return List.of(FerryPlugin.class);
  }

  public void testEveryNodeLoadsClusterBundlesAndAnAliasSwitchesThem() throws Exception {
    PutBundleResponse stored = put("news-v1", reutersZip);
    assertThat(stored.bundle().key(), startsWith("news-v1@"));
    assertTrue(
        "the head should span several 4 KB chunks: " + stored.bundle().files(),
        stored.bundle().files().stream().anyMatch(f -> f.chunks() > 1));
    put("news-v2", cropsZip);
    change(CatalogUpdateRequest.putAlias("news", "news-v1"));
    assertAcked(
        prepareCreate("docs")
            .setSettings(
                Settings.builder()
                    .put("index.number_of_shards", 3)
                    .put("index.number_of_replicas", 0))
            .setMapping(MAPPING));
    assertAcked(
        client()
            .admin()
            .cluster()
            .preparePutPipeline(
                "news",
                new BytesArray(
                    "{\"processors\": [{\"ferry_classify\": {\"bundle\": \"news\"}}]}"
                        .getBytes(StandardCharsets.UTF_8)),
                XContentType.JSON)
            .get());

    // Every node ingests twice through the alias: each fetches and opens news-v1 once.
    String[] nodes = internalCluster().getNodeNames();
    for (String node : nodes) {
      bulk(node, "first-" + node);
      bulk(node, "again-" + node);
    }
    assertDocuments("first-", "news-v1@", List.of("grain", "corn", "other"));
    for (String node : nodes) {
      assertUse(node, "news-v1", true, 1, 1);
    }
    GetBundlesResponse listed =
        client().execute(GetBundlesAction.INSTANCE, GetBundlesAction.Request.all()).get();
    assertEquals(
        nodes.length,
        listed.nodes().get(stored.bundle().key()).values().stream()
            .filter(GetBundlesResponse.NodeUse::loaded)
            .count());

    // The switch takes effect on the next batch, on every node, without touching the pipeline;
    // news-v1, named by nothing now, is let go.
    change(CatalogUpdateRequest.putAlias("news", "news-v2"));
    for (String node : nodes) {
      bulk(node, "switched-" + node);
      assertUse(node, "news-v2", true, 1, 1);
      assertUse(node, "news-v1", false, 1, 1);
    }
    assertDocuments("switched-", "news-v2@", List.of("crops", "other"));
    SearchResponse found =
        client()
            .prepareSearch("docs")
            .setSize(3)
            .setQuery(
                new WrapperQueryBuilder(
                    "{\"ferry_semantic\": {\"field\": \"ferry.vector\", \"query_text\": \"wheat"
                        + " exports\", \"bundle\": \"news\", \"k\": 3}}"))
            .get();
    assertEquals(3, found.getHits().getHits().length);

    // In use: refused. Not in use: deleted, chunks and all.
    assertRefused(
        CatalogUpdateRequest.delete("news-v2"), RestStatus.CONFLICT, "alias news names it");
    assertRefused(
        CatalogUpdateRequest.deleteAlias("news"), RestStatus.CONFLICT, "pipeline news names it");
    change(CatalogUpdateRequest.delete("news-v1"));
    assertFalse(catalog().bundles().containsKey("news-v1"));
    client().admin().indices().prepareRefresh(BundleIndex.NAME).get();
    assertEquals(
        0,
        client()
            .prepareSearch(BundleIndex.NAME)
            .setQuery(QueryBuilders.termQuery("bundle", "news-v1"))
            .setSize(0)
            .get()
            .getHits()
            .getTotalHits()
            .value());

    // A node that joins now gets the bundle from the cluster, and again from its cache after a
    // restart.
    // Data and ingest, not cluster-manager-eligible: the voting configuration stays as it is.
    String late =
        internalCluster().startNode(Settings.builder().putList("node.roles", "data", "ingest"));
    ensureStableCluster(nodes.length + 1);
    bulk(late, "late-");
    assertDocuments("late-", "news-v2@", List.of("crops", "other"));
    assertUse(late, "news-v2", true, 1, 1);
    internalCluster().restartNode(late);
    ensureStableCluster(nodes.length + 1);
    bulk(late, "restarted-");
    assertUse(late, "news-v2", true, 0, 1);
  }

  public void testANameInBothTheClusterAndTheConfigFolderFailsPipelineCreation() throws Exception {
    put("twin", reutersZip);
    OpenSearchParseException ambiguous =
        expectThrows(
            OpenSearchParseException.class,
            () ->
                client()
                    .admin()
                    .cluster()
                    .preparePutPipeline(
                        "twin",
                        new BytesArray(
                            "{\"processors\": [{\"ferry_classify\": {\"bundle\": \"twin\"}}]}"
                                .getBytes(StandardCharsets.UTF_8)),
                        XContentType.JSON)
                    .get());
    assertThat(ambiguous.getMessage(), containsString("bundle name 'twin' is ambiguous"));
    change(CatalogUpdateRequest.delete("twin"));
  }

  public void testABadZipIsRefusedAndStoresNothing() throws Exception {
    byte[] traversal =
        BundleZips.withEntry(reutersZip, "../evil.txt", "x".getBytes(StandardCharsets.UTF_8));
    assertBadZip("traversal", traversal, "entry '../evil.txt' has '..' as a path step");
    byte[] unlisted =
        BundleZips.withEntry(reutersZip, "notes.txt", "x".getBytes(StandardCharsets.UTF_8));
    assertBadZip("unlisted", unlisted, "entry 'notes.txt' is not listed in manifest.json's files");
    byte[] changed =
        BundleZips.withEntry(
            reutersZip, ModelBundle.HEAD_FILE, "not the head".getBytes(StandardCharsets.UTF_8));
    assertBadZip("changed", changed, "entry 'head.onnx': SHA-256 is");
    byte[] bomb = BundleZips.withEntry(reutersZip, "report/zeros", new byte[2 << 20]);
    assertBadZip("bomb", bomb, "more than 100 times: a zip bomb");
    assertBadZip("_bad", reutersZip, "bundle name '_bad' is not valid");
  }

  private void assertBadZip(String name, byte[] zip, String reason) {
    Exception e = expectThrows(Exception.class, () -> put(name, zip));
    assertEquals(RestStatus.BAD_REQUEST, ExceptionsHelper.status(e));
    assertThat(ExceptionsHelper.unwrapCause(e).getMessage(), containsString(reason));
    assertFalse(catalog().contains(name));
    if (client().admin().indices().prepareExists(BundleIndex.NAME).get().isExists()) {
      client().admin().indices().prepareRefresh(BundleIndex.NAME).get();
      assertEquals(
          0,
          client()
              .prepareSearch(BundleIndex.NAME)
              .setQuery(QueryBuilders.termQuery("bundle", name))
              .setSize(0)
              .get()
              .getHits()
              .getTotalHits()
              .value());
    }
  }

  private static PutBundleResponse put(String name, byte[] zip) throws Exception {
    return client()
        .execute(PutBundleAction.INSTANCE, new PutBundleRequest(name, new BytesArray(zip)))
        .actionGet();
  }

  private static void change(CatalogUpdateRequest request) throws Exception {
    assertAcked(client().execute(CatalogUpdateAction.INSTANCE, request).actionGet());
  }

  private static void assertRefused(
      CatalogUpdateRequest request, RestStatus status, String reason) {
    Exception e = expectThrows(Exception.class, () -> change(request));
    assertEquals(status, ExceptionsHelper.status(e));
    assertThat(ExceptionsHelper.unwrapCause(e).getMessage(), containsString(reason));
  }

  private static dev.ferry.plugin.store.BundleCatalog catalog() {
    return dev.ferry.plugin.store.BundleCatalog.of(
        client().admin().cluster().prepareState().get().getState());
  }

  /**
   * Indexes the test texts through the pipeline, with the coordinating (and so ingest) node {@code
   * node}.
   */
  private static void bulk(String node, String idPrefix) {
    Client client = internalCluster().client(node);
    BulkRequestBuilder bulk =
        client.prepareBulk().setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
    for (int i = 0; i < texts.size(); i++) {
      bulk.add(
          client
              .prepareIndex("docs")
              .setPipeline("news")
              .setId(idPrefix + i)
              .setSource(Map.of("text", texts.get(i), "batch", idPrefix)));
    }
    BulkResponse response = bulk.get();
    assertFalse(response.buildFailureMessage(), response.hasFailures());
  }

  private static void assertDocuments(String idPrefix, String bundlePrefix, List<String> labels) {
    SearchResponse r =
        client()
            .prepareSearch("docs")
            .setQuery(QueryBuilders.prefixQuery("batch", idPrefix))
            .setSize(100)
            .get();
    assertTrue("no documents " + idPrefix + "*", r.getHits().getHits().length >= texts.size());
    for (SearchHit hit : r.getHits().getHits()) {
      Map<?, ?> ferry = (Map<?, ?>) hit.getSourceAsMap().get("ferry");
      assertThat(hit.getId(), (String) ferry.get("bundle"), startsWith(bundlePrefix));
      assertTrue(
          hit.getId() + ": " + ferry.get("label"), labels.contains((String) ferry.get("label")));
    }
  }

  /** What node {@code node} did with bundle {@code name}, by its stats. */
  private static void assertUse(
      String node, String name, boolean loaded, long downloads, long opens) throws Exception {
    String nodeId = internalCluster().clusterService(node).localNode().getId();
    BundleNodesAction.Response stats =
        client().execute(BundleNodesAction.INSTANCE, new BundleNodesAction.Request(nodeId)).get();
    BundleUse use =
        stats.getNodes().get(0).uses().stream()
            .filter(u -> u.name().equals(name))
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        node + " never used " + name + ": " + stats.getNodes().get(0).uses()));
    assertEquals(node + " " + name + " loaded", loaded, use.loaded());
    assertEquals(node + " " + name + " downloads", downloads, use.downloads());
    assertEquals(node + " " + name + " opens", opens, use.opens());
    assertTrue(use.fromCluster());
  }
}
