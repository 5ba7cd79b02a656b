# Shared by the bench scripts (sourced, not run): a release build, DuckDB for the comparisons,
# and how a command's wall time and peak memory are read from /usr/bin/time -v.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/engage/target}"
export ENGAGE_PSEUDONYM_KEY="bench-key-0123456789"
cargo build --release --quiet
engage="$CARGO_TARGET_DIR/release/engage"
python3 -c "import duckdb" 2>/dev/null || pip install --quiet duckdb

# Runs a command under /usr/bin/time -v with its report in LOG; prints "wall_s peak_mib" (peak:
# the largest process).
time_of() {
  local log=$1; shift
  /usr/bin/time -v "$@" > /dev/null 2> "$log"
  awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); s = 0; for (i = 1; i <= length(t); i++) s = s * 60 + t[i]; w = s}
              /Maximum resident set size/ {m = int($2 / 1024)} END {print w, m}' "$log"
}

# The machine, for the top of a report.
machine() { echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"; }
