package io.ferrite.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * A plain SVG line chart: one axis box, labelled ticks, one polyline per series and a legend.
 * Axes map data through a transform (identity, log10, or the percentile transform) before
 * scaling, so the same chart draws linear throughput and log-percentile latency plots.
 *
 * <p>Thread-safety: not thread-safe; build and render on one thread.
 */
final class SvgChart {
    private static final int WIDTH = 760;
    private static final int HEIGHT = 420;
    private static final int LEFT = 80;
    private static final int RIGHT = 190;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"};

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final DoubleUnaryOperator xTransform;
    private final DoubleUnaryOperator yTransform;
    private final List<Tick> xTicks = new ArrayList<>();
    private final List<Tick> yTicks = new ArrayList<>();
    private final List<Series> series = new ArrayList<>();
    private boolean yFromZero;

    SvgChart(String title, String xLabel, String yLabel, DoubleUnaryOperator xTransform, DoubleUnaryOperator yTransform) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.xTransform = xTransform;
        this.yTransform = yTransform;
    }

    /** A tick at data value {@code value} (untransformed). */
    SvgChart xTick(double value, String label) {
        xTicks.add(new Tick(value, label));
        return this;
    }

    SvgChart yTick(double value, String label) {
        yTicks.add(new Tick(value, label));
        return this;
    }

    /** Makes the y axis start at zero (for rates), whatever the data's minimum. */
    SvgChart yFromZero() {
        yFromZero = true;
        return this;
    }

    /** A series of (x, y) data points, untransformed. */
    SvgChart series(String label, List<double[]> points) {
        series.add(new Series(label, points));
        return this;
    }

    String render() {
        double[] xs = bounds(true);
        double[] ys = bounds(false);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
            LEFT, escape(title)));
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
            + "stroke=\"#444\"/>%n", LEFT, TOP, plotWidth, plotHeight));
        for (Tick tick : xTicks) {
            double x = scale(xTransform.applyAsDouble(tick.value), xs, LEFT, LEFT + plotWidth);
            if (x >= LEFT - 0.5 && x <= LEFT + plotWidth + 0.5) {
                svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, TOP, x, TOP + plotHeight, x,
                    TOP + plotHeight + 16, escape(tick.label)));
            }
        }
        for (Tick tick : yTicks) {
            double y = scale(yTransform.applyAsDouble(tick.value), ys, TOP + plotHeight, TOP);
            if (y >= TOP - 0.5 && y <= TOP + plotHeight + 0.5) {
                svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, y, LEFT + plotWidth, y,
                    LEFT - 6, y + 4, escape(tick.label)));
            }
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
            LEFT + plotWidth / 2, HEIGHT - 12, escape(xLabel)));
        svg.append(String.format(Locale.ROOT, "<text transform=\"translate(16,%d) rotate(-90)\" text-anchor=\"middle\">"
            + "%s</text>%n", TOP + plotHeight / 2, escape(yLabel)));
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            String color = COLORS[k % COLORS.length];
            StringBuilder points = new StringBuilder();
            for (double[] p : s.points) {
                double x = scale(xTransform.applyAsDouble(p[0]), xs, LEFT, LEFT + plotWidth);
                double y = scale(yTransform.applyAsDouble(p[1]), ys, TOP + plotHeight, TOP);
                if (Double.isFinite(x) && Double.isFinite(y)) {
                    points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                }
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" "
                + "points=\"%s\"/>%n", color, points.toString().trim()));
            int legendY = TOP + 10 + 18 * k;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                + "stroke-width=\"3\"/><text x=\"%d\" y=\"%d\">%s</text>%n", LEFT + plotWidth + 12, legendY,
                LEFT + plotWidth + 32, legendY, color, LEFT + plotWidth + 38, legendY + 4, escape(s.label)));
        }
        return svg.append("</svg>\n").toString();
    }

    /** [min, max] of the transformed data and ticks on one axis, padded when flat. */
    private double[] bounds(boolean xAxis) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        DoubleUnaryOperator transform = xAxis ? xTransform : yTransform;
        for (Series s : series) {
            for (double[] p : s.points) {
                double v = transform.applyAsDouble(xAxis ? p[0] : p[1]);
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (!Double.isFinite(min)) {
            return new double[] {0, 1};
        }
        if (!xAxis && yFromZero) {
            min = Math.min(min, 0);
        }
        if (max - min < 1e-9) {
            double pad = Math.max(Math.abs(max) * 0.1, 0.5);
            return new double[] {min - pad, max + pad};
        }
        return new double[] {min, max + (max - min) * 0.05};
    }

    private static double scale(double value, double[] bounds, double from, double to) {
        return from + (value - bounds[0]) / (bounds[1] - bounds[0]) * (to - from);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private record Tick(double value, String label) {
    }

    private record Series(String label, List<double[]> points) {
    }
}
