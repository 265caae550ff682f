package dev.ferry.plugin.action;

import dev.ferry.plugin.bundle.BundleUse;
import dev.ferry.plugin.store.BundleCatalog;
import dev.ferry.plugin.store.BundleStore;
import dev.ferry.plugin.store.StoredBundle;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.opensearch.ResourceNotFoundException;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.HandledTransportAction;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.action.ActionListener;
import org.opensearch.tasks.Task;
import org.opensearch.transport.TransportService;
import org.opensearch.transport.client.Client;

/**
 * Answers {@link GetBundlesAction} from the cluster state this node applied, every node's {@link
 * BundleNodesAction} answer, and, for one bundle, its manifest read from {@code .ferry-bundles}.
 */
public final class TransportGetBundlesAction
    extends HandledTransportAction<GetBundlesAction.Request, GetBundlesResponse> {
  private final ClusterService clusterService;
  private final Client client;
  private final BundleStore store;

  /** Built by the node's injector. */
  @Inject
  public TransportGetBundlesAction(
      TransportService transportService,
      ActionFilters actionFilters,
      ClusterService clusterService,
      Client client,
      BundleStore store) {
    super(GetBundlesAction.NAME, transportService, actionFilters, GetBundlesAction.Request::new);
    this.clusterService = clusterService;
    this.client = client;
    this.store = store;
  }

  @Override
  protected void doExecute(
      Task task, GetBundlesAction.Request request, ActionListener<GetBundlesResponse> listener) {
    BundleCatalog catalog = BundleCatalog.of(clusterService.state());
    StoredBundle one = request.name() == null ? null : catalog.resolve(request.name());
    if (request.name() != null && one == null) {
      listener.onFailure(
          new ResourceNotFoundException(
              "no bundle or alias '"
                  + request.name()
                  + "' is stored in the "
                  + "cluster (GET _plugins/ferry/bundles lists them)"));
      return;
    }
    client.execute(
        BundleNodesAction.INSTANCE,
        new BundleNodesAction.Request(),
        ActionListener.wrap(
            answers -> {
              Map<String, Map<String, GetBundlesResponse.NodeUse>> nodes = new HashMap<>();
              for (BundleNodesAction.NodeResponse node : answers.getNodes()) {
                for (BundleUse use : node.uses()) {
                  if (use.fromCluster()) {
                    nodes
                        .computeIfAbsent(use.key(), k -> new HashMap<>())
                        .put(
                            node.getNode().getName(),
                            new GetBundlesResponse.NodeUse(
                                use.loaded(), use.downloads(), use.opens()));
                  }
                }
              }
              if (one == null) {
                listener.onResponse(new GetBundlesResponse(catalog, nodes, null, null));
                return;
              }
              store.manifest(
                  one,
                  ActionListener.wrap(
                      manifest ->
                          listener.onResponse(
                              new GetBundlesResponse(
                                  catalog,
                                  nodes,
                                  request.name(),
                                  new String(manifest, StandardCharsets.UTF_8))),
                      listener::onFailure));
            },
            listener::onFailure));
  }
}
