package dev.ferry.plugin.action;

import org.opensearch.action.ActionType;

/**
 * Stores an uploaded bundle zip in the cluster ({@code PUT _plugins/ferry/bundles/NAME}): checks
 * it, writes its files as chunks into {@code .ferry-bundles}, then records it in the catalog.
 */
public final class PutBundleAction extends ActionType<PutBundleResponse> {
  /** The action's name (what a security plugin's roles grant). */
  public static final String NAME = "cluster:admin/ferry/bundles/put";

  /** The action. */
  public static final PutBundleAction INSTANCE = new PutBundleAction();

  private PutBundleAction() {
    super(NAME, PutBundleResponse::new);
  }
}
