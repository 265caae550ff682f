package dev.ferry.plugin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.ResourceNotFoundException;
import org.opensearch.cluster.ClusterName;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.metadata.Metadata;
import org.opensearch.common.io.stream.BytesStreamOutput;
import org.opensearch.common.xcontent.XContentFactory;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.core.common.bytes.BytesArray;
import org.opensearch.core.common.bytes.BytesReference;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.ToXContent;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.ingest.IngestMetadata;
import org.opensearch.ingest.PipelineConfiguration;

/**
 * {@link CatalogChanges} and {@link BundleCatalog}: names are taken once, aliases switch in one
 * step and name bundles only, nothing in use is deleted, and the catalog survives the wire and the
 * gateway's JSON.
 */
class CatalogChangesTest {
  private static StoredBundle bundle(String name) {
    return new StoredBundle(
        name,
        "upload-" + name,
        "ab".repeat(32),
        1_700_000_000_000L,
        List.of("grain", "other"),
        "all-minilm-l6-v2-q",
        "first window only",
        1 << 20,
        List.of(
            new StoredBundle.StoredFile("manifest.json", "cd".repeat(32), 900, 1),
            new StoredBundle.StoredFile("head.onnx", "ef".repeat(32), 3_000_000, 3)));
  }

  private static ClusterState empty() {
    return ClusterState.builder(new ClusterName("test")).build();
  }

  private static ClusterState withPipeline(ClusterState state, String id, String bundle) {
    String json =
        "{\"processors\": [{\"set\": {\"field\": \"a\", \"value\": 1, \"on_failure\":"
            + " [{\"ferry_relabel\": {\"bundle\": \""
            + bundle
            + "\"}}]}}]}";
    return ClusterState.builder(state)
        .metadata(
            Metadata.builder(state.metadata())
                .putCustom(
                    IngestMetadata.TYPE,
                    new IngestMetadata(
                        Map.of(
                            id,
                            new PipelineConfiguration(
                                id, new BytesArray(json), XContentType.JSON)))))
        .build();
  }

  private static RestStatus status(Runnable change) {
    try {
      change.run();
    } catch (OpenSearchStatusException e) {
      return e.status();
    }
    throw new AssertionError("expected a refusal");
  }

  @Test
  void aNameIsStoredOnceAndAnAliasSwitchesInOneStep() {
    ClusterState state = CatalogChanges.register(empty(), bundle("tickets-v1"));
    state = CatalogChanges.register(state, bundle("tickets-v2"));
    ClusterState taken = state;
    assertThat(status(() -> CatalogChanges.register(taken, bundle("tickets-v1"))))
        .isEqualTo(RestStatus.CONFLICT);

    state = CatalogChanges.putAlias(state, "tickets", "tickets-v1");
    assertThat(BundleCatalog.of(state).resolve("tickets").name()).isEqualTo("tickets-v1");
    state = CatalogChanges.putAlias(state, "tickets", "tickets-v2");
    assertThat(BundleCatalog.of(state).resolve("tickets").name()).isEqualTo("tickets-v2");
    assertThat(BundleCatalog.of(state).aliasesOf("tickets-v1")).isEmpty();
    ClusterState aliased = state;
    assertThat(status(() -> CatalogChanges.register(aliased, bundle("tickets"))))
        .isEqualTo(RestStatus.CONFLICT);
    assertThat(status(() -> CatalogChanges.putAlias(aliased, "tickets-v1", "tickets-v2")))
        .isEqualTo(RestStatus.CONFLICT);
    assertThatThrownBy(() -> CatalogChanges.putAlias(aliased, "other", "tickets"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'tickets' is an alias");
    assertThatThrownBy(() -> CatalogChanges.putAlias(aliased, "other", "nope"))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("no bundle 'nope'");
    assertThatThrownBy(() -> CatalogChanges.putAlias(aliased, "_bad", "tickets-v1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("alias name '_bad' is not valid");
    assertThat(CatalogChanges.putAlias(aliased, "tickets", "tickets-v2")).isSameAs(aliased);
  }

  @Test
  void whatAnAliasOrAPipelineNamesIsNotDeleted() {
    ClusterState state =
        CatalogChanges.register(CatalogChanges.register(empty(), bundle("v1")), bundle("v2"));
    state = CatalogChanges.putAlias(state, "live", "v2");
    ClusterState aliased = state;
    assertThatThrownBy(() -> CatalogChanges.delete(aliased, "v2"))
        .isInstanceOf(OpenSearchStatusException.class)
        .hasMessageContaining("bundle 'v2' is in use: alias live names it");
    assertThatThrownBy(() -> CatalogChanges.delete(aliased, "live"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DELETE _plugins/ferry/bundles/_alias/live");
    assertThatThrownBy(() -> CatalogChanges.delete(aliased, "v3"))
        .isInstanceOf(ResourceNotFoundException.class);

    ClusterState piped = withPipeline(state, "relabel", "v1");
    assertThat(status(() -> CatalogChanges.delete(piped, "v1"))).isEqualTo(RestStatus.CONFLICT);
    assertThatThrownBy(() -> CatalogChanges.delete(piped, "v1"))
        .hasMessageContaining("pipeline relabel names it");
    ClusterState pipedAlias = withPipeline(state, "ingest", "live");
    assertThatThrownBy(() -> CatalogChanges.deleteAlias(pipedAlias, "live"))
        .hasMessageContaining("alias 'live' is in use: pipeline ingest names it");

    state = CatalogChanges.delete(state, "v1");
    state = CatalogChanges.deleteAlias(state, "live");
    state = CatalogChanges.delete(state, "v2");
    assertThat(BundleCatalog.of(state).bundles()).isEmpty();
    assertThat(BundleCatalog.of(state).aliases()).isEmpty();
  }

  @Test
  void theCatalogSurvivesTheWireAndTheGatewaysJson() throws Exception {
    BundleCatalog catalog =
        BundleCatalog.of(
            CatalogChanges.putAlias(
                CatalogChanges.register(CatalogChanges.register(empty(), bundle("b")), bundle("a")),
                "live",
                "a"));
    BytesStreamOutput out = new BytesStreamOutput();
    catalog.writeTo(out);
    assertThat(new BundleCatalog(out.bytes().streamInput())).isEqualTo(catalog);

    XContentBuilder json = XContentFactory.jsonBuilder().startObject();
    catalog.toXContent(json, ToXContent.EMPTY_PARAMS);
    json.endObject();
    try (XContentParser parser =
        XContentType.JSON
            .xContent()
            .createParser(
                NamedXContentRegistry.EMPTY,
                DeprecationHandler.THROW_UNSUPPORTED_OPERATION,
                BytesReference.bytes(json).streamInput())) {
      parser.nextToken();
      assertThat(BundleCatalog.fromXContent(parser)).isEqualTo(catalog);
    }
    assertThat(catalog.bundles().get("a").chunkIds())
        .containsExactly("a:upload-a:0:0", "a:upload-a:1:0", "a:upload-a:1:1", "a:upload-a:1:2");
  }
}
