#!/usr/bin/env bash
# Measures what a campaign costs (spec §9): the bench store of BENCH_EVENTS events (default
# 10M, 50,000 people, 2025) run without and with a [[campaign]] aimed at one department, every
# part computed each time, release build, alternating rounds. The difference is the weekly
# partial result (events and contributions per person and Monday-based week, one more pass
# over the events) and the campaign's series and regressions. Leaders' presence runs in both
# (the bench roster has leaders). DuckDB in the same round computes the same weekly GROUP BY
# over the same partitions, for scale.
set -euo pipefail
cd "$(dirname "$0")/.."

n="${BENCH_EVENTS:-10000000}"
dir="${BENCH_DATA:-bench/data}/$n"
rounds="${BENCH_ROUNDS:-3}"
. bench/common.sh

if [ ! -f "$dir/bench.toml" ]; then
  "$engage" --quiet bench-data --out "$dir" --events "$n" --people 50000
fi
sed 's/^output = .*/output = "out-plain"/' "$dir/bench.toml" > "$dir/plain.toml"
sed 's/^output = .*/output = "out-campaign"/' "$dir/bench.toml" > "$dir/campaign.toml"
cat >> "$dir/campaign.toml" <<'TOML'

[[campaign]]
name = "June"
start = 2025-06-02
end = 2025-06-29
audience = { department = "D1" }
TOML

# Every part computed: no partial results kept from the run before.
timed() {
  rm -rf "$dir/store/partials"
  time_of "$2" "$engage" --quiet run "$1"
}
duck() {
  python3 - "$dir" <<'PY'
import sys, time, duckdb
d = sys.argv[1]
t = time.time()
duckdb.sql(f"""
CREATE TABLE weekly AS
SELECT actor, (CAST(occurred_at AS DATE) - DATE '1970-01-01' + 3) // 7 AS week,
       count(*) AS events,
       count(*) FILTER (WHERE action IN ('post', 'reply')) AS contributions
FROM read_parquet('{d}/store/events/*/part-0.parquet', hive_partitioning = false)
WHERE actor IS NOT NULL GROUP BY ALL
""")
print("%.2f" % (time.time() - t))
PY
}

echo "$(machine); $n events"
for r in $(seq "$rounds"); do
  plain=$(timed "$dir/plain.toml" "$dir/time-plain.txt")
  campaign=$(timed "$dir/campaign.toml" "$dir/time-campaign.txt")
  d=$(duck)
  echo "round $r: without a campaign (wall s, peak MiB) $plain | with one $campaign | duckdb weekly $d s"
done
