package dev.ferry.trainer.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Charts of values a diverged run or a corrupted file produces: each must be drawn quickly (XChart
 * used to loop for ever laying out ticks over a range of 1e16 or more), with the data visible.
 */
class ChartsExtremeValuesTest {
  /** Far more than any chart takes; a hang fails here instead of stalling the build. */
  private static final Duration LIMIT = Duration.ofSeconds(20);

  private static final double NAN = Double.NaN;
  private static final double INF = Double.POSITIVE_INFINITY;
  private static final double MAX = Double.MAX_VALUE;

  /** The first series' colour (Charts' palette starts with blue). */
  private static final int FIRST_COLOUR = 0x2563eb;

  static Stream<Arguments> ys() {
    return Stream.of(
        Arguments.of("NaN among values", new double[] {0.7, NAN, 0.3}),
        Arguments.of("+Infinity", new double[] {0.7, INF, 0.3}),
        Arguments.of("-Infinity", new double[] {0.7, -INF, 0.3}),
        Arguments.of("1e30", new double[] {0.7, 1e30, 0.3}),
        Arguments.of("-1e30", new double[] {0.7, -1e30, 0.3}),
        Arguments.of("1e300", new double[] {0.7, 1e300, 0.3}),
        Arguments.of("the largest double", new double[] {MAX, 0, -MAX}),
        Arguments.of("1e-300 to 1e300", new double[] {1e-300, 1e300, 3}),
        Arguments.of("a span of 1e16", new double[] {0, 1e16, 1}),
        Arguments.of("a span of 5e15", new double[] {0, 5e15, 1}),
        Arguments.of("1e15 plus one", new double[] {1e15, 1e15 + 1, 1e15}),
        Arguments.of("all equal", new double[] {0.5, 0.5, 0.5}),
        Arguments.of("all zero", new double[] {0, 0, 0}),
        Arguments.of("all equal and huge", new double[] {1e200, 1e200, 1e200}),
        Arguments.of("nearly equal", new double[] {1, 1 + 1e-15, 1}),
        Arguments.of("tiny", new double[] {1e-300, 2e-300, 3e-300}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ys")
  void drawsAnyYValuesQuickly(String name, double[] y) {
    BufferedImage image =
        render(
            List.of(Charts.Series.of("loss", new double[] {1, 2, 3}, y)),
            Charts.Options.DEFAULT.withIntegerX().withMark(2, "best epoch"));
    assertThat(colourPixels(image)).as("the line is drawn").isGreaterThan(50);
  }

  @Test
  void drawsHugeYValuesOnAUnitIntervalAxis() {
    BufferedImage image =
        render(
            List.of(
                Charts.Series.of(
                    "accuracy", new double[] {1, 2, 3}, new double[] {0.5, 1e30, -1e300})),
            Charts.Options.DEFAULT.withUnitInterval());
    assertThat(colourPixels(image)).isGreaterThan(50);
  }

  @Test
  void drawsHugeOrEqualXValuesOnLinearAndLogAxes() {
    double[] y = {0.1, 0.2, 0.3};
    for (double[] x :
        List.of(
            new double[] {1, 1e30, 1e300},
            new double[] {5, 5, 5},
            new double[] {-MAX, 0, MAX},
            new double[] {1e-300, 1, 1e300})) {
      for (Charts.Options options :
          List.of(Charts.Options.DEFAULT, Charts.Options.DEFAULT.withLogX())) {
        BufferedImage image =
            render(List.of(Charts.Series.of("a", x, y)), options.withMark(1, "mark"));
        assertThat(colourPixels(image))
            .as("x %s, log %s", java.util.Arrays.toString(x), options.logX())
            .isGreaterThan(20);
      }
    }
  }

  @Test
  void drawsHugeErrorBars() {
    render(
        List.of(
            new Charts.Series(
                "a", new double[] {1, 2}, new double[] {0.5, 0.6}, new double[] {1e300, MAX})),
        Charts.Options.DEFAULT);
  }

  @Test
  void skipsAnEmptySeriesBesideAnotherAndRefusesOnlyEmptinessQuickly() {
    BufferedImage image =
        render(
            List.of(
                Charts.Series.of("empty", new double[0], new double[0]),
                Charts.Series.of("loss", new double[] {1, 2}, new double[] {INF, 1e300})),
            Charts.Options.DEFAULT);
    assertThat(colourPixels(image)).isGreaterThan(5);

    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          assertThatThrownBy(
                  () ->
                      Charts.renderLineChart(
                          "t",
                          "x",
                          "y",
                          List.of(
                              Charts.Series.of("empty", new double[0], new double[0]),
                              Charts.Series.of(
                                  "none finite", new double[] {1, 2}, new double[] {NAN, -INF})),
                          Charts.Options.DEFAULT))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("nothing to draw");
        });
  }

  private static BufferedImage render(List<Charts.Series> series, Charts.Options options) {
    BufferedImage image =
        assertTimeoutPreemptively(
            LIMIT, () -> Charts.renderLineChart("Loss", "epoch", "loss", series, options));
    assertThat(image.getWidth()).isEqualTo(options.width() * Charts.SCALE);
    return image;
  }

  /** Pixels close to the first series' colour above the legend (which has a swatch of it). */
  private static int colourPixels(BufferedImage image) {
    int count = 0;
    for (int x = 0; x < image.getWidth(); x++) {
      for (int y = 0; y < image.getHeight() * 8 / 10; y++) {
        int rgb = image.getRGB(x, y);
        if (Math.abs(((rgb >> 16) & 0xff) - ((FIRST_COLOUR >> 16) & 0xff)) < 24
            && Math.abs(((rgb >> 8) & 0xff) - ((FIRST_COLOUR >> 8) & 0xff)) < 24
            && Math.abs((rgb & 0xff) - (FIRST_COLOUR & 0xff)) < 24) {
          count++;
        }
      }
    }
    return count;
  }
}
