#!/usr/bin/env python3
"""Prints scripts/bench.sh's results as Markdown tables: per measure, each tool's median wall
time, deploylint's time as a multiple of it, and the CPU time (user + system) and peak memory
of one run; then deploylint's and ripgrep's growth from the smallest mixed scale to the
larger ones."""

import json
import re
import statistics
import sys


def load(index):
    rows = []
    for line in open(index):
        case, tool, files, result, peak, cpu = line.rstrip("\n").split("\t")
        times = json.load(open(result))["results"][0]["times"]
        rows.append({
            "case": case,
            "tool": tool,
            "files": int(files),
            "median": statistics.median(times),
            "peak": int(peak) / 1024 if peak else None,
            "cpu": float(cpu) if cpu else None,
        })
    return rows


def fmt_time(seconds):
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main():
    rows = load(sys.argv[1])
    ours = {r["case"]: r for r in rows if r["tool"] == "deploylint"}
    print("| measure | files | tool | median | deploylint / tool | CPU (one run) | peak memory |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for r in rows:
        mine = ours.get(r["case"])
        ratio = "" if r["tool"] == "deploylint" or not mine else f"{mine['median'] / r['median']:.2f}×"
        peak = f"{r['peak']:.1f} MB" if r["peak"] is not None else "?"
        cpu = fmt_time(r["cpu"]) if r["cpu"] is not None else "?"
        print(f"| {r['case']} | {r['files']:,} | {r['tool']} | {fmt_time(r['median'])} | {ratio} "
              f"| {cpu} | {peak} |")
    mixed = sorted(
        ((int(re.search(r"x(\d+)", r["case"]).group(1)), r)
         for r in rows if r["case"].startswith("mixed x") and r["tool"] in ("deploylint", "ripgrep")),
        key=lambda pair: pair[0],
    )
    base = {r["tool"]: (scale, r) for scale, r in mixed if scale == min(s for s, _ in mixed)} if mixed else {}
    growth = [(scale, r) for scale, r in mixed if r["tool"] in base and scale != base[r["tool"]][0]]
    if growth:
        print()
        print("| growth | tool | time | ideal | peak memory |")
        print("|---|---|---:|---:|---:|")
        for scale, r in growth:
            s0, r0 = base[r["tool"]]
            mem = (f"{r0['peak']:.0f} → {r['peak']:.0f} MB ({r['peak'] / r0['peak']:.1f}×)"
                   if r["peak"] and r0["peak"] else "?")
            print(f"| x{s0} → x{scale} | {r['tool']} | {r['median'] / r0['median']:.1f}× | "
                  f"{scale / s0:.0f}× | {mem} |")


if __name__ == "__main__":
    main()
