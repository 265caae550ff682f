package dev.ferry.plugin.rest;

import dev.ferry.plugin.action.CatalogUpdateAction;
import dev.ferry.plugin.action.CatalogUpdateRequest;
import dev.ferry.plugin.action.GetBundlesAction;
import dev.ferry.plugin.action.PutBundleAction;
import dev.ferry.plugin.action.PutBundleRequest;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.opensearch.core.common.bytes.BytesReference;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.rest.BaseRestHandler;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.action.RestStatusToXContentListener;
import org.opensearch.rest.action.RestToXContentListener;
import org.opensearch.transport.client.node.NodeClient;

/**
 * The REST API of the cluster's bundles, under {@value #BASE}:
 *
 * <ul>
 *   <li>{@code PUT BASE/NAME} with a bundle zip as the body ({@code ferry bundle zip}): stores it;
 *   <li>{@code GET BASE}: every bundle (labels, encoder, chunking, size, created, the nodes that
 *       have it loaded) and alias; {@code GET BASE/NAME}: one bundle, or an alias's, with its
 *       manifest;
 *   <li>{@code DELETE BASE/NAME}: deletes a bundle no alias or pipeline names;
 *   <li>{@code PUT BASE/_alias/ALIAS} with {@code {"bundle": "NAME"}}: creates or switches an
 *       alias; {@code DELETE BASE/_alias/ALIAS} deletes it.
 * </ul>
 *
 * <p>OpenSearch's REST layer admits only bodies of a content type it can parse (JSON, YAML, CBOR,
 * SMILE) and refuses any other with a 406 before a plugin sees the request; the zip is therefore
 * sent as {@code Content-Type: application/json}, and read as a zip whatever the header says.
 */
public final class RestBundlesAction extends BaseRestHandler {
  /** Where the API lives. */
  public static final String BASE = "/_plugins/ferry/bundles";

  @Override
  public String getName() {
    return "ferry_bundles";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        new Route(RestRequest.Method.GET, BASE),
        new Route(RestRequest.Method.GET, BASE + "/{name}"),
        new Route(RestRequest.Method.PUT, BASE + "/{name}"),
        new Route(RestRequest.Method.DELETE, BASE + "/{name}"),
        new Route(RestRequest.Method.PUT, BASE + "/_alias/{alias}"),
        new Route(RestRequest.Method.DELETE, BASE + "/_alias/{alias}"));
  }

  @Override
  protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client)
      throws IOException {
    String alias = request.param("alias");
    String name = request.param("name");
    if (alias != null) {
      CatalogUpdateRequest change =
          request.method() == RestRequest.Method.PUT
              ? CatalogUpdateRequest.putAlias(alias, aliasTarget(request))
              : CatalogUpdateRequest.deleteAlias(alias);
      return channel ->
          client.execute(
              CatalogUpdateAction.INSTANCE, change, new RestToXContentListener<>(channel));
    }
    return switch (request.method()) {
      case PUT -> {
        BytesReference zip = zipBody(request, name);
        yield channel ->
            client.execute(
                PutBundleAction.INSTANCE,
                new PutBundleRequest(name, zip),
                new RestStatusToXContentListener<>(channel));
      }
      case DELETE ->
          channel ->
              client.execute(
                  CatalogUpdateAction.INSTANCE,
                  CatalogUpdateRequest.delete(name),
                  new RestToXContentListener<>(channel));
      default ->
          channel ->
              client.execute(
                  GetBundlesAction.INSTANCE,
                  new GetBundlesAction.Request(name),
                  new RestToXContentListener<>(channel));
    };
  }

  /** The body of a bundle upload, which must at least start like a zip. */
  private static BytesReference zipBody(RestRequest request, String name) {
    String how =
        "send the zip that 'ferry bundle zip DIR' writes: curl -XPUT HOST"
            + BASE
            + "/"
            + name
            + " -H 'Content-Type: application/json' --data-binary @bundle.zip";
    if (!request.hasContent()) {
      throw new IllegalArgumentException(
          "PUT " + BASE + "/" + name + " needs the bundle zip as its body; " + how);
    }
    BytesReference body = request.content();
    if (body.length() < 4 || body.get(0) != 'P' || body.get(1) != 'K') {
      throw new IllegalArgumentException(
          "the body of PUT " + BASE + "/" + name + " is not a zip file; " + how);
    }
    return body;
  }

  /** The bundle of {@code {"bundle": "NAME"}}. */
  private static String aliasTarget(RestRequest request) throws IOException {
    String usage =
        "PUT " + BASE + "/_alias/" + request.param("alias") + " needs {\"bundle\": \"NAME\"}";
    if (!request.hasContent()) {
      throw new IllegalArgumentException(usage);
    }
    try (XContentParser parser = request.contentParser()) {
      Map<String, Object> body = parser.map();
      if (!(body.get("bundle") instanceof String target) || body.size() != 1) {
        throw new IllegalArgumentException(usage + ", got " + body);
      }
      return target;
    }
  }
}
