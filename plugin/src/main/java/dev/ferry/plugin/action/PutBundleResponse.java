package dev.ferry.plugin.action;

import dev.ferry.plugin.store.StoredBundle;
import java.io.IOException;
import org.opensearch.common.xcontent.StatusToXContentObject;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.xcontent.XContentBuilder;

/** The record of a bundle just stored: a 201 with its name, files, hashes and size. */
public final class PutBundleResponse extends ActionResponse implements StatusToXContentObject {
  private final StoredBundle bundle;

  /** Answers with {@code bundle}. */
  public PutBundleResponse(StoredBundle bundle) {
    this.bundle = bundle;
  }

  /** Reads what {@link #writeTo} wrote. */
  public PutBundleResponse(StreamInput in) throws IOException {
    super(in);
    this.bundle = StoredBundle.readFrom(in);
  }

  /** The stored bundle. */
  public StoredBundle bundle() {
    return bundle;
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    bundle.writeTo(out);
  }

  @Override
  public RestStatus status() {
    return RestStatus.CREATED;
  }

  @Override
  public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
    builder.startObject().field("bundle", bundle.name()).field("key", bundle.key());
    bundle.toXContent(builder, params);
    return builder.endObject();
  }
}
