package dev.ferry.models.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.encoder.TinyGraphs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bundle's manifest is checked against its files before anything is sized by it. */
class ModelBundleTest {
  @TempDir static Path dir;
  static Path bundle;

  @BeforeAll
  static void writeABundle() throws IOException {
    bundle = dir.resolve("bundle");
    try (Encoder encoder =
        Encoder.open(BuiltinEncoder.ALL_MINILM_L6_V2_Q, EncoderOptions.defaults())) {
      BundleWriter.to(bundle)
          .encoder(encoder)
          .head(
              "linear",
              TinyGraphs.uniformHead(
                  ClassifierHead.INPUT, ClassifierHead.OUTPUT, encoder.dimension(), 2))
          .labels(List.of("yes", "no"))
          .write();
    }
  }

  @Test
  void aBundleOpensAndRecordsItsAbsoluteFolder() {
    ModelBundle opened = ModelBundle.open(bundle);
    assertThat(opened.labels()).containsExactly("yes", "no");
    assertThat(opened.directory()).isAbsolute();
  }

  @Test
  void aHugeDimensionIsRefusedBeforeAnythingIsAllocatedForIt() throws IOException {
    Path copy = copyWithManifest("huge", "\"dimension\" : 384", "\"dimension\" : 700000000");
    assertThatThrownBy(() -> ModelBundle.open(copy))
        .isInstanceOf(BundleLoadException.class)
        .hasMessageContaining(
            "manifest.json: expected an encoder dimension from 1 to 65536 (found 700000000)");
  }

  @Test
  void aDimensionTheHeadDoesNotTakeIsRefusedWithBothWidths() throws IOException {
    Path copy = copyWithManifest("wide", "\"dimension\" : 384", "\"dimension\" : 385");
    assertThatThrownBy(() -> ModelBundle.open(copy))
        .isInstanceOf(BundleLoadException.class)
        .hasMessageContaining("head.onnx: takes embeddings of 384 values")
        .hasMessageContaining("gives 385");
  }

  private static Path copyWithManifest(String name, String from, String to) throws IOException {
    Path copy = Files.createDirectories(dir.resolve(name));
    try (var files = Files.list(bundle)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    Path manifest = copy.resolve(ModelBundle.MANIFEST);
    String json = Files.readString(manifest);
    assertThat(json).contains(from);
    Files.writeString(manifest, json.replace(from, to));
    return copy;
  }
}
