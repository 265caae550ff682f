package dev.ferry.plugin.bundle;

/**
 * A bundle a node used, for the node stats ({@code GET _plugins/ferry/bundles} shows them per node
 * as {@code nodes} and {@code loaded_on}).
 *
 * @param name its name
 * @param key {@code NAME@SHA12} (for a config-folder bundle not opened yet, its name alone)
 * @param fromCluster stored in the cluster (not a config-folder bundle)
 * @param loaded open on this node now
 * @param downloads times it was fetched from the cluster into this node's cache
 * @param opens times it was opened (encoder started) on this node
 */
public record BundleUse(
    String name, String key, boolean fromCluster, boolean loaded, long downloads, long opens) {}
