#!/usr/bin/env bash
# Measures engage against DuckDB in the same run (see BENCHMARKS.md), for each size in
# BENCH_SIZES (default 1M and 10M events; add 30000000 and 100000000 for the memory targets):
#   - the export-file path: one Parquet file of every event and a roster, no store configured
#     (engage keeps a working store of its own), end to end, against DuckDB computing the
#     activity counts, the ladder and participation from the same file and roster;
#   - the store path: the same events in a store, every part computed (no kept partial
#     results), against DuckDB over the same partitions;
#   - a nightly run on the largest store: one more day of events added and computed, with
#     the partial results of the unchanged parts reused, against the full run;
# then CSV ingest of the canonical layout and the 1M regression check.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes="${BENCH_SIZES:-1000000 10000000}"
data="${BENCH_DATA:-bench/data}"
. bench/common.sh

# Runs engage under /usr/bin/time -v; prints "wall_s peak_mib".
timed() { local log=$1; shift; time_of "$log" "$engage" "$@"; }
# A manifest's timing in seconds.
timing() { python3 -c "import json; print('%.2f' % (json.load(open('$1'))['timings_ms']['$2'] / 1000))"; }
ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }

echo "$(machine), $(uname -sr)"
file_rows=""; store_rows=""
for n in $sizes; do
  dir="$data/$n"
  # 50,000 people: the roster the issue's measurements use at every size.
  if [ ! -f "$dir/bench.toml" ]; then
    "$engage" --quiet bench-data --out "$dir" --events "$n" --people 50000
  fi
  if [ ! -f "$dir/export.parquet" ]; then
    python3 - "$dir" <<'PY'
import sys, duckdb
d = sys.argv[1]
duckdb.sql(f"COPY (SELECT * FROM read_parquet('{d}/store/events/*/part-0.parquet', hive_partitioning = false)) TO '{d}/export.parquet' (FORMAT parquet)")
PY
    printf '[pipeline]\nname = "file"\ntimezone = "UTC"\noutput = "out-file"\n\n[[source]]\nkind = "events"\npath = "export.parquet"\nname = "bench"\n\n[people]\npath = "people.csv"\n' > "$dir/file.toml"
  fi
  size=$(du -m "$dir/export.parquet" | cut -f1)

  rm -rf "$dir/out-file"
  read -r wall peak < <(timed "$dir/time-file.txt" --quiet run "$dir/file.toml")
  duck=$(python3 bench/duckdb_equivalent.py "$dir" file 2> "$dir/duckdb-file.txt")
  agree=$(python3 bench/compare_ladder.py "$dir" file)
  file_rows+="| $n | $size | $wall | $peak | $(timing "$dir/out-file/manifest.json" ingest) | $duck | $(ratio "$wall" "$duck") | $agree |"$'\n'

  rm -rf "$dir/out" "$dir/store/partials"
  read -r wall peak < <(timed "$dir/time-store.txt" --quiet run "$dir/bench.toml")
  ladder=$(timing "$dir/out/manifest.json" store_to_ladder)
  duck=$(python3 bench/duckdb_equivalent.py "$dir" store 2> "$dir/duckdb-store.txt")
  agree=$(python3 bench/compare_ladder.py "$dir" store)
  store_rows+="| $n | $wall | $peak | $ladder | $duck | $(ratio "$ladder" "$duck") | $agree |"$'\n'
done

echo
echo "Export file (one Parquet file, no store configured), end to end:"
echo
echo "| events | file (MB) | engage wall (s) | peak memory (MiB) | of which ingest (s) | DuckDB on the file (s) | wall / DuckDB | rung counts agree |"
echo "|---:|---:|---:|---:|---:|---:|---:|:--:|"
printf '%s' "$file_rows"
echo
echo "Store (every part computed):"
echo
echo "| events | engage wall (s) | peak memory (MiB) | engage store→ladder (s) | DuckDB on the store (s) | store→ladder / DuckDB | rung counts agree |"
echo "|---:|---:|---:|---:|---:|---:|:--:|"
printf '%s' "$store_rows"

# The nightly run: the largest store gains a day's events (its last day's again, with new
# ids), rewriting its last month; the other parts' partial results are reused.
n=${sizes##* }
dir="$data/$n"
python3 - "$dir" <<'PY'
import sys, duckdb
d = sys.argv[1]
duckdb.sql(f"""COPY (
  WITH ev AS (SELECT * FROM read_parquet('{d}/store/events/*/part-0.parquet', hive_partitioning = false)),
  last AS (SELECT max(CAST(occurred_at AS DATE)) AS day FROM ev)
  SELECT 'n' || event_id AS event_id, source,
         strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS occurred_at,
         actor, action, content_id, thread_id, target_actor, space
  FROM ev WHERE CAST(occurred_at AS DATE) = (SELECT day FROM last)) TO '{d}/events.csv' (HEADER)""")
PY
rm -rf "$dir/out" "$dir/store/partials"
printf 'event_id,source,occurred_at,actor,action,content_id,thread_id,target_actor,space\n' > "$dir/empty.csv"
mv "$dir/events.csv" "$dir/day.csv" && mv "$dir/empty.csv" "$dir/events.csv"
read -r full _ < <(timed "$dir/time-full.txt" --quiet run "$dir/bench.toml")
mv "$dir/day.csv" "$dir/events.csv"
read -r nightly peak < <(timed "$dir/time-nightly.txt" --log-format json run "$dir/bench.toml")
reused=$(python3 -c "
import json
for l in open('$dir/time-nightly.txt'):
    if l.startswith('{') and 'partial results' in l:
        c = json.loads(l)['counts']; print(f\"{c['reused']} reused, {c['computed']} computed\")")
added=$(($(wc -l < "$dir/events.csv") - 1))
duck=$(python3 bench/duckdb_equivalent.py "$dir" store 2> /dev/null)
echo
echo "Nightly run on the $n-event store: $added more events of its last day"
echo
echo "| full run (s) | nightly run (s) | nightly / full | peak memory (MiB) | partial results | DuckDB over the whole store (s) |"
echo "|---:|---:|---:|---:|:--|---:|"
echo "| $full | $nightly | $(ratio "$nightly" "$full") | $peak | $reused | $duck |"
# The store is left as it was: generated again on the next run.
printf 'event_id,source,occurred_at,actor,action,content_id,thread_id,target_actor,space\n' > "$dir/events.csv"
rm -rf "$dir/store" "$dir/bench.toml"

# CSV ingest of the canonical layout: the 1M export as one CSV file, read without a store.
csvdir="$data/csv"
mkdir -p "$csvdir"
if [ ! -f "$csvdir/events.csv" ]; then
  python3 - "$data/1000000" "$csvdir/events.csv" <<'PY'
import sys, duckdb
duckdb.sql(f"COPY (SELECT event_id, source, strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS occurred_at, actor, action, content_id, thread_id, target_actor, space FROM read_parquet('{sys.argv[1]}/export.parquet')) TO '{sys.argv[2]}' (HEADER)")
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
print(f"\nCSV ingest: {size:.0f} MB in {t['ingest'] / 1000:.2f} s = {size / (t['ingest'] / 1000):.0f} MB/s (read, checked and spilled by month)")
PY

# The regression check: the 1M store run against the figure recorded in BENCHMARKS.md.
if [ -f "$data/1000000/bench.toml" ]; then
  ENGAGE_BIN="$engage" ENGAGE_BENCH_DIR="$data/1000000" cargo test --quiet --test it bench_regression:: -- --ignored
fi
