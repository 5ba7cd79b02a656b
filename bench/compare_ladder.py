#!/usr/bin/env python3
"""Whether engage's tables/ladder.csv holds the same people per period and rung as the DuckDB
equivalent (an independent implementation of the activity table and the ladder). Usage:
compare_ladder.py <bench folder> [store|file]: the run over the store (`out/`) or over the export
file (`out-file/`). Prints yes/no."""

import csv
import sys

import duckdb

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from duckdb_equivalent import SQL, events  # noqa: E402

folder = sys.argv[1]
kind = sys.argv[2] if len(sys.argv) > 2 else "store"
out = "out-file" if kind == "file" else "out"
rows = duckdb.sql(SQL.format(events=events(folder, kind), people=f"{folder}/people.csv")).fetchall()
theirs = {(f"{k // 12:04d}-{k % 12 + 1:02d}", rung): people for k, rung, people, _, _ in rows}
ours = {(r["period"], r["rung"]): int(r["people"]) for r in csv.DictReader(open(f"{folder}/{out}/tables/ladder.csv"))}
ours = {k: v for k, v in ours.items() if v > 0}
print("yes" if ours == theirs else "no")
