package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.models.encoder.Chunking;
import dev.ferry.testing.BundleFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry bundle zip}: DIR.zip by default, an existing file only with --force, exit 2
 * otherwise.
 */
class BundleZipCliTest {
  @TempDir Path dir;

  @Test
  void zipsBesideTheFolderAndReplacesOnlyWithForce() throws IOException {
    // A bundle folder named "tickets": a copy of a small trained one.
    Path bundle = dir.resolve("tickets");
    Path trained =
        BundleFixtures.sportCooking("zip", "all-minilm-l6-v2-q", Chunking.DEFAULT, "a", "b");
    try (var files = Files.list(trained)) {
      Files.createDirectories(bundle);
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, bundle.resolve(f.getFileName()));
      }
    }
    FerryCliTest.Run made = FerryCliTest.run("bundle", "zip", bundle.toString());
    assertThat(made.code()).as(made.err()).isZero();
    Path zip = dir.resolve("tickets.zip");
    assertThat(made.out()).contains(zip.toString(), "manifest.json, head.onnx");
    byte[] first = Files.readAllBytes(zip);

    FerryCliTest.Run refused =
        FerryCliTest.run("bundle", "zip", bundle.toString(), "--out", zip.toString());
    assertThat(refused.code()).isEqualTo(2);
    assertThat(refused.err()).contains("exists; add --force");
    FerryCliTest.Run again =
        FerryCliTest.run("bundle", "zip", bundle.toString(), "--out", zip.toString(), "--force");
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(Files.readAllBytes(zip)).isEqualTo(first);

    FerryCliTest.Run notABundle =
        FerryCliTest.run("bundle", "zip", dir.resolve("missing").toString());
    assertThat(notABundle.code()).isEqualTo(1);
    assertThat(notABundle.err()).contains("no such bundle directory");
  }
}
