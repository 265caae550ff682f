package dev.ferry.plugin.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opensearch.core.common.bytes.BytesArray;

/**
 * {@link BundleZipReader} against what a hostile client might upload: each is refused with a
 * message naming the entry, and nothing lands outside the staging folder.
 */
class BundleZipReaderTest {
  private static final byte[] HEAD = "pretend this is head.onnx".getBytes(StandardCharsets.UTF_8);
  private static final long MAX = 1 << 20;

  @TempDir Path dir;

  private static String sha(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  private static String manifest(String file, String sha) {
    return "{\"format\": \"ferry-bundle\", \"format_version\": 1, \"files\": {\""
        + file
        + "\": \""
        + sha
        + "\"}}";
  }

  private static ZipBytes bundle() throws Exception {
    return new ZipBytes()
        .add("manifest.json", manifest("head.onnx", sha(HEAD)))
        .add("head.onnx", HEAD);
  }

  /** Unpacks into a new staging folder under {@code dir}. */
  private UnpackedBundle unpack(byte[] zip) throws IOException {
    return new BundleZipReader(MAX)
        .unpack(new BytesArray(zip), Files.createTempDirectory(dir, "staging-"));
  }

  private void refused(byte[] zip, String... reasons) {
    assertThatThrownBy(() -> unpack(zip))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll(reasons);
    try (Stream<Path> all = Files.walk(dir)) {
      assertThat(
              all.filter(
                  p ->
                      !p.equals(dir)
                          && !dir.relativize(p).getName(0).toString().startsWith("staging-")))
          .isEmpty();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aBundleZipUnpacksItsListedFilesAndSkipsTheReport() throws Exception {
    byte[] zip = bundle().add("report/", new byte[0]).add("report/index.html", "<html/>").build();
    UnpackedBundle unpacked = unpack(zip);
    assertThat(unpacked.files())
        .extracting(UnpackedBundle.File::name)
        .containsExactly("manifest.json", "head.onnx");
    assertThat(unpacked.files().get(1).sha256()).isEqualTo(sha(HEAD));
    assertThat(Files.readAllBytes(unpacked.directory().resolve("head.onnx"))).isEqualTo(HEAD);
    assertThat(unpacked.manifestSha256())
        .isEqualTo(sha(Files.readAllBytes(unpacked.directory().resolve("manifest.json"))));
    assertThat(unpacked.directory().resolve("report")).doesNotExist();
  }

  @Test
  void entriesThatLeadOutsideTheBundleAreRefused() throws Exception {
    refused(bundle().add("../evil", "x").build(), "entry '../evil'", "'..'");
    refused(bundle().add("report/../../evil", "x").build(), "'..'");
    refused(bundle().add("/etc/evil", "x").build(), "entry '/etc/evil' is an absolute path");
    refused(bundle().add("C:/evil", "x").build(), "is an absolute path");
    refused(bundle().add("report\\..\\evil", "x").build(), "backslash");
    refused(bundle().add("report//evil", "x").build(), "'' as a path step");
  }

  @Test
  void aManifestListingAFileOutsideTheBundleIsRefused() throws Exception {
    byte[] zip =
        new ZipBytes()
            .add("manifest.json", manifest("../head.onnx", sha(HEAD)))
            .add("head.onnx", HEAD)
            .build();
    refused(zip, "manifest.json's file '../head.onnx'", "'..'");
  }

  @Test
  void symbolicLinksAndSpecialFilesAreRefused() throws Exception {
    refused(
        bundle()
            .add(
                new ZipBytes.Entry(
                    "report/link",
                    "/etc/passwd".getBytes(StandardCharsets.UTF_8),
                    false,
                    ZipBytes.LINK,
                    -1,
                    0))
            .build(),
        "entry 'report/link' is a symbolic link");
    refused(
        bundle().add(new ZipBytes.Entry("report/fifo", new byte[0], false, 0010644, -1, 0)).build(),
        "is not a plain file");
  }

  @Test
  void namesGivenTwiceAreRefused() throws Exception {
    refused(bundle().add("head.onnx", "another head").build(), "entry 'head.onnx' appears twice");
    refused(
        bundle().add("HEAD.onnx", "another head").build(),
        "differs from another entry only in case");
  }

  @Test
  void zipBombsAreRefusedBeforeTheyExpand() throws Exception {
    byte[] zeros = new byte[4 << 20];
    refused(
        bundle().add("report/zeros", zeros).build(),
        "more than ferry.bundles.max_size (1048576 bytes)");
    refused(
        bundle().add("report/zeros", new byte[800_000]).build(),
        "entry 'report/zeros' expands from",
        "more than 100 times: a zip bomb");
    // An entry that declares less than it holds is stopped at what it declares.
    byte[] lying =
        new ZipBytes()
            .add("manifest.json", manifest("head.onnx", sha(HEAD)))
            .add(new ZipBytes.Entry("head.onnx", HEAD, true, ZipBytes.FILE, 4, 0))
            .build();
    refused(lying, "entry 'head.onnx' expands beyond the 4 bytes it declares");
  }

  @Test
  void aFileWhoseHashIsNotTheManifestsIsRefused() throws Exception {
    byte[] zip =
        new ZipBytes()
            .add("manifest.json", manifest("head.onnx", sha(HEAD)))
            .add("head.onnx", "a changed head")
            .build();
    refused(zip, "entry 'head.onnx': SHA-256 is", "but manifest.json says " + sha(HEAD));
  }

  @Test
  void unlistedAndMissingFilesAreRefused() throws Exception {
    refused(
        bundle().add("notes.txt", "hello").build(),
        "entry 'notes.txt' is not listed in manifest.json's files");
    refused(
        new ZipBytes().add("manifest.json", manifest("head.onnx", sha(HEAD))).build(),
        "manifest.json lists 'head.onnx'",
        "the zip has no such entry");
    refused(
        new ZipBytes()
            .add("tickets/manifest.json", manifest("head.onnx", sha(HEAD)))
            .add("tickets/head.onnx", HEAD)
            .build(),
        "no manifest.json at its root");
    refused(
        new ZipBytes().add("manifest.json", "{\"labels\": []}").build(),
        "manifest.json is not a bundle manifest");
  }

  @Test
  void whatIsNotAPlainZipIsRefused() throws Exception {
    refused("not a zip at all".getBytes(StandardCharsets.UTF_8), "not a zip file");
    refused(
        bundle()
            .add(new ZipBytes.Entry("report/secret", HEAD, false, ZipBytes.FILE, -1, 1))
            .build(),
        "entry 'report/secret' is encrypted");
    byte[] damaged = bundle().build();
    damaged[damaged.length - 30] ^= 0x7F;
    assertThatThrownBy(() -> unpack(damaged)).isInstanceOf(IllegalArgumentException.class);
  }
}
