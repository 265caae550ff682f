package dev.ferry.plugin.store;

import dev.ferry.models.bundle.ModelBundle;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's copies of cluster bundles, under its data path ({@code DATA/ferry/bundles/}): one
 * folder per bundle, {@code NAME@SHA256} (the SHA-256 of its manifest, so a bundle deleted and
 * stored again under its old name gets a folder of its own). A download goes into a hidden {@code
 * .partial-*} folder and is moved into place whole, and an upload is unpacked into a hidden {@code
 * .upload-*} folder; both are removed when they fail, and what a killed node left is removed when
 * it starts again. A copy is checked against the manifest (every file's SHA-256) each time it is
 * opened.
 */
public final class BundleCache {
  private static final Logger LOG = LoggerFactory.getLogger(BundleCache.class);
  private static final String PARTIAL = ".partial-";
  private static final String UPLOAD = ".upload-";

  private final Path root;

  /** Copies under {@code root}. */
  public BundleCache(Path root) {
    this.root = root;
  }

  /** Where the copy of {@code bundle} lives once complete. */
  Path directory(StoredBundle bundle) {
    return root.resolve(bundle.name() + "@" + bundle.manifestSha256());
  }

  /** Whether a complete copy of {@code bundle} is here. */
  boolean has(StoredBundle bundle) {
    return Files.isRegularFile(directory(bundle).resolve(ModelBundle.MANIFEST));
  }

  /** A new, empty, hidden folder to download {@code bundle} into. */
  Path newPartial(StoredBundle bundle) throws IOException {
    return Files.createDirectories(root.resolve(PARTIAL + bundle.name() + "-" + UUID.randomUUID()));
  }

  /** A new, empty, hidden folder to unpack an upload into. */
  public Path newStaging() throws IOException {
    return Files.createDirectories(root.resolve(UPLOAD + UUID.randomUUID()));
  }

  /** Moves a complete download into place; if another got there first, drops this one. */
  void commit(Path partial, StoredBundle bundle) throws IOException {
    try {
      Files.move(partial, directory(bundle), StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
      delete(partial);
    }
  }

  /**
   * Removes the folder {@code dir} and everything in it; a failure is logged, with what was left.
   */
  public void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      LOG.warn("Cannot remove {} (Ferry's bundle cache); remove it by hand: {}", dir, e.toString());
    }
  }

  /** Removes what interrupted downloads and uploads left (at start, before any runs). */
  public void removeLeftovers() {
    for (Path p : list()) {
      String name = p.getFileName().toString();
      if (name.startsWith(PARTIAL) || name.startsWith(UPLOAD)) {
        delete(p);
      }
    }
  }

  /**
   * Removes the copies of every bundle but {@code keep} (downloads and uploads under way are left
   * alone).
   */
  void retainOnly(Collection<StoredBundle> keep) {
    Set<String> wanted =
        keep.stream().map(b -> directory(b).getFileName().toString()).collect(Collectors.toSet());
    for (Path p : list()) {
      String name = p.getFileName().toString();
      if (!name.startsWith(".") && !wanted.contains(name)) {
        LOG.info("Removing {}: the cluster no longer stores that bundle", p);
        delete(p);
      }
    }
  }

  private List<Path> list() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(root)) {
      return entries.toList();
    } catch (IOException e) {
      LOG.warn("Cannot list {} (Ferry's bundle cache): {}", root, e.toString());
      return List.of();
    }
  }
}
