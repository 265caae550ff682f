package dev.ferry.trainer.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Line charts in the reports' house style, drawn by XChart and written as PNG.
 *
 * <p>Only PNG: XChart's SVG export needs the optional VectorGraphics2D library, which Ferry does
 * not ship. To stay sharp on high-density screens the PNG has {@link #SCALE} times the pixels of
 * the chart's nominal size; show it at the nominal size ({@code <img width=… height=…>}).
 *
 * <p>White background, horizontal grid lines only, markers on every point, the legend in centred
 * rows under the plot (wrapping when it is wider than the chart), and a dashed vertical line where
 * {@link Options#withMark} asks for one. XChart draws the axes and the data; the title and the
 * legend are drawn here, so that their text sits on a common baseline. Points whose x or y is
 * {@code NaN} or infinite are left out, and a series with no points left is not drawn.
 *
 * <p>Any finite value can be drawn, and drawing never hangs: XChart's tick calculation loops for
 * ever on an axis spanning more than about 1e15, or on a range too narrow for its values'
 * precision. So an axis whose values reach beyond ±{@value #PLAIN_LIMIT} is drawn in units of a
 * power of ten, which its title states ("loss (× 1e30)"), and a constant or nearly constant axis
 * gets a range around its value. On a {@link Options#withUnitInterval unit-interval} axis values
 * far outside [0, 1] are clipped.
 */
public final class Charts {
  /** Pixels per nominal pixel in the written PNG. */
  public static final int SCALE = 2;

  /** Default nominal width. */
  public static final int WIDTH = 720;

  /** Default nominal height. */
  public static final int HEIGHT = 400;

  /** Series colours, in order: blue, orange, green, purple, red, teal, amber, pink. */
  private static final Color[] PALETTE = {
    new Color(0x2563eb),
    new Color(0xea580c),
    new Color(0x16a34a),
    new Color(0x9333ea),
    new Color(0xdc2626),
    new Color(0x0891b2),
    new Color(0xca8a04),
    new Color(0xdb2777),
  };

  private static final Marker[] MARKERS = {
    SeriesMarkers.CIRCLE,
    SeriesMarkers.SQUARE,
    SeriesMarkers.DIAMOND,
    SeriesMarkers.TRIANGLE_UP,
    SeriesMarkers.CIRCLE,
    SeriesMarkers.SQUARE,
    SeriesMarkers.DIAMOND,
    SeriesMarkers.TRIANGLE_UP,
  };

  private static final Color TEXT = new Color(0x1f2937);
  private static final Color MUTED = new Color(0x6b7280);
  private static final Color AXIS_TITLE = new Color(0x4b5563);
  private static final Color GRID = new Color(0xe5e7eb);
  private static final Color MARK = new Color(0x6b7280);

  private static final Font BASE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font TITLE_FONT = BASE_FONT.deriveFont(Font.BOLD, 15f);
  private static final Font LEGEND_FONT = BASE_FONT;
  private static final int MARKER_SIZE = 7;
  private static final int LEGEND_MARGIN = 12;
  private static final int SWATCH = 24;
  private static final int SWATCH_GAP = 6;
  private static final int ENTRY_GAP = 20;
  private static final int ROW_GAP = 4;

  /**
   * Largest magnitude an axis shows as it is; beyond it the axis is drawn in units of 1e3, 1e6, …
   */
  public static final double PLAIN_LIMIT = 1e6;

  /** An axis whose range is below this share of its magnitude counts as constant. */
  private static final double NARROW = 1e-6;

  private Charts() {}

  /**
   * One line of a chart.
   *
   * @param name legend entry
   * @param x x values
   * @param y y values, as many as {@code x}
   * @param errorBars half-width of an error bar per point (e.g. a standard deviation), as many as
   *     {@code x}, or {@code null} for none
   */
  public record Series(String name, double[] x, double[] y, double[] errorBars) {
    public Series {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(x, "x");
      Objects.requireNonNull(y, "y");
      if (x.length != y.length) {
        throw new IllegalArgumentException(
            "series '" + name + "' has " + x.length + " x values but " + y.length + " y values");
      }
      if (errorBars != null && errorBars.length != x.length) {
        throw new IllegalArgumentException(
            "series '"
                + name
                + "' has "
                + errorBars.length
                + " error bars for "
                + x.length
                + " points");
      }
      x = x.clone();
      y = y.clone();
      errorBars = errorBars == null ? null : errorBars.clone();
    }

    /** A series without error bars. */
    public static Series of(String name, double[] x, double[] y) {
      return new Series(name, x, y, null);
    }

    @Override
    public double[] x() {
      return x.clone();
    }

    @Override
    public double[] y() {
      return y.clone();
    }

    @Override
    public double[] errorBars() {
      return errorBars == null ? null : errorBars.clone();
    }
  }

  /**
   * How a chart is drawn. Start from {@link #DEFAULT} and change what differs.
   *
   * @param width nominal width in pixels
   * @param height nominal height in pixels
   * @param unitInterval y axis fixed to [0, 1] (accuracy, F1, probabilities)
   * @param integerX x values are whole numbers (epochs): the axis labels only those
   * @param logX logarithmic x axis (e.g. training-set sizes)
   * @param markX x of a dashed vertical marker line, or {@code NaN} for none
   * @param markLabel the marker's legend entry ({@code null} for none)
   * @param scoreAxis y axis for scores in [0, 1] that end at 1 but start at a tenth below the
   *     lowest value, so curves between 0.9 and 1 are not squashed against the top
   */
  public record Options(
      int width,
      int height,
      boolean unitInterval,
      boolean integerX,
      boolean logX,
      double markX,
      String markLabel,
      boolean scoreAxis) {

    /** {@link #WIDTH} × {@link #HEIGHT}, free y axis, linear x axis, no marker. */
    public static final Options DEFAULT =
        new Options(WIDTH, HEIGHT, false, false, false, Double.NaN, null, false);

    public Options {
      if (width < 100 || height < 100) {
        throw new IllegalArgumentException("chart size " + width + "x" + height + " is too small");
      }
    }

    public Options withSize(int width, int height) {
      return new Options(width, height, unitInterval, integerX, logX, markX, markLabel, scoreAxis);
    }

    /** Fixes the y axis to [0, 1]. */
    public Options withUnitInterval() {
      return new Options(width, height, true, integerX, logX, markX, markLabel, false);
    }

    /**
     * A y axis for scores (accuracy, F1): up to 1, down to the tenth below the lowest value (0 at
     * most), so that differences near 1 stay visible; values outside [0, 1] are clipped.
     */
    public Options withScoreAxis() {
      return new Options(width, height, false, integerX, logX, markX, markLabel, true);
    }

    /** Labels the x axis with whole numbers only. */
    public Options withIntegerX() {
      return new Options(width, height, unitInterval, true, logX, markX, markLabel, scoreAxis);
    }

    /** Uses a logarithmic x axis. */
    public Options withLogX() {
      return new Options(width, height, unitInterval, integerX, true, markX, markLabel, scoreAxis);
    }

    /** Draws a dashed vertical line at {@code x}, named {@code label} in the legend. */
    public Options withMark(double x, String label) {
      return new Options(width, height, unitInterval, integerX, logX, x, label, scoreAxis);
    }
  }

  /**
   * Draws a line chart with {@link Options#DEFAULT} and writes {@code dir/baseName.png}.
   *
   * @return the file written
   */
  public static Path writeLineChart(
      Path dir, String baseName, String title, String xLabel, String yLabel, List<Series> series)
      throws IOException {
    return writeLineChart(dir, baseName, title, xLabel, yLabel, series, Options.DEFAULT);
  }

  /**
   * Draws a line chart and writes {@code dir/baseName.png} ({@link #SCALE} × the nominal size),
   * creating {@code dir} if needed.
   *
   * @param title chart title, or {@code null} or empty for none (when the page around it has one)
   * @return the file written
   */
  public static Path writeLineChart(
      Path dir,
      String baseName,
      String title,
      String xLabel,
      String yLabel,
      List<Series> series,
      Options options)
      throws IOException {
    BufferedImage image = renderLineChart(title, xLabel, yLabel, series, options);
    Files.createDirectories(dir);
    Path png = dir.resolve(baseName + ".png");
    if (!ImageIO.write(image, "png", png.toFile())) {
      throw new IOException("no PNG writer available to write " + png);
    }
    return png;
  }

  /**
   * Draws a line chart into an image of {@link #SCALE} × the nominal size.
   *
   * @throws IllegalArgumentException when no series has a point to draw
   */
  public static BufferedImage renderLineChart(
      String title, String xLabel, String yLabel, List<Series> series, Options options) {
    int w = options.width();
    int h = options.height();
    BufferedImage image = new BufferedImage(w * SCALE, h * SCALE, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.scale(SCALE, SCALE);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, w, h);

      Built built = buildChart(xLabel, yLabel, series, options);
      Legend legend = Legend.layout(built.legend(), g, w - 2 * LEGEND_MARGIN);
      int titleHeight = paintTitle(g, title, w);
      int chartHeight = h - titleHeight - legend.height();
      g.translate(0, titleHeight);
      built.chart().paint(g, w, chartHeight);

      // Centre the legend under the plotted data rather than under the whole image.
      double left = built.chart().getScreenXFromChart(built.minX());
      double right = built.chart().getScreenXFromChart(built.maxX());
      double centre =
          Double.isFinite(left) && Double.isFinite(right) && right > left
              ? (left + right) / 2
              : w / 2.0;
      legend.paint(g, centre, chartHeight, w);
    } finally {
      g.dispose();
    }
    return image;
  }

  /** The XChart chart (no title, no legend), the legend to draw under it, the data's x range. */
  private record Built(XYChart chart, List<LegendEntry> legend, double minX, double maxX) {}

  private static Built buildChart(
      String xLabel, String yLabel, List<Series> series, Options options) {
    List<Points> points = new ArrayList<>(series.size());
    for (Series s : series) {
      points.add(finitePoints(s, options.logX()));
    }
    if (points.stream().allMatch(p -> p.x.length == 0)) {
      throw new IllegalArgumentException("nothing to draw: every series is empty, NaN or infinite");
    }
    // Units XChart can lay ticks out in (see the class comment).
    Axis xAxis = options.logX() ? Axis.AS_IS : Axis.of(points, Points::x, null);
    Axis yAxis =
        options.unitInterval()
            ? Axis.UNIT
            : options.scoreAxis() ? Axis.score(points) : Axis.of(points, Points::y, Points::errors);

    XYChart chart = new XYChart(options.width(), options.height());
    List<LegendEntry> legend = new ArrayList<>();
    double minX = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    String xTitle = xAxis.title(xLabel);
    String yTitle = yAxis.title(yLabel);
    chart.setXAxisTitle(xTitle);
    chart.setYAxisTitle(yTitle);
    style(chart.getStyler(), options, xTitle, yTitle, xRange(points));
    xAxis.applyTo(chart.getStyler()::setXAxisMin, chart.getStyler()::setXAxisMax);
    yAxis.applyTo(chart.getStyler()::setYAxisMin, chart.getStyler()::setYAxisMax);

    int drawn = 0;
    BasicStroke line = new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    for (int i = 0; i < series.size(); i++) {
      Points p = points.get(i);
      if (p.x.length == 0) {
        continue;
      }
      String name = series.get(i).name();
      double[] x = xAxis.map(p.x);
      XYSeries xy =
          chart.addSeries(uniqueName(chart, name), x, yAxis.map(p.y), yAxis.scaleOnly(p.errors));
      Color color = PALETTE[drawn % PALETTE.length];
      Marker marker = MARKERS[drawn % MARKERS.length];
      xy.setLineColor(color);
      xy.setMarkerColor(color);
      xy.setMarker(marker);
      xy.setLineStyle(line);
      legend.add(new LegendEntry(name, color, marker, line));
      for (double v : x) {
        minX = Math.min(minX, v);
        maxX = Math.max(maxX, v);
      }
      drawn++;
    }
    double mark = options.markX() / xAxis.unit();
    // A marker outside the data would be drawn outside the plot: leave it out.
    if (Double.isFinite(mark) && mark >= minX && mark <= maxX) {
      chart.addAnnotation(new AnnotationLine(mark, true, false));
      if (options.markLabel() != null && !options.markLabel().isBlank()) {
        legend.add(new LegendEntry(options.markLabel(), MARK, null, dashed()));
      }
    }
    return new Built(chart, List.copyOf(legend), minX, maxX);
  }

  /**
   * How one axis's values are given to XChart: divided by {@code unit} (a power of ten, 1 for most
   * charts), clipped to [{@code clipLow}, {@code clipHigh}], and shown over [{@code min}, {@code
   * max}] when those are set (not {@code NaN}) rather than over XChart's choice.
   */
  private record Axis(double unit, double clipLow, double clipHigh, double min, double max) {
    /** Values as they are, range as XChart chooses (a logarithmic axis). */
    static final Axis AS_IS =
        new Axis(1, -Double.MAX_VALUE, Double.MAX_VALUE, Double.NaN, Double.NaN);

    /** [0, 1], values far outside clipped. */
    static final Axis UNIT = new Axis(1, -1, 2, 0, 1);

    /**
     * Scores: [the tenth below the lowest value (less its error bar), 1], values clipped to [0, 1].
     */
    static Axis score(List<Points> points) {
      double low = 1;
      for (Points p : points) {
        for (int i = 0; i < p.y.length; i++) {
          low = Math.min(low, p.y[i] - (p.errors == null ? 0 : p.errors[i]));
        }
      }
      // A margin below the lowest point, so that it does not sit on the axis.
      double min = Math.max(0, Math.floor((Math.max(0, low) - 0.02) * 10) / 10);
      return new Axis(1, 0, 1, min, 1);
    }

    /** The unit and range for every point's value (± its error bar) of every series. */
    static Axis of(
        List<Points> points, Function<Points, double[]> values, Function<Points, double[]> errors) {
      double low = Double.POSITIVE_INFINITY;
      double high = Double.NEGATIVE_INFINITY;
      for (Points p : points) {
        double[] v = values.apply(p);
        double[] e = errors == null ? null : errors.apply(p);
        for (int i = 0; i < v.length; i++) {
          double error = e == null ? 0 : e[i];
          low = Math.min(low, v[i] - error);
          high = Math.max(high, v[i] + error);
        }
      }
      // v ± error may overflow; the largest double is as far as any axis goes.
      low = Math.max(low, -Double.MAX_VALUE);
      high = Math.min(high, Double.MAX_VALUE);
      double magnitude = Math.max(Math.abs(low), Math.abs(high));
      double unit = 1;
      if (magnitude > PLAIN_LIMIT) {
        // Engineering steps: what the axis shows stays in [1, 1000), with a title "(× 1e6)" etc.
        unit = Math.pow(10, 3 * Math.floor(Math.log10(magnitude) / 3));
        low /= unit;
        high /= unit;
      }
      double min = Double.NaN;
      double max = Double.NaN;
      if (high - low <= NARROW * Math.max(Math.abs(low), Math.abs(high))) {
        double centre = (low + high) / 2;
        double half = centre == 0 ? 1 : Math.abs(centre) / 10;
        min = centre - half;
        max = centre + half;
      }
      return new Axis(unit, -Double.MAX_VALUE, Double.MAX_VALUE, min, max);
    }

    String title(String label) {
      String base = label == null ? "" : label.strip();
      return unit == 1 ? base : (base + " (× 1e" + Math.round(Math.log10(unit)) + ")").strip();
    }

    void applyTo(Consumer<Double> setMin, Consumer<Double> setMax) {
      if (!Double.isNaN(min)) {
        setMin.accept(min);
        setMax.accept(max);
      }
    }

    double[] map(double[] values) {
      double[] out = new double[values.length];
      for (int i = 0; i < values.length; i++) {
        out[i] = Math.clamp(values[i] / unit, clipLow, clipHigh);
      }
      return out;
    }

    /** Error bars: widths, so only divided by the unit; null stays null. */
    double[] scaleOnly(double[] errors) {
      if (errors == null) {
        return null;
      }
      double[] out = new double[errors.length];
      for (int i = 0; i < errors.length; i++) {
        out[i] = errors[i] / unit;
      }
      return out;
    }
  }

  /** XChart needs distinct series names; the legend shows the caller's names as given. */
  private static String uniqueName(XYChart chart, String name) {
    String unique = name;
    for (int n = 2; chart.getSeries(unique) != null; n++) {
      unique = name + " #" + n;
    }
    return unique;
  }

  /** The smallest and largest finite x of all points; {0, 0} without any. */
  private static double[] xRange(List<Points> points) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (Points p : points) {
      for (double x : p.x) {
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
    }
    return min <= max ? new double[] {min, max} : new double[] {0, 0};
  }

  /**
   * Whole-number x labels at most about {@value #MAX_X_LABELS} apart in number: every 1, 2, 5, 10,
   * 20, 50… from the first x (epochs 1, 21, 41… for 100 epochs, not 1, 5, 9… run together).
   */
  static long labelStep(double min, double max) {
    double wanted = (max - min) / MAX_X_LABELS;
    for (long p = 1; ; p *= 10) {
      for (long m : new long[] {1, 2, 5}) {
        if (m * p >= wanted) {
          return m * p;
        }
      }
    }
  }

  private static final int MAX_X_LABELS = 8;

  private static void style(
      XYStyler st, Options options, String xLabel, String yLabel, double[] xRange) {
    Font base = BASE_FONT;
    st.setLocale(Locale.ROOT);
    st.setBaseFont(base);
    st.setChartBackgroundColor(Color.WHITE);
    st.setPlotBackgroundColor(Color.WHITE);
    st.setChartFontColor(AXIS_TITLE);
    st.setChartPadding(12);
    // The title is drawn by paintTitle, for the same reason as the legend (see below).
    st.setChartTitleVisible(false);

    st.setPlotBorderVisible(false);
    st.setPlotGridVerticalLinesVisible(false);
    st.setPlotGridHorizontalLinesVisible(true);
    st.setPlotGridLinesColor(GRID);
    st.setPlotGridLinesStroke(new BasicStroke(1f));
    st.setPlotTicksMarksVisible(false);
    st.setPlotMargin(6);
    st.setPlotContentSize(0.94);

    st.setXAxisTitleVisible(xLabel != null && !xLabel.isBlank());
    st.setYAxisTitleVisible(yLabel != null && !yLabel.isBlank());
    st.setAxisTitleFont(base.deriveFont(13f));
    st.setXAxisTitleColor(AXIS_TITLE);
    st.setYAxisTitleColor(AXIS_TITLE);
    st.setAxisTitlePadding(8);
    st.setAxisTickLabelsFont(base.deriveFont(12f));
    st.setAxisTickLabelsColor(MUTED);
    st.setAxisTickMarksColor(GRID);
    st.setAxisTicksLineVisible(false);
    st.setAxisTickPadding(6);
    st.setAxisTickMarkLength(4);

    // The legend is drawn by Legend: XChart places legend and title text by the outline of the
    // glyphs, so a label with descenders sits higher than one without, side-by-side charts'
    // titles do not line up, and a long legend runs off the image instead of wrapping.
    st.setLegendVisible(false);

    st.setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Line);
    st.setMarkerSize(MARKER_SIZE);
    st.setErrorBarsColorSeriesColor(true);
    st.setAnnotationLineColor(MARK);
    st.setAnnotationLineStroke(dashed());
    st.setAntiAlias(true);
    st.setTextAntiAlias(true);

    if (options.unitInterval()) {
      st.setYAxisMin(0.0);
      st.setYAxisMax(1.0);
      st.setYAxisDecimalPattern("0.0");
    } else if (options.scoreAxis()) {
      st.setYAxisDecimalPattern("0.00");
    } else {
      // XChart's own pattern writes "1" beside "0.8"; keep at least one decimal below 1000.
      DecimalFormatSymbols symbols = DecimalFormatSymbols.getInstance(Locale.ROOT);
      st.setYAxisTickLabelsFormattingFunction(
          v ->
              Math.abs(v) < 1000
                  ? new DecimalFormat("0.0###", symbols).format(v)
                  : new DecimalFormat("#,##0", symbols).format(v));
    }
    if (options.logX()) {
      st.setXAxisLogarithmic(true);
    }
    if (options.integerX()) {
      // Ticks may fall between whole numbers; label only the whole ones, and not so many that
      // they run into each other (100 epochs labeled every 4 did).
      long step = labelStep(xRange[0], xRange[1]);
      long first = Math.round(xRange[0]);
      st.setXAxisTickLabelsFormattingFunction(
          v ->
              Math.abs(v - Math.rint(v)) < 1e-9 && Math.floorMod(Math.round(v) - first, step) == 0
                  ? Long.toString(Math.round(v))
                  : "");
    }
  }

  /** Draws the title centred at the top; returns the height it takes (0 without a title). */
  private static int paintTitle(Graphics2D g, String title, int width) {
    if (title == null || title.isBlank()) {
      return 0;
    }
    FontMetrics fm = g.getFontMetrics(TITLE_FONT);
    int top = 14;
    int baseline = top + fm.getAscent();
    g.setFont(TITLE_FONT);
    g.setColor(TEXT);
    double textWidth = fm.getStringBounds(title, g).getWidth();
    g.drawString(title, (float) Math.max(LEGEND_MARGIN, (width - textWidth) / 2), baseline);
    return baseline + fm.getDescent() + 2;
  }

  private static BasicStroke dashed() {
    return new BasicStroke(
        1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f);
  }

  private record Points(double[] x, double[] y, double[] errors) {}

  /** The series' points with a finite x and y (and x &gt; 0 on a log axis). */
  private static Points finitePoints(Series s, boolean logX) {
    double[] x = s.x();
    double[] y = s.y();
    double[] e = s.errorBars();
    List<Integer> keep = new ArrayList<>(x.length);
    for (int i = 0; i < x.length; i++) {
      if (Double.isFinite(x[i]) && Double.isFinite(y[i]) && (!logX || x[i] > 0)) {
        keep.add(i);
      }
    }
    double[] kx = new double[keep.size()];
    double[] ky = new double[keep.size()];
    double[] ke = e == null ? null : new double[keep.size()];
    for (int k = 0; k < keep.size(); k++) {
      int i = keep.get(k);
      kx[k] = x[i];
      ky[k] = y[i];
      if (ke != null) {
        ke[k] = Double.isFinite(e[i]) ? Math.abs(e[i]) : 0;
      }
    }
    if (ke != null && Arrays.stream(ke).allMatch(v -> v == 0)) {
      ke = null;
    }
    return new Points(kx, ky, ke);
  }

  private record LegendEntry(String label, Color color, Marker marker, BasicStroke stroke) {}

  /** Legend entries laid out in centred rows that wrap to the available width. */
  private record Legend(List<List<LegendEntry>> rows, List<Double> rowWidths, FontMetrics fm) {
    static Legend layout(List<LegendEntry> entries, Graphics2D g, int maxWidth) {
      FontMetrics fm = g.getFontMetrics(LEGEND_FONT);
      List<List<LegendEntry>> rows = new ArrayList<>();
      List<Double> widths = new ArrayList<>();
      List<LegendEntry> row = new ArrayList<>();
      double rowWidth = 0;
      for (LegendEntry e : entries) {
        double entryWidth = entryWidth(e, fm);
        double needed = row.isEmpty() ? entryWidth : rowWidth + ENTRY_GAP + entryWidth;
        if (!row.isEmpty() && needed > maxWidth) {
          rows.add(row);
          widths.add(rowWidth);
          row = new ArrayList<>();
          needed = entryWidth;
        }
        row.add(e);
        rowWidth = needed;
      }
      if (!row.isEmpty()) {
        rows.add(row);
        widths.add(rowWidth);
      }
      return new Legend(rows, widths, fm);
    }

    private static double entryWidth(LegendEntry e, FontMetrics fm) {
      return SWATCH + SWATCH_GAP + fm.getStringBounds(e.label(), null).getWidth();
    }

    int rowHeight() {
      return fm.getAscent() + fm.getDescent() + ROW_GAP;
    }

    /** Height of the rows and a margin below them; 0 without entries. */
    int height() {
      return rows.isEmpty() ? 0 : rows.size() * rowHeight() + LEGEND_MARGIN;
    }

    void paint(Graphics2D g, double centre, int top, int chartWidth) {
      g.setFont(LEGEND_FONT);
      double y = top;
      for (int r = 0; r < rows.size(); r++) {
        double width = rowWidths.get(r);
        double x =
            Math.max(
                LEGEND_MARGIN, Math.min(centre - width / 2, chartWidth - LEGEND_MARGIN - width));
        double mid = y + rowHeight() / 2.0;
        int baseline = (int) Math.round(mid + (fm.getAscent() - fm.getDescent()) / 2.0);
        for (LegendEntry e : rows.get(r)) {
          g.setColor(e.color());
          g.setStroke(e.stroke());
          g.draw(new Line2D.Double(x + 1, mid, x + SWATCH - 1, mid));
          if (e.marker() != null) {
            e.marker().paint(g, x + SWATCH / 2.0, mid, MARKER_SIZE);
          }
          g.setColor(TEXT);
          g.drawString(e.label(), (float) (x + SWATCH + SWATCH_GAP), baseline);
          x += entryWidth(e, fm) + ENTRY_GAP;
        }
        y += rowHeight();
      }
    }
  }
}
