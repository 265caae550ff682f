package dev.ferry.plugin.bundle;

import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.models.bundle.ModelBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Bundles as folders under the node's {@code config/ferry/}: bundle {@code NAME} is the folder
 * {@code config/ferry/NAME}, as {@code ferry train --out} wrote it. Every node that runs a pipeline
 * or embeds a query needs its own copy; this is for air-gapped setups, the cluster's own store
 * ({@code PUT _plugins/ferry/bundles/NAME}) needs no copying.
 */
public final class ConfigFolderBundleSource implements BundleSource {
  private final Path root;

  /** Bundles under {@code root} (the node's {@code config/ferry}). */
  public ConfigFolderBundleSource(Path root) {
    this.root = root;
  }

  @Override
  public ModelBundle open(String name) {
    BundleNames.check(name);
    Path dir = root.resolve(name);
    if (!Files.isDirectory(dir)) {
      throw new BundleLoadException(
          "no bundle '"
              + name
              + "': expected a folder written by 'ferry train --out' at "
              + dir
              + " on every node that runs Ferry's pipelines or queries; "
              + available());
    }
    return ModelBundle.open(dir);
  }

  @Override
  public boolean has(String name) {
    return BundleNames.isValid(name) && Files.isDirectory(root.resolve(name));
  }

  @Override
  public List<String> names() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(root)) {
      return entries
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
  }

  @Override
  public String describe() {
    return "the folder " + root;
  }

  /** What the folder holds, in words. */
  String available() {
    if (!Files.isDirectory(root)) {
      return "the folder " + root + " does not exist";
    }
    List<String> names = names();
    return names.isEmpty()
        ? root + " holds no bundles"
        : "bundles there: " + String.join(", ", names);
  }
}
