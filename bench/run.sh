#!/usr/bin/env bash
# Measures `engage run` on synthetic stores of 1M and 10M events (100M with
# BENCH_SIZES="1000000 10000000 100000000"), each against the same computation in DuckDB, the
# CSV ingest throughput, and the 1M regression check. See BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes="${BENCH_SIZES:-1000000 10000000}"
data="${BENCH_DATA:-bench/data}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/engage/target}"
export ENGAGE_PSEUDONYM_KEY="bench"

cargo build --release --quiet
engage="$CARGO_TARGET_DIR/release/engage"
python3 -c "import duckdb" 2>/dev/null || pip install --quiet duckdb

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
echo
echo "| events | people | engage wall (s) | peak memory (MiB) | engage store→ladder (s) | DuckDB (s) | ratio | µs per event | rung counts agree |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|:--:|"
for n in $sizes; do
  dir="$data/$n"
  # A larger organisation for more events: 50,000 people at 1M, 100,000 at 10M, 200,000 above.
  people=50000
  [ "$n" -ge 10000000 ] && people=100000
  [ "$n" -ge 100000000 ] && people=200000
  if [ ! -f "$dir/bench.toml" ]; then
    "$engage" --quiet bench-data --out "$dir" --events "$n" --people "$people"
  fi
  rm -rf "$dir/out"
  /usr/bin/time -v "$engage" --quiet run "$dir/bench.toml" 2> "$dir/time.txt"
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; print s}' "$dir/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%d", $2 / 1024}' "$dir/time.txt")
  compute=$(python3 -c "import json; t = json.load(open('$dir/out/manifest.json'))['timings_ms']; print('%.2f' % (t['store_to_ladder'] / 1000))")
  duck=$(python3 bench/duckdb_equivalent.py "$dir" 2> "$dir/duckdb-check.txt")
  agree=$(python3 bench/compare_ladder.py "$dir")
  ratio=$(python3 -c "print('%.2f' % ($compute / $duck))")
  per=$(python3 -c "print('%.2f' % ($wall * 1e6 / $n))")
  echo "| $n | $people | $wall | $rss | $compute | $duck | $ratio | $per | $agree |"
done

# CSV ingest of the canonical layout: the 1M store exported as one CSV file, read without a store.
csvdir="$data/csv"
mkdir -p "$csvdir"
if [ ! -f "$csvdir/events.csv" ]; then
  python3 - "$data/1000000" "$csvdir/events.csv" <<'PY'
import sys, duckdb
duckdb.sql(f"COPY (SELECT event_id, source, strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS occurred_at, actor, action, content_id, thread_id, target_actor, space FROM read_parquet('{sys.argv[1]}/store/events/*/part-0.parquet')) TO '{sys.argv[2]}' (HEADER)")
PY
  cp "$data/1000000/people.csv" "$csvdir/people.csv"
  printf '[pipeline]\nname = "csv"\ntimezone = "UTC"\noutput = "out"\n\n[[source]]\nkind = "events"\npath = "events.csv"\nname = "bench"\n\n[people]\npath = "people.csv"\n' > "$csvdir/csv.toml"
fi
rm -rf "$csvdir/out"
"$engage" --quiet run "$csvdir/csv.toml"
python3 - "$csvdir" <<'PY'
import json, os, sys
folder = sys.argv[1]
t = json.load(open(f"{folder}/out/manifest.json"))["timings_ms"]
size = os.path.getsize(f"{folder}/events.csv") / 1e6
print(f"\nCSV ingest: {size:.0f} MB in {t['ingest'] / 1000:.2f} s = {size / (t['ingest'] / 1000):.0f} MB/s")
PY

# The regression check: the 1M run against the figure recorded in BENCHMARKS.md.
ENGAGE_BIN="$engage" ENGAGE_BENCH_DIR="$data/1000000" cargo test --quiet --test bench_regression -- --ignored
