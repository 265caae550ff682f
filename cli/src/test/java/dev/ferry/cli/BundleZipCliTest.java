package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.models.bundle.BundleWriter;
import dev.ferry.models.bundle.ClassifierHead;
import dev.ferry.models.encoder.BuiltinEncoder;
import dev.ferry.models.encoder.Encoder;
import dev.ferry.models.encoder.EncoderOptions;
import dev.ferry.models.graph.ElementType;
import dev.ferry.models.graph.GraphBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    Path bundle = dir.resolve("tickets");
    try (Encoder encoder =
        Encoder.open(BuiltinEncoder.ALL_MINILM_L6_V2_Q, EncoderOptions.defaults())) {
      GraphBuilder g = new GraphBuilder("head", ElementType.FLOAT);
      String x = g.input(ClassifierHead.INPUT, GraphBuilder.UNKNOWN, encoder.dimension());
      g.output(
          g.softmax(
              g.matMul(
                  x,
                  g.initializer("w", new float[encoder.dimension() * 2], encoder.dimension(), 2))),
          ClassifierHead.OUTPUT);
      BundleWriter.to(bundle)
          .encoder(encoder)
          .head("linear", g.toBytes())
          .labels(List.of("a", "b"))
          .write();
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
