package dev.ferry.plugin;

import dev.ferry.models.bundle.BundleZip;
import dev.ferry.models.bundle.ModelBundle;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** Bundle zips for upload tests: as {@code ferry bundle zip} writes them, and altered. */
final class BundleZips {
  private BundleZips() {}

  /** The zip of the bundle folder {@code bundle}. */
  static byte[] zip(Path bundle) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BundleZip.write(ModelBundle.open(bundle), out);
    return out.toByteArray();
  }

  /** {@code zip} with entry {@code name} holding {@code data} instead, or added at the end. */
  static byte[] withEntry(byte[] zip, String name, byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip));
        ZipOutputStream copy = new ZipOutputStream(out)) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        if (!e.getName().equals(name)) {
          copy.putNextEntry(new ZipEntry(e.getName()));
          in.transferTo(copy);
        }
      }
      copy.putNextEntry(new ZipEntry(name));
      copy.write(data);
    }
    return out.toByteArray();
  }
}
