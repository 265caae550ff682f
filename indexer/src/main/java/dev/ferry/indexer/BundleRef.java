package dev.ferry.indexer;

import java.util.List;

/**
 * A bundle that labeled documents of an index, as the index records it.
 *
 * @param key what each document stores: {@code id@sha12}, the bundle's id and the first 12 hex
 *     digits of its SHA-256
 * @param id the bundle's folder name
 * @param sha256 SHA-256 of the bundle's {@code manifest.json}, which lists every file's hash, so it
 *     names the bundle's exact content
 * @param path where the bundle was when it was used
 * @param labels its labels, in the order of its head's probabilities
 */
public record BundleRef(String key, String id, String sha256, String path, List<String> labels) {
  /** Copies the label list. */
  public BundleRef {
    labels = List.copyOf(labels);
  }
}
