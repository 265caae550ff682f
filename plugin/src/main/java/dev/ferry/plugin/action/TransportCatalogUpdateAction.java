package dev.ferry.plugin.action;

import dev.ferry.plugin.store.BundleStore;
import dev.ferry.plugin.store.CatalogChanges;
import java.io.IOException;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.clustermanager.AcknowledgedResponse;
import org.opensearch.action.support.clustermanager.TransportClusterManagerNodeAction;
import org.opensearch.cluster.AckedClusterStateUpdateTask;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.block.ClusterBlockException;
import org.opensearch.cluster.block.ClusterBlockLevel;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.TransportService;

/**
 * Runs a {@link CatalogUpdateRequest} on the cluster manager as one cluster-state update ({@link
 * CatalogChanges}), answering once every node has applied it (so after an alias switch every node
 * resolves the alias to the new bundle). A deleted bundle's chunks are deleted after that.
 */
public final class TransportCatalogUpdateAction
    extends TransportClusterManagerNodeAction<CatalogUpdateRequest, AcknowledgedResponse> {
  private final BundleStore store;

  /** Built by the node's injector. */
  @Inject
  public TransportCatalogUpdateAction(
      TransportService transportService,
      ClusterService clusterService,
      ThreadPool threadPool,
      ActionFilters actionFilters,
      IndexNameExpressionResolver resolver,
      BundleStore store) {
    super(
        CatalogUpdateAction.NAME,
        transportService,
        clusterService,
        threadPool,
        actionFilters,
        CatalogUpdateRequest::new,
        resolver);
    this.store = store;
  }

  @Override
  protected String executor() {
    return ThreadPool.Names.SAME;
  }

  @Override
  protected AcknowledgedResponse read(StreamInput in) throws IOException {
    return new AcknowledgedResponse(in);
  }

  @Override
  protected ClusterBlockException checkBlock(CatalogUpdateRequest request, ClusterState state) {
    return state.blocks().globalBlockedException(ClusterBlockLevel.METADATA_WRITE);
  }

  @Override
  protected void clusterManagerOperation(
      CatalogUpdateRequest request,
      ClusterState state,
      ActionListener<AcknowledgedResponse> listener) {
    ActionListener<AcknowledgedResponse> answer =
        request.op() != CatalogUpdateRequest.Op.DELETE
            ? listener
            : ActionListener.wrap(
                acked ->
                    store.deleteAll(
                        request.name(),
                        ActionListener.wrap(
                            deleted -> listener.onResponse(acked),
                            e ->
                                listener.onFailure(
                                    new IllegalStateException(
                                        "bundle '"
                                            + request.name()
                                            + "' was deleted from the catalog, but deleting its"
                                            + " chunks failed (they are no longer used, and the"
                                            + " next delete of a bundle of that name removes them):"
                                            + " "
                                            + e.getMessage(),
                                        e)))),
                listener::onFailure);
    clusterService.submitStateUpdateTask(
        "ferry-bundles " + request.op() + " [" + request.name() + "]",
        new AckedClusterStateUpdateTask<AcknowledgedResponse>(request, answer) {
          @Override
          public ClusterState execute(ClusterState current) {
            return switch (request.op()) {
              case REGISTER -> CatalogChanges.register(current, request.bundle());
              case DELETE -> CatalogChanges.delete(current, request.name());
              case PUT_ALIAS -> CatalogChanges.putAlias(current, request.name(), request.target());
              case DELETE_ALIAS -> CatalogChanges.deleteAlias(current, request.name());
            };
          }

          @Override
          protected AcknowledgedResponse newResponse(boolean acknowledged) {
            return new AcknowledgedResponse(acknowledged);
          }
        });
  }
}
