package dev.ferry.models.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.encoder.TinyGraphs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bundle zips to the same bytes every time: the manifest, then its files, no report. */
class BundleZipTest {
  @TempDir Path dir;

  @Test
  void theZipHoldsTheManifestThenItsFilesAndIsTheSameEveryTime()
      throws IOException, InterruptedException {
    Path bundle = dir.resolve("bundle");
    try (Encoder encoder =
        Encoder.open(BuiltinEncoder.ALL_MINILM_L6_V2_Q, EncoderOptions.defaults())) {
      BundleWriter.to(bundle)
          .encoder(encoder)
          .head(
              "linear",
              TinyGraphs.uniformHead(
                  ClassifierHead.INPUT, ClassifierHead.OUTPUT, encoder.dimension(), 2))
          .labels(List.of("yes", "no"))
          .extra(
              d ->
                  Files.createDirectories(d.resolve(ModelBundle.REPORT_DIR))
                      .resolve("index.html")
                      .toFile()
                      .createNewFile())
          .write();
    }
    Path first = dir.resolve("first.zip");
    Path second = dir.resolve("out/second.zip");
    BundleZip.write(bundle, first);
    Thread.sleep(1100); // a timestamp taken from the clock would differ now
    BundleZip.write(bundle, second);

    assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
    List<String> names = new ArrayList<>();
    try (InputStream in = Files.newInputStream(first);
        ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        names.add(e.getName());
        assertThat(zip.readAllBytes()).isEqualTo(Files.readAllBytes(bundle.resolve(e.getName())));
      }
    }
    assertThat(names).containsExactly(ModelBundle.MANIFEST, ModelBundle.HEAD_FILE);
    try (var left = Files.list(dir.resolve("out"))) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("second.zip");
    }
  }

  @Test
  void aFolderThatIsNotABundleWritesNothing() {
    Path zip = dir.resolve("nothing.zip");
    assertThatThrownBy(() -> BundleZip.write(dir, zip))
        .isInstanceOf(BundleLoadException.class)
        .hasMessageContaining("not a model bundle");
    assertThat(zip).doesNotExist();
  }
}
