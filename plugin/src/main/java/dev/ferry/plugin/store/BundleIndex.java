package dev.ferry.plugin.store;

import java.io.IOException;
import java.util.Base64;
import java.util.Map;
import java.util.function.BiConsumer;
import org.opensearch.ExceptionsHelper;
import org.opensearch.ResourceAlreadyExistsException;
import org.opensearch.action.DocWriteRequest;
import org.opensearch.action.admin.indices.create.CreateIndexRequest;
import org.opensearch.action.admin.indices.create.CreateIndexResponse;
import org.opensearch.action.get.GetResponse;
import org.opensearch.action.index.IndexRequest;
import org.opensearch.action.support.ContextPreservingActionListener;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.util.concurrent.ThreadContext;
import org.opensearch.common.xcontent.XContentFactory;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.indices.SystemIndexDescriptor;
import org.opensearch.transport.client.Client;

/**
 * The system index that holds the bytes of the cluster's bundles, {@value #NAME}: hidden, one shard
 * with a replica where there is a second node, one document per chunk of a bundle file ({@code
 * bundle}, {@code upload}, {@code file}, {@code seq} and the bytes in {@code data}, a {@code
 * binary} field: kept in {@code _source}, never indexed). Chunks are written as CBOR, so the bytes
 * travel and rest as bytes, not Base64. A chunk is read back by its id, which needs no refresh.
 *
 * <p>The plugin reads and writes it as itself: each request runs with a fresh thread context (so a
 * caller's credentials or headers never reach it) and its answer is handed back in the caller's.
 */
public final class BundleIndex {
  /** The index's name. */
  public static final String NAME = ".ferry-bundles";

  private BundleIndex() {}

  /** What the plugin registers as its system index. */
  public static SystemIndexDescriptor descriptor() {
    return new SystemIndexDescriptor(
        NAME, "Ferry's model bundles, in chunks (PUT _plugins/ferry/bundles/NAME)");
  }

  /**
   * Runs {@code call} as the plugin and hands its answer to {@code listener} in the caller's thread
   * context.
   */
  public static <T> void asPlugin(
      Client client, BiConsumer<Client, ActionListener<T>> call, ActionListener<T> listener) {
    ThreadContext context = client.threadPool().getThreadContext();
    ActionListener<T> restoring =
        ContextPreservingActionListener.wrapPreservingContext(listener, context);
    ThreadContext.StoredContext caller = context.stashContext();
    try {
      call.accept(client, restoring);
    } finally {
      caller.restore();
    }
  }

  /** Creates the index unless it exists. */
  static void ensureExists(Client client, ActionListener<Void> listener) {
    CreateIndexRequest request =
        new CreateIndexRequest(NAME)
            .settings(
                Settings.builder()
                    .put("index.hidden", true)
                    .put("index.number_of_shards", 1)
                    .put("index.auto_expand_replicas", "0-1"));
    try {
      request.mapping(mapping());
    } catch (IOException e) {
      listener.onFailure(e);
      return;
    }
    BundleIndex.<CreateIndexResponse>asPlugin(
        client,
        (c, l) -> c.admin().indices().create(request, l),
        ActionListener.wrap(
            r -> listener.onResponse(null),
            e -> {
              if (ExceptionsHelper.unwrapCause(e) instanceof ResourceAlreadyExistsException) {
                listener.onResponse(null);
              } else {
                listener.onFailure(e);
              }
            }));
  }

  private static XContentBuilder mapping() throws IOException {
    return XContentFactory.jsonBuilder()
        .startObject()
        .field("dynamic", "strict")
        .startObject("properties")
        .startObject("bundle")
        .field("type", "keyword")
        .endObject()
        .startObject("upload")
        .field("type", "keyword")
        .endObject()
        .startObject("file")
        .field("type", "keyword")
        .endObject()
        .startObject("seq")
        .field("type", "integer")
        .endObject()
        .startObject("data")
        .field("type", "binary")
        .endObject()
        .endObject()
        .endObject();
  }

  /**
   * The document for chunk {@code seq} of file number {@code file}: {@code length} bytes of {@code
   * data}.
   */
  static IndexRequest chunk(StoredBundle bundle, int file, int seq, byte[] data, int length)
      throws IOException {
    XContentBuilder source =
        XContentFactory.cborBuilder()
            .startObject()
            .field("bundle", bundle.name())
            .field("upload", bundle.upload())
            .field("file", bundle.files().get(file).name())
            .field("seq", seq)
            .field("data", data, 0, length)
            .endObject();
    return new IndexRequest(NAME)
        .id(bundle.chunkId(file, seq))
        .opType(DocWriteRequest.OpType.CREATE)
        .source(source);
  }

  /** The bytes a chunk document holds. */
  static byte[] data(GetResponse chunk) {
    Map<String, Object> source = chunk.getSourceAsMap();
    Object data = source.get("data");
    if (data instanceof byte[] bytes) {
      return bytes;
    }
    if (data instanceof String base64) {
      return Base64.getDecoder().decode(base64);
    }
    throw new IllegalStateException(
        NAME
            + "/"
            + chunk.getId()
            + " holds no chunk bytes (data is "
            + (data == null ? "missing" : data.getClass().getSimpleName())
            + ")");
  }
}
