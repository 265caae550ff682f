package dev.ferry.models.bundle;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A model bundle as one zip file, to copy or upload it whole (the OpenSearch plugin's {@code PUT
 * _plugins/ferry/bundles/NAME} takes it): {@code manifest.json} first, then every file the manifest
 * lists, by name, at the zip's root, deflated, with a fixed timestamp, so that the same bundle
 * always gives the same bytes. The report is left out: it is for people, and a node that loads the
 * bundle has no use for it.
 */
public final class BundleZip {
  /** The timestamp every entry carries (the zip format's local time, so no time zone moves it). */
  private static final LocalDateTime FIXED_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);

  private BundleZip() {}

  /** The entries a zip of {@code bundle} holds, in order: the manifest, then its files by name. */
  public static List<String> entries(ModelBundle bundle) {
    List<String> names = new ArrayList<>();
    names.add(ModelBundle.MANIFEST);
    bundle.manifest().files().keySet().stream().sorted().forEach(names::add);
    return names;
  }

  /**
   * Checks the bundle in {@code folder} ({@link ModelBundle#open}) and writes it to {@code
   * zipFile}, through a temporary file beside it that is moved into place at the end (an existing
   * {@code zipFile} is replaced only then).
   *
   * @return the bundle that was written
   * @throws BundleLoadException if the folder is not a sound bundle
   */
  public static ModelBundle write(Path folder, Path zipFile) throws IOException {
    ModelBundle bundle = ModelBundle.open(folder);
    Path target = zipFile.toAbsolutePath().normalize();
    Files.createDirectories(target.getParent());
    Path temporary =
        target.resolveSibling(
            "." + target.getFileName() + ".writing-" + ProcessHandle.current().pid());
    try {
      try (OutputStream out = Files.newOutputStream(temporary)) {
        write(bundle, out);
      }
      Files.move(
          temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
    return bundle;
  }

  /** Writes {@code bundle} as a zip to {@code out} (left open). */
  public static void write(ModelBundle bundle, OutputStream out) throws IOException {
    ZipOutputStream zip = new ZipOutputStream(out);
    zip.setLevel(6);
    for (String name : entries(bundle)) {
      ZipEntry entry = new ZipEntry(name);
      entry.setTimeLocal(FIXED_TIME);
      zip.putNextEntry(entry);
      Files.copy(bundle.directory().resolve(name), zip);
      zip.closeEntry();
    }
    zip.finish();
  }
}
