#!/usr/bin/env bash
# The event-scale step on Spark against the local engine and DuckDB, measured in the same run
# (docs/spark.md): for BENCH_SPARK_EVENTS events (default 10M) in a store, BENCH_ROUNDS rounds
# (default 3) of
#   - the local engine computing every output from the store (no kept partial results);
#   - Spark (`spark-submit --master local[2]`, BENCH_SPARK_DRIVER_MEMORY, default 4g) running
#     the job engage writes, then `engage run --aggregates` computing every output from its
#     tables, checked byte-identical to the local engine's;
#   - DuckDB computing the activity counts, ladder and participation from the same store;
# and prints the medians. Java and pyspark come from tests/spark/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

n="${BENCH_SPARK_EVENTS:-10000000}"
rounds="${BENCH_ROUNDS:-3}"
memory="${BENCH_SPARK_DRIVER_MEMORY:-4g}"
dir="${BENCH_DATA:-bench/data}/$n"
spark_bin="$(tests/spark/setup.sh)"
. bench/common.sh
[ -f "$dir/bench.toml" ] || "$engage" --quiet bench-data --out "$dir" --events "$n" --people 50000

timed() { time_of "$@"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
sum() { python3 -c "print('%.2f' % ($1 + $2))"; }

"$engage" --quiet spark-job "$dir/bench.toml" --out "$dir/spark-job"
local_w=(); local_m=(); job_w=(); job_m=(); rest_w=(); rest_m=(); both_w=(); duck_w=()
for r in $(seq "$rounds"); do
  rm -rf "$dir/out" "$dir/store/partials"
  read -r w m < <(timed "$dir/time-local.txt" "$engage" --quiet run "$dir/bench.toml")
  local_w+=("$w"); local_m+=("$m")

  rm -rf "$dir/spark-tables"
  # The environment's bin first on PATH, so that spark-submit finds its Spark home.
  read -r w m < <(timed "$dir/time-spark.txt" env PATH="$spark_bin:$PATH" spark-submit --master 'local[2]' \
    --driver-memory "$memory" --conf spark.ui.enabled=false \
    "$dir/spark-job/engage_job.py" "$dir/store" "$dir/spark-tables")
  job_w+=("$w"); job_m+=("$m")
  read -r w2 m2 < <(timed "$dir/time-rest.txt" "$engage" --quiet run "$dir/bench.toml" \
    --aggregates "$dir/spark-tables" --out "$dir/out-spark")
  rest_w+=("$w2"); rest_m+=("$m2"); both_w+=("$(sum "$w" "$w2")")
  diff -rq "$dir/out/tables" "$dir/out-spark/tables" > /dev/null \
    || { echo "the tables differ between the local engine and Spark" >&2; exit 1; }

  duck_w+=("$(python3 bench/duckdb_equivalent.py "$dir" store 2> "$dir/duckdb-spark.txt")")
done

echo "$(machine); $n events; medians of $rounds rounds"
echo "$(java -version 2>&1 | head -1); pyspark $("$spark_bin/python" -c 'import pyspark; print(pyspark.__version__)')"
echo
echo "| | wall s | peak MiB | ratio to DuckDB |"
echo "|---|---:|---:|---:|"
d=$(median "${duck_w[@]}")
row() { echo "| $1 | $2 | $3 | $(python3 -c "print('%.2f' % ($2 / $d))") |"; }
row "local engine, every output from the store" "$(median "${local_w[@]}")" "$(median "${local_m[@]}")"
row "Spark job, local[2], driver $memory" "$(median "${job_w[@]}")" "$(median "${job_m[@]}")"
row "engage run --aggregates (every output from the job's tables)" "$(median "${rest_w[@]}")" "$(median "${rest_m[@]}")"
row "Spark job + run --aggregates" "$(median "${both_w[@]}")" "-"
echo "| DuckDB (activity counts, ladder, participation) | $d | - | 1.00 |"
