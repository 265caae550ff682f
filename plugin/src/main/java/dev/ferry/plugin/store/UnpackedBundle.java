package dev.ferry.plugin.store;

import java.util.List;

/**
 * An uploaded bundle, unpacked into a staging folder and checked: the manifest and the files it
 * lists, each with its SHA-256 (the manifest's own, for the manifest).
 *
 * @param directory the staging folder
 * @param manifestSha256 SHA-256 of {@code manifest.json}, which names the bundle's exact content
 * @param files the manifest first, then the files it lists, by name
 */
public record UnpackedBundle(
    java.nio.file.Path directory, String manifestSha256, List<File> files) {
  /**
   * One file of the bundle.
   *
   * @param name its name in the bundle
   * @param sha256 its SHA-256
   * @param size its bytes
   */
  public record File(String name, String sha256, long size) {}
}
