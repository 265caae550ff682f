package dev.ferry.plugin.action;

import java.io.IOException;
import org.opensearch.action.ActionRequest;
import org.opensearch.action.ActionRequestValidationException;
import org.opensearch.core.common.bytes.BytesReference;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;

/**
 * A bundle zip to store under a name ({@link PutBundleAction}). It runs on the node that received
 * it, so the zip is never sent over the transport layer whole; the chunks are.
 */
public final class PutBundleRequest extends ActionRequest {
  private final String name;
  private final BytesReference zip;

  /** Store {@code zip} as bundle {@code name}. */
  public PutBundleRequest(String name, BytesReference zip) {
    this.name = name;
    this.zip = zip;
  }

  /** Reads what {@link #writeTo} wrote. */
  public PutBundleRequest(StreamInput in) throws IOException {
    super(in);
    this.name = in.readString();
    this.zip = in.readBytesReference();
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    super.writeTo(out);
    out.writeString(name);
    out.writeBytesReference(zip);
  }

  /** The bundle's name. */
  public String name() {
    return name;
  }

  /** The zip, as {@code ferry bundle zip} writes it. */
  public BytesReference zip() {
    return zip;
  }

  @Override
  public ActionRequestValidationException validate() {
    return null;
  }
}
