#!/usr/bin/env python3
"""Summarise a JMH JSON result as a markdown table: per benchmark, the median of the fork
means with their min-max range, and gc.alloc.rate.norm when -prof gc was on.
Usage: jmh-summary.py results.json"""
import json
import statistics
import sys


def fork_means(raw):
    return [statistics.fmean(fork) for fork in raw]


def main(path):
    rows = json.load(open(path))
    print("| benchmark | param | median of forks | min–max | unit | alloc B/op | forks |")
    print("|---|---|---:|---:|---|---:|---:|")
    for row in rows:
        name = row["benchmark"].rsplit(".", 2)
        name = name[-2] + "." + name[-1]
        params = ",".join(f"{k}={v}" for k, v in (row.get("params") or {}).items())
        means = fork_means(row["primaryMetric"]["rawData"])
        alloc = row.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        alloc_text = "—"
        if alloc:
            alloc_means = fork_means(alloc["rawData"])
            alloc_text = f"{statistics.median(alloc_means):.3f}"
        print(f"| {name} | {params or '—'} | {statistics.median(means):.2f} | "
              f"{min(means):.2f}–{max(means):.2f} | {row['primaryMetric']['scoreUnit']} | {alloc_text} | {len(means)} |")


if __name__ == "__main__":
    main(sys.argv[1])
