package dev.ferry.plugin.action;

import dev.ferry.plugin.bundle.BundleUse;
import java.io.IOException;
import java.util.List;
import org.opensearch.action.ActionType;
import org.opensearch.action.FailedNodeException;
import org.opensearch.action.support.nodes.BaseNodeResponse;
import org.opensearch.action.support.nodes.BaseNodesRequest;
import org.opensearch.action.support.nodes.BaseNodesResponse;
import org.opensearch.cluster.ClusterName;
import org.opensearch.cluster.node.DiscoveryNode;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.transport.TransportRequest;

/**
 * Which bundles each node has loaded, and how often it fetched and opened each: what {@code GET
 * _plugins/ferry/bundles} shows as {@code loaded_on} and {@code nodes}.
 */
public final class BundleNodesAction extends ActionType<BundleNodesAction.Response> {
  /** The action's name. */
  public static final String NAME = "cluster:monitor/ferry/bundles/nodes";

  /** The action. */
  public static final BundleNodesAction INSTANCE = new BundleNodesAction();

  private BundleNodesAction() {
    super(NAME, Response::new);
  }

  /** Asks the given nodes (all when none are given). */
  public static final class Request extends BaseNodesRequest<Request> {
    /** Asks {@code nodeIds}, or every node. */
    public Request(String... nodeIds) {
      super(nodeIds);
    }

    /** Reads what {@link #writeTo} wrote. */
    public Request(StreamInput in) throws IOException {
      super(in);
    }
  }

  /** What one node is asked. */
  public static final class NodeRequest extends TransportRequest {
    /** The question. */
    public NodeRequest() {}

    /** Reads what {@link #writeTo} wrote. */
    public NodeRequest(StreamInput in) throws IOException {
      super(in);
    }
  }

  /** One node's bundles. */
  public static final class NodeResponse extends BaseNodeResponse {
    private final List<BundleUse> uses;

    /** The bundles {@code node} used. */
    public NodeResponse(DiscoveryNode node, List<BundleUse> uses) {
      super(node);
      this.uses = List.copyOf(uses);
    }

    /** Reads what {@link #writeTo} wrote. */
    public NodeResponse(StreamInput in) throws IOException {
      super(in);
      this.uses =
          in.readList(
              i ->
                  new BundleUse(
                      i.readString(),
                      i.readString(),
                      i.readBoolean(),
                      i.readBoolean(),
                      i.readVLong(),
                      i.readVLong()));
    }

    /** The bundles this node used. */
    public List<BundleUse> uses() {
      return uses;
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
      super.writeTo(out);
      out.writeCollection(
          uses,
          (o, u) -> {
            o.writeString(u.name());
            o.writeString(u.key());
            o.writeBoolean(u.fromCluster());
            o.writeBoolean(u.loaded());
            o.writeVLong(u.downloads());
            o.writeVLong(u.opens());
          });
    }
  }

  /** Every node's answer. */
  public static final class Response extends BaseNodesResponse<NodeResponse> {
    /** The answers, and the nodes that failed to answer. */
    public Response(
        ClusterName cluster, List<NodeResponse> nodes, List<FailedNodeException> failures) {
      super(cluster, nodes, failures);
    }

    /** Reads what {@link #writeTo} wrote. */
    public Response(StreamInput in) throws IOException {
      super(in);
    }

    @Override
    protected List<NodeResponse> readNodesFrom(StreamInput in) throws IOException {
      return in.readList(NodeResponse::new);
    }

    @Override
    protected void writeNodesTo(StreamOutput out, List<NodeResponse> nodes) throws IOException {
      out.writeList(nodes);
    }
  }
}
