package dev.ferry.plugin.action;

import dev.ferry.plugin.store.BundleCatalog;
import dev.ferry.plugin.store.StoredBundle;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.ToXContentObject;
import org.opensearch.core.xcontent.XContentBuilder;

/**
 * The answer to {@link GetBundlesAction}: the catalog, what each node did with each bundle, and for
 * one bundle asked by name, its manifest.
 */
public final class GetBundlesResponse extends ActionResponse implements ToXContentObject {
  /**
   * What one node did with one bundle.
   *
   * @param loaded open on the node now
   * @param downloads times the node fetched it from the cluster
   * @param opens times the node opened it (started its encoder)
   */
  public record NodeUse(boolean loaded, long downloads, long opens) {}

  private final BundleCatalog catalog;
  private final Map<String, Map<String, NodeUse>> nodes;
  private final String requested;
  private final String manifest;

  /**
   * @param nodes per bundle key ({@link StoredBundle#key}), per node name, what the node did
   * @param requested the name asked for, or null for the whole list
   * @param manifest that bundle's {@code manifest.json}, or null
   */
  GetBundlesResponse(
      BundleCatalog catalog,
      Map<String, Map<String, NodeUse>> nodes,
      String requested,
      String manifest) {
    this.catalog = catalog;
    this.nodes = nodes;
    this.requested = requested;
    this.manifest = manifest;
  }

  /** Reads what {@link #writeTo} wrote. */
  public GetBundlesResponse(StreamInput in) throws IOException {
    super(in);
    this.catalog = new BundleCatalog(in);
    this.nodes =
        in.readMap(
            StreamInput::readString,
            i ->
                i.readMap(
                    StreamInput::readString,
                    j -> new NodeUse(j.readBoolean(), j.readVLong(), j.readVLong())));
    this.requested = in.readOptionalString();
    this.manifest = in.readOptionalString();
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    catalog.writeTo(out);
    out.writeMap(
        nodes,
        StreamOutput::writeString,
        (o, perNode) ->
            o.writeMap(
                perNode,
                StreamOutput::writeString,
                (p, use) -> {
                  p.writeBoolean(use.loaded());
                  p.writeVLong(use.downloads());
                  p.writeVLong(use.opens());
                }));
    out.writeOptionalString(requested);
    out.writeOptionalString(manifest);
  }

  /** The catalog. */
  public BundleCatalog catalog() {
    return catalog;
  }

  /** Per bundle key, per node name, what the node did with the bundle. */
  public Map<String, Map<String, NodeUse>> nodes() {
    return nodes;
  }

  @Override
  public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
    builder.startObject();
    if (requested == null) {
      builder.startObject("bundles");
      for (StoredBundle b : catalog.bundles().values()) {
        builder.startObject(b.name());
        fields(builder, params, b);
        builder.endObject();
      }
      builder.endObject().field("aliases", catalog.aliases());
    } else {
      StoredBundle b = catalog.resolve(requested);
      builder.field("name", requested).field("bundle", b.name());
      fields(builder, params, b);
      if (manifest != null) {
        builder.rawField(
            "manifest",
            new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8)),
            XContentType.JSON);
      }
    }
    return builder.endObject();
  }

  private void fields(XContentBuilder builder, Params params, StoredBundle b) throws IOException {
    builder.field("key", b.key()).field("aliases", catalog.aliasesOf(b.name()));
    Map<String, NodeUse> perNode = nodes.getOrDefault(b.key(), Map.of());
    List<String> loadedOn =
        new TreeMap<>(perNode)
            .entrySet().stream().filter(e -> e.getValue().loaded()).map(Map.Entry::getKey).toList();
    builder.field("loaded_on", loadedOn);
    builder.startObject("nodes");
    for (Map.Entry<String, NodeUse> e : new TreeMap<>(perNode).entrySet()) {
      NodeUse use = e.getValue();
      builder
          .startObject(e.getKey())
          .field("loaded", use.loaded())
          .field("downloads", use.downloads())
          .field("opens", use.opens())
          .endObject();
    }
    builder.endObject();
    b.toXContent(builder, params);
  }
}
