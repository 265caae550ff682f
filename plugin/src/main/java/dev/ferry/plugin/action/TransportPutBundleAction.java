package dev.ferry.plugin.action;

import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.HandledTransportAction;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.action.ActionListener;
import org.opensearch.tasks.Task;
import org.opensearch.transport.TransportService;

/** Hands a {@link PutBundleRequest} to the node's {@link BundleUploader}. */
public final class TransportPutBundleAction
    extends HandledTransportAction<PutBundleRequest, PutBundleResponse> {
  private final BundleUploader uploader;

  /** Built by the node's injector. */
  @Inject
  public TransportPutBundleAction(
      TransportService transportService, ActionFilters actionFilters, BundleUploader uploader) {
    super(PutBundleAction.NAME, transportService, actionFilters, PutBundleRequest::new);
    this.uploader = uploader;
  }

  @Override
  protected void doExecute(
      Task task, PutBundleRequest request, ActionListener<PutBundleResponse> listener) {
    uploader.upload(
        request.name(), request.zip(), ActionListener.map(listener, PutBundleResponse::new));
  }
}
