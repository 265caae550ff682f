package dev.ferry.plugin.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.opensearch.Version;
import org.opensearch.cluster.AbstractNamedDiffable;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.NamedDiff;
import org.opensearch.cluster.metadata.Metadata;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;

/**
 * The cluster's bundles and aliases, kept in the cluster state's metadata, so that every node sees
 * the same catalog, a change to it is one atomic cluster-state update (an alias switch included),
 * it survives full restarts, and a node that joins gets it with the rest of the state. The bundles'
 * bytes are in {@value BundleIndex#NAME}; a bundle enters the catalog only after all of them were
 * written, so a half-uploaded bundle is never seen.
 *
 * <p>Bundle and alias names share one namespace. An alias names a bundle, never another alias.
 */
public final class BundleCatalog extends AbstractNamedDiffable<Metadata.Custom>
    implements Metadata.Custom {
  /** The metadata section's name. */
  public static final String TYPE = "ferry_bundles";

  /** No bundles, no aliases. */
  public static final BundleCatalog EMPTY = new BundleCatalog(Map.of(), Map.of());

  private final SortedMap<String, StoredBundle> bundles;
  private final SortedMap<String, String> aliases;

  BundleCatalog(Map<String, StoredBundle> bundles, Map<String, String> aliases) {
    this.bundles = Collections.unmodifiableSortedMap(new TreeMap<>(bundles));
    this.aliases = Collections.unmodifiableSortedMap(new TreeMap<>(aliases));
  }

  /** The catalog in {@code state}, or {@link #EMPTY}. */
  public static BundleCatalog of(ClusterState state) {
    BundleCatalog catalog = state.metadata().custom(TYPE);
    return catalog == null ? EMPTY : catalog;
  }

  /** The bundles by name. */
  public SortedMap<String, StoredBundle> bundles() {
    return bundles;
  }

  /** The aliases: alias to bundle name. */
  public SortedMap<String, String> aliases() {
    return aliases;
  }

  /** Whether {@code name} is a bundle's or an alias's name here. */
  public boolean contains(String name) {
    return bundles.containsKey(name) || aliases.containsKey(name);
  }

  /** The bundle {@code name} names, itself or through an alias; null when it names none. */
  public StoredBundle resolve(String name) {
    StoredBundle bundle = bundles.get(name);
    if (bundle != null) {
      return bundle;
    }
    String target = aliases.get(name);
    return target == null ? null : bundles.get(target);
  }

  /** The aliases that name bundle {@code name}. */
  public List<String> aliasesOf(String name) {
    List<String> out = new ArrayList<>();
    aliases.forEach(
        (alias, target) -> {
          if (target.equals(name)) {
            out.add(alias);
          }
        });
    return out;
  }

  /** This catalog with {@code bundle} added. */
  BundleCatalog with(StoredBundle bundle) {
    Map<String, StoredBundle> next = new TreeMap<>(bundles);
    next.put(bundle.name(), bundle);
    return new BundleCatalog(next, aliases);
  }

  /** This catalog without bundle or alias {@code name}. */
  BundleCatalog without(String name) {
    Map<String, StoredBundle> nextBundles = new TreeMap<>(bundles);
    Map<String, String> nextAliases = new TreeMap<>(aliases);
    nextBundles.remove(name);
    nextAliases.remove(name);
    return new BundleCatalog(nextBundles, nextAliases);
  }

  /** This catalog with alias {@code alias} naming bundle {@code target}. */
  BundleCatalog withAlias(String alias, String target) {
    Map<String, String> next = new TreeMap<>(aliases);
    next.put(alias, target);
    return new BundleCatalog(bundles, next);
  }

  @Override
  public EnumSet<Metadata.XContentContext> context() {
    // API: GET _cluster/state shows it; GATEWAY: it survives full restarts; SNAPSHOT: a snapshot
    // with the global state carries it beside the .ferry-bundles index.
    return Metadata.ALL_CONTEXTS;
  }

  @Override
  public String getWriteableName() {
    return TYPE;
  }

  @Override
  public Version getMinimalSupportedVersion() {
    return Version.CURRENT.minimumCompatibilityVersion();
  }

  /** Reads what {@link #writeTo} wrote. */
  public BundleCatalog(StreamInput in) throws IOException {
    this(readBundles(in), in.readMap(StreamInput::readString, StreamInput::readString));
  }

  private static Map<String, StoredBundle> readBundles(StreamInput in) throws IOException {
    Map<String, StoredBundle> out = new TreeMap<>();
    for (StoredBundle b : in.readList(StoredBundle::readFrom)) {
      out.put(b.name(), b);
    }
    return out;
  }

  @Override
  public void writeTo(StreamOutput out) throws IOException {
    out.writeList(new ArrayList<>(bundles.values()));
    out.writeMap(aliases, StreamOutput::writeString, StreamOutput::writeString);
  }

  /** Reads a diff another node sent. */
  public static NamedDiff<Metadata.Custom> readDiffFrom(StreamInput in) throws IOException {
    return readDiffFrom(Metadata.Custom.class, TYPE, in);
  }

  @Override
  public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
    builder.startObject("bundles");
    for (StoredBundle b : bundles.values()) {
      builder.startObject(b.name());
      b.toXContent(builder, params);
      builder.endObject();
    }
    builder.endObject();
    return builder.field("aliases", aliases);
  }

  /** Reads what {@link #toXContent} wrote (the parser on the section's object). */
  @SuppressWarnings("unchecked")
  public static BundleCatalog fromXContent(XContentParser parser) throws IOException {
    Map<String, Object> map = parser.map();
    Map<String, StoredBundle> bundles = new TreeMap<>();
    Map<String, Object> stored = (Map<String, Object>) map.getOrDefault("bundles", Map.of());
    stored.forEach(
        (name, value) ->
            bundles.put(name, StoredBundle.fromMap(name, (Map<String, Object>) value)));
    Map<String, String> aliases = new TreeMap<>();
    ((Map<String, Object>) map.getOrDefault("aliases", Map.of()))
        .forEach((k, v) -> aliases.put(k, String.valueOf(v)));
    return new BundleCatalog(bundles, aliases);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BundleCatalog c && bundles.equals(c.bundles) && aliases.equals(c.aliases);
  }

  @Override
  public int hashCode() {
    return Objects.hash(bundles, aliases);
  }

  @Override
  public String toString() {
    return "BundleCatalog{bundles=" + bundles.keySet() + ", aliases=" + aliases + "}";
  }
}
