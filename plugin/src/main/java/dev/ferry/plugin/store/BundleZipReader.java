package dev.ferry.plugin.store;

import static dev.ferry.plugin.store.ZipCentralDirectory.quote;

import dev.ferry.models.bundle.BundleManifest;
import dev.ferry.models.bundle.ModelBundle;
import dev.ferry.plugin.store.ZipCentralDirectory.Entry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.CRC32;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.opensearch.core.common.bytes.BytesReference;

/**
 * Unpacks an uploaded bundle zip into a staging folder, as what a hostile client might send: an
 * entry that leads outside the bundle ({@code ..}, an absolute path, a drive letter, a backslash),
 * a symbolic link or other special file, a name given twice (or twice but for case), a file {@code
 * manifest.json} does not list or a listed one missing, a file whose SHA-256 is not the manifest's,
 * and zip bombs: more than {@code maxSize} bytes once uncompressed, an entry that expands more than
 * {@value #MAX_RATIO} times, or one that holds more than it declares. Each is an {@link
 * IllegalArgumentException} naming the entry, and nothing is written outside the staging folder,
 * which the caller removes.
 *
 * <p>A bundle zip holds {@code manifest.json} and the files it lists at its root; entries under
 * {@code report/} are allowed and skipped (a zip of a whole {@code ferry train --out} folder), as
 * are folder entries.
 */
public final class BundleZipReader {
  /** Entries a zip may have. */
  static final int MAX_ENTRIES = 1_000;

  /**
   * How many times an entry may expand; bundle files (ONNX weights, JSON) compress a few times at
   * most.
   */
  static final int MAX_RATIO = 100;

  private static final long RATIO_FLOOR = 64 * 1024;
  private static final long MAX_MANIFEST = 1 << 20;
  private static final String REPORT = ModelBundle.REPORT_DIR + "/";

  private final long maxSize;

  /** A reader that refuses zips of more than {@code maxSize} bytes once uncompressed. */
  public BundleZipReader(long maxSize) {
    this.maxSize = maxSize;
  }

