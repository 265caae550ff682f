package dev.ferry.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportChartsTest {
  @TempDir Path dir;

  @Test
  void writesPngAtTwiceTheNominalSize() throws IOException {
    Path png =
        Charts.writeLineChart(
            dir.resolve("sub"),
            "curve",
            "Learning curve",
            "training examples",
            "accuracy",
            List.of(
                new Charts.Series(
                    "linear",
                    new double[] {50, 100, 200, 400, 800},
                    new double[] {0.61, 0.72, 0.80, 0.86, 0.89},
                    new double[] {0.05, 0.04, 0.03, 0.02, 0.01}),
                Charts.Series.of(
                    "centroid",
                    new double[] {50, 100, 200, 400, 800},
                    new double[] {0.58, 0.66, Double.NaN, 0.75, 0.77})),
            Charts.Options.DEFAULT.withUnitInterval().withLogX());

    assertThat(png).isEqualTo(dir.resolve("sub/curve.png"));
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).isNotNull();
    assertThat(image.getWidth()).isEqualTo(Charts.WIDTH * Charts.SCALE);
    assertThat(image.getHeight()).isEqualTo(Charts.HEIGHT * Charts.SCALE);
    assertThat(image.getRGB(3, 3) & 0xffffff).as("white background").isEqualTo(0xffffff);
  }

  @Test
  void skipsNaNPointsAndEmptySeries() {
    BufferedImage image =
        Charts.renderLineChart(
            null,
            "epoch",
            "loss",
            List.of(
                Charts.Series.of("a", new double[] {1, 2, 3}, new double[] {Double.NaN, 0.5, 0.4}),
                Charts.Series.of("b", new double[] {1, 2}, new double[] {Double.NaN, Double.NaN})),
            Charts.Options.DEFAULT.withSize(400, 300).withIntegerX().withMark(2, "best"));
    assertThat(image.getWidth()).isEqualTo(800);
    assertThat(image.getHeight()).isEqualTo(600);
  }

  @Test
  void refusesAChartWithNothingToDraw() {
    assertThatThrownBy(
            () ->
                Charts.renderLineChart(
                    "t",
                    "x",
                    "y",
                    List.of(Charts.Series.of("a", new double[] {1}, new double[] {Double.NaN})),
                    Charts.Options.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void seriesChecksLengths() {
    assertThatThrownBy(() -> Charts.Series.of("a", new double[] {1, 2}, new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new Charts.Series("a", new double[] {1}, new double[] {1}, new double[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
