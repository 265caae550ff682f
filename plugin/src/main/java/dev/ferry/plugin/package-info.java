/**
 * Ferry inside an OpenSearch node: the plugin, its bundles, and the {@code ferry_classify} ingest
 * processor.
 */
package dev.ferry.plugin;
