package dev.ferry.plugin.bundle;

import dev.ferry.models.bundle.BundleLoadException;
import dev.ferry.models.bundle.ModelBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Bundles as folders under the node's {@code config/ferry/}: bundle {@code NAME} is the folder
 * {@code config/ferry/NAME}, as {@code ferry train --out} wrote it. Every node that runs a pipeline
 * or embeds a query needs its own copy.
 */
public final class ConfigFolderBundleSource implements BundleSource {
  /** A bundle name is one folder name: no separators, no leading dot. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

  private final Path root;

  /** Bundles under {@code root} (the node's {@code config/ferry}). */
  public ConfigFolderBundleSource(Path root) {
    this.root = root;
  }

  @Override
  public ModelBundle open(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new BundleLoadException(
          "bundle name '"
              + name
              + "' is not a folder name: use letters, "
              + "digits, '.', '_' and '-' only (the bundle is the folder "
              + root
              + "/NAME)");
    }
    Path dir = root.resolve(name);
    if (!Files.isDirectory(dir)) {
      throw new BundleLoadException(
          "no bundle '"
              + name
              + "': expected a folder written by 'ferry train "
              + "--out' at "
              + dir
              + " on every node that runs Ferry's pipelines or queries; "
              + available());
    }
    return ModelBundle.open(dir);
  }

  @Override
  public String describe() {
    return "the folder " + root;
  }

  private String available() {
    if (!Files.isDirectory(root)) {
      return "the folder " + root + " does not exist";
    }
    try (Stream<Path> entries = Files.list(root)) {
      List<String> names =
          entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
      return names.isEmpty()
          ? root + " holds no bundles"
          : "bundles there: " + String.join(", ", names);
    } catch (IOException e) {
      return "cannot list " + root + ": " + e.getMessage();
    }
  }
}
