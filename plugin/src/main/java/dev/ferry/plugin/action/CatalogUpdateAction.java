package dev.ferry.plugin.action;

import org.opensearch.action.ActionType;
import org.opensearch.action.support.clustermanager.AcknowledgedResponse;

/**
 * Changes the cluster's bundle catalog on the cluster manager: stores an uploaded bundle's record,
 * deletes a bundle (and then its chunks), creates, switches or deletes an alias.
 */
public final class CatalogUpdateAction extends ActionType<AcknowledgedResponse> {
  /** The action's name (what a security plugin's roles grant). */
  public static final String NAME = "cluster:admin/ferry/bundles/update";

  /** The action. */
  public static final CatalogUpdateAction INSTANCE = new CatalogUpdateAction();

  private CatalogUpdateAction() {
    super(NAME, AcknowledgedResponse::new);
  }
}