  /**
   * Unpacks {@code zip} into the empty folder {@code staging}: the manifest and the files it lists.
   *
   * @throws IllegalArgumentException saying what is wrong with the zip (the caller answers 400)
   * @throws IOException if the staging folder cannot be written
   */
  public UnpackedBundle unpack(BytesReference zip, Path staging) throws IOException {
    List<Entry> entries = ZipCentralDirectory.read(zip, MAX_ENTRIES);
    Map<String, Entry> files = ZipEntryChecks.files(entries);
    long declared = entries.stream().mapToLong(Entry::size).sum();
    if (declared > maxSize) {
      throw new IllegalArgumentException(
          "the zip expands to "
              + declared
              + " bytes, more than ferry.bundles.max_size ("
              + maxSize
              + " bytes) allows; raise that node setting for a bundle this big");
    }
    for (Entry e : entries) {
      if (e.size() >= RATIO_FLOOR && e.size() > e.compressedSize() * MAX_RATIO) {
        throw new IllegalArgumentException(
            quote(e.name())
                + " expands from "
                + e.compressedSize()
                + " to "
                + e.size()
                + " bytes, more than "
                + MAX_RATIO
                + " times: a zip bomb, not a bundle file");
      }
    }
    Entry manifestEntry = files.get(ModelBundle.MANIFEST);
    if (manifestEntry == null) {
      throw new IllegalArgumentException(
          "the zip has no "
              + ModelBundle.MANIFEST
              + " at its root: zip the bundle "
              + "folder's contents ('ferry bundle zip DIR'), not the folder");
    }
    if (manifestEntry.size() > MAX_MANIFEST) {
      throw new IllegalArgumentException(
          quote(ModelBundle.MANIFEST)
              + " has "
              + manifestEntry.size()
              + " bytes; a "
              + "manifest has a few thousand");
    }
    ByteArrayOutputStream manifestBytes = new ByteArrayOutputStream();
    String manifestSha = inflate(zip, manifestEntry, manifestBytes);
    Map<String, String> listed = listedFiles(manifestBytes.toByteArray());
    for (String name : files.keySet()) {
      if (!name.equals(ModelBundle.MANIFEST)
          && !listed.containsKey(name)
          && !name.startsWith(REPORT)) {
        throw new IllegalArgumentException(
            quote(name)
                + " is not listed in "
                + ModelBundle.MANIFEST
                + "'s files: a "
                + "bundle zip holds the manifest, the files it lists ("
                + String.join(", ", listed.keySet())
                + ") and optionally report/");
      }
    }
    List<UnpackedBundle.File> unpacked = new ArrayList<>();
    Files.write(
        staging.resolve(ModelBundle.MANIFEST),
        manifestBytes.toByteArray(),
        StandardOpenOption.CREATE_NEW);
    unpacked.add(new UnpackedBundle.File(ModelBundle.MANIFEST, manifestSha, manifestEntry.size()));
    for (Map.Entry<String, String> f : listed.entrySet()) {
      Entry entry = files.get(f.getKey());
      if (entry == null) {
        throw new IllegalArgumentException(
            ModelBundle.MANIFEST
                + " lists '"
                + f.getKey()
                + "' (SHA-256 "
                + f.getValue()
                + ") but the zip has no such entry");
      }
      Path target = staging.resolve(f.getKey()).normalize();
      if (!target.startsWith(staging)) {
        throw new IllegalArgumentException(quote(f.getKey()) + " leads outside the bundle");
      }
      Files.createDirectories(target.getParent());
      String sha;
      try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
        sha = inflate(zip, entry, out);
      }
      if (!sha.equals(f.getValue())) {
        throw new IllegalArgumentException(
            quote(f.getKey())
                + ": SHA-256 is "
                + sha
                + " but "
                + ModelBundle.MANIFEST
                + " says "
                + f.getValue()
                + "; the file was changed after the bundle was written");
      }
      unpacked.add(new UnpackedBundle.File(f.getKey(), sha, entry.size()));
    }
    return new UnpackedBundle(staging, manifestSha, unpacked);
  }

  /** The manifest's files (name to SHA-256), in order of name, each name checked. */
  private static Map<String, String> listedFiles(byte[] manifestJson) {
    BundleManifest manifest;
    try {
      manifest = ModelBundle.json().readValue(manifestJson, BundleManifest.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          ModelBundle.MANIFEST + " is not a bundle manifest: " + e.getMessage(), e);
    }
    if (!BundleManifest.FORMAT.equals(manifest.format())
        || manifest.files() == null
        || manifest.files().isEmpty()) {
      throw new IllegalArgumentException(
          ModelBundle.MANIFEST
              + " is not a bundle manifest: expected format '"
              + BundleManifest.FORMAT
              + "' and the files with their SHA-256; write the bundle with 'ferry train --out'");
    }
    Map<String, String> listed = new LinkedHashMap<>();
    for (String name : new TreeSet<>(manifest.files().keySet())) {
      ZipEntryChecks.checkName(name, ModelBundle.MANIFEST + "'s file '" + name + "'");
      String sha = manifest.files().get(name);
      if (name.equals(ModelBundle.MANIFEST)
          || name.endsWith("/")
          || sha == null
          || !sha.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException(
            ModelBundle.MANIFEST
                + " lists '"
                + name
                + "' with SHA-256 '"
                + sha
                + "'; expected a file other than the manifest and 64 lowercase hex digits");
      }
      listed.put(name, sha);
    }
    return listed;
  }

  /**
   * Writes the entry's bytes to {@code out}, never more than it declares, checking its size and
   * CRC-32; returns their SHA-256.
   */
  private static String inflate(BytesReference zip, Entry e, OutputStream out) throws IOException {
    if (e.method() == 0 && e.compressedSize() != e.size()) {
      throw new IllegalArgumentException(
          quote(e.name())
              + " is stored uncompressed but declares "
              + e.size()
              + " bytes in "
              + e.compressedSize());
    }
    InputStream raw = zip.slice((int) e.dataOffset(), (int) e.compressedSize()).streamInput();
    MessageDigest sha = sha256();
    CRC32 crc = new CRC32();
    long total = 0;
    Inflater inflater = new Inflater(true);
    // A raw deflate stream may want one byte past its end (java.util.zip.ZipFile adds it too).
    try (InputStream in =
        e.method() == 0
            ? raw
            : new InflaterInputStream(
                new SequenceInputStream(raw, new ByteArrayInputStream(new byte[1])),
                inflater,
                1 << 16)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        total += n;
        if (total > e.size()) {
          throw new IllegalArgumentException(
              quote(e.name())
                  + " expands beyond the "
                  + e.size()
                  + " bytes it declares: a zip bomb or a damaged zip");
        }
        crc.update(buffer, 0, n);
        sha.update(buffer, 0, n);
        out.write(buffer, 0, n);
      }
    } catch (java.util.zip.ZipException | java.io.EOFException bad) {
      throw new IllegalArgumentException(
          quote(e.name()) + " cannot be uncompressed: " + bad.getMessage(), bad);
    } finally {
      inflater.end();
    }
    if (total != e.size() || crc.getValue() != e.crc32()) {
      throw new IllegalArgumentException(
          quote(e.name())
              + " holds "
              + total
              + " bytes with CRC-32 "
              + Long.toHexString(crc.getValue())
              + " but declares "
              + e.size()
              + " with "
              + Long.toHexString(e.crc32())
              + ": the zip is damaged");
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
