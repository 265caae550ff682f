package dev.ferry.plugin.action;

import dev.ferry.plugin.bundle.BundleRegistry;
import java.io.IOException;
import java.util.List;
import org.opensearch.action.FailedNodeException;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.nodes.TransportNodesAction;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.TransportService;

/** Answers {@link BundleNodesAction} on every node from its {@link BundleRegistry}. */
public final class TransportBundleNodesAction
    extends TransportNodesAction<
        BundleNodesAction.Request,
        BundleNodesAction.Response,
        BundleNodesAction.NodeRequest,
        BundleNodesAction.NodeResponse> {
  private final BundleRegistry registry;

  /** Built by the node's injector. */
  @Inject
  public TransportBundleNodesAction(
      ThreadPool threadPool,
      ClusterService clusterService,
      TransportService transportService,
      ActionFilters actionFilters,
      BundleRegistry registry) {
    super(
        BundleNodesAction.NAME,
        threadPool,
        clusterService,
        transportService,
        actionFilters,
        BundleNodesAction.Request::new,
        BundleNodesAction.NodeRequest::new,
        ThreadPool.Names.MANAGEMENT,
        BundleNodesAction.NodeResponse.class);
    this.registry = registry;
  }

  @Override
  protected BundleNodesAction.Response newResponse(
      BundleNodesAction.Request request,
      List<BundleNodesAction.NodeResponse> nodes,
      List<FailedNodeException> failures) {
    return new BundleNodesAction.Response(clusterService.getClusterName(), nodes, failures);
  }

  @Override
  protected BundleNodesAction.NodeRequest newNodeRequest(BundleNodesAction.Request request) {
    return new BundleNodesAction.NodeRequest();
  }

  @Override
  protected BundleNodesAction.NodeResponse newNodeResponse(StreamInput in) throws IOException {
    return new BundleNodesAction.NodeResponse(in);
  }

  @Override
  protected BundleNodesAction.NodeResponse nodeOperation(BundleNodesAction.NodeRequest request) {
    return new BundleNodesAction.NodeResponse(clusterService.localNode(), registry.uses());
  }
}
