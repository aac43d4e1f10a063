#!/usr/bin/env python3
"""Summarise JMH JSON results as markdown tables: per benchmark, the median of the fork means with
their min-max range, and gc.alloc.rate.norm when -prof gc was on. For SampleTime results a second
table gives percentiles: each computed per fork (all its measurement iterations together), then
the median over forks with the min-max range.
Usage: jmh-summary.py results.json [more.json ...]"""
import json
import statistics
import sys

PERCENTILES = (50.0, 90.0, 99.0, 99.9)


def fork_histograms(metric):
    """SampleTime: one merged {value: count} per fork, or None for other modes."""
    raw = metric.get("rawDataHistogram")
    if not raw:
        return None
    forks = []
    for fork in raw:
        merged = {}
        for iteration in fork:
            for value, count in iteration:
                merged[value] = merged.get(value, 0) + count
        forks.append(merged)
    return forks


def histogram_mean(histogram):
    total = sum(histogram.values())
    return sum(value * count for value, count in histogram.items()) / total


def histogram_percentile(histogram, percentile):
    total = sum(histogram.values())
    rank = percentile / 100.0 * total
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)


def fork_means(metric):
    histograms = fork_histograms(metric)
    if histograms is not None:
        return [histogram_mean(h) for h in histograms]
    return [statistics.fmean(fork) for fork in metric["rawData"]]


def number(value):
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.2f}"


def spread(values):
    return f"{number(statistics.median(values))} | {number(min(values))}–{number(max(values))}"


def label(row):
    name = row["benchmark"].rsplit(".", 2)
    params = ",".join(f"{k}={v}" for k, v in (row.get("params") or {}).items())
    return f"{name[-2]}.{name[-1]}", params or "—"


def main(paths):
    rows = [row for path in paths for row in json.load(open(path))]
    print("| benchmark | param | median of forks | min–max | unit | alloc B/op | forks |")
    print("|---|---|---:|---:|---|---:|---:|")
    for row in rows:
        name, params = label(row)
        means = fork_means(row["primaryMetric"])
        alloc = row.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        alloc_text = "—"
        if alloc:
            alloc_text = f"{statistics.median(fork_means(alloc)):.3f}"
        print(f"| {name} | {params} | {spread(means)} | {row['primaryMetric']['scoreUnit']} | {alloc_text} "
              f"| {len(means)} |")
    sampled = [row for row in rows if fork_histograms(row["primaryMetric"]) is not None]
    if sampled:
        print()
        print("| benchmark | param | " + " | ".join(f"p{p:g} median | p{p:g} min–max" for p in PERCENTILES)
              + " | unit | samples | forks |")
        print("|---|---|" + "---:|---:|" * len(PERCENTILES) + "---|---:|---:|")
        for row in sampled:
            name, params = label(row)
            histograms = fork_histograms(row["primaryMetric"])
            cells = " | ".join(spread([histogram_percentile(h, p) for h in histograms]) for p in PERCENTILES)
            samples = sum(sum(h.values()) for h in histograms)
            print(f"| {name} | {params} | {cells} | {row['primaryMetric']['scoreUnit']} | {samples} "
                  f"| {len(histograms)} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
