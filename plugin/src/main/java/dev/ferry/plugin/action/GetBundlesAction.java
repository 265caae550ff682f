package dev.ferry.plugin.action;

import java.io.IOException;
import org.opensearch.action.ActionRequest;
import org.opensearch.action.ActionRequestValidationException;
import org.opensearch.action.ActionType;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;

/**
 * The cluster's bundles and aliases, with the nodes that have each loaded ({@code GET
 * _plugins/ferry/bundles}), or one bundle with its manifest ({@code GET
 * _plugins/ferry/bundles/NAME}, NAME a bundle or an alias).
 */
public final class GetBundlesAction extends ActionType<GetBundlesResponse> {
  /** The action's name. */
  public static final String NAME = "cluster:monitor/ferry/bundles/get";

  /** The action. */
  public static final GetBundlesAction INSTANCE = new GetBundlesAction();

  private GetBundlesAction() {
    super(NAME, GetBundlesResponse::new);
  }

  /** Every bundle, or the one a name names. */
  public static final class Request extends ActionRequest {
    private final String name;

    /**
     * Every bundle when {@code name} is null, else bundle (or alias) {@code name} with its
     * manifest.
     */
    public Request(String name) {
      this.name = name;
    }

    /** Every bundle. */
    public static Request all() {
      return new Request((String) null);
    }

    /** Reads what {@link #writeTo} wrote. */
    public Request(StreamInput in) throws IOException {
      super(in);
      this.name = in.readOptionalString();
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
      super.writeTo(out);
      out.writeOptionalString(name);
    }

    /** The bundle or alias asked for, or null for all. */
    public String name() {
      return name;
    }

    @Override
    public ActionRequestValidationException validate() {
      return null;
    }
  }
}
