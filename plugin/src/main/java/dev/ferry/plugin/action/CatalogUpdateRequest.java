package dev.ferry.plugin.action;

import dev.ferry.plugin.store.StoredBundle;
import java.io.IOException;
import org.opensearch.action.ActionRequestValidationException;
import org.opensearch.action.support.clustermanager.AcknowledgedRequest;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;

/** One change to the bundle catalog ({@link CatalogUpdateAction}). */
public final class CatalogUpdateRequest extends AcknowledgedRequest<CatalogUpdateRequest> {
  /** What changes. */
  public enum Op {
    /** Store the record of an uploaded bundle whose chunks are all written. */
    REGISTER,
    /** Delete a bundle, then its chunks. */
    DELETE,
    /** Create an alias or switch it to another bundle. */
    PUT_ALIAS,
    /** Delete an alias. */
    DELETE_ALIAS
  }

  private final Op op;
  private final String name;
  private final String target;
  private final StoredBundle bundle;

  private CatalogUpdateRequest(Op op, String name, String target, StoredBundle bundle) {
    this.op = op;
    this.name = name;
    this.target = target;
    this.bundle = bundle;
  }

  /** Stores {@code bundle}'s record. */
  public static CatalogUpdateRequest register(StoredBundle bundle) {
    return new CatalogUpdateRequest(Op.REGISTER, bundle.name(), null, bundle);
  }

  /** Deletes bundle {@code name}. */
  public static CatalogUpdateRequest delete(String name) {
    return new CatalogUpdateRequest(Op.DELETE, name, null, null);
  }

  /** Points alias {@code alias} at bundle {@code target}. */
  public static CatalogUpdateRequest putAlias(String alias, String target) {
    return new CatalogUpdateRequest(Op.PUT_ALIAS, alias, target, null);
  }

  /** Deletes alias {@code alias}. */
  public static CatalogUpdateRequest deleteAlias(String alias) {
    return new CatalogUpdateRequest(Op.DELETE_ALIAS, alias, null, null);
  }

  /** Reads what {@link #writeTo} wrote. */
  public CatalogUpdateRequest(StreamInput in) throws IOException {
    super(in);
    this.op = in.readEnum(Op.class);
    this.name = in.readString();
    this.target = in.readOptionalString();
    this.bundle = in.readBoolean() ? StoredBundle.readFrom(in) : null;
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    super.writeTo(out);
    out.writeEnum(op);
    out.writeString(name);
    out.writeOptionalString(target);
    out.writeBoolean(bundle != null);
    if (bundle != null) {
      bundle.writeTo(out);
    }
  }

  /** What changes. */
  public Op op() {
    return op;
  }

  /** The bundle's or alias's name. */
  public String name() {
    return name;
  }

  /** For {@link Op#PUT_ALIAS}: the bundle the alias names. */
  public String target() {
    return target;
  }

  /** For {@link Op#REGISTER}: the bundle's record. */
  public StoredBundle bundle() {
    return bundle;
  }

  @Override
  public ActionRequestValidationException validate() {
    return null;
  }
}
