#!/usr/bin/env bash
# Measures themes (spec §8): 1M posts of about 30 words each (English-like text with stop
# words, links, mentions and numbers mixed in, 5,000 authors over 12 months, one Parquet file),
# run with [themes] on and off, release build, three alternating rounds; the difference is
# the cost of cutting bodies into terms and counting them. DuckDB in the same round does a
# lesser job on the same file (lower-case, split at non-letters, stop words out, per month and
# word the mentions and distinct authors: no stemming, phrases or markup), for scale.
set -euo pipefail
cd "$(dirname "$0")/.."

n="${BENCH_MESSAGES:-1000000}"
dir="${BENCH_DATA:-bench/data}/themes-$n"
rounds="${BENCH_ROUNDS:-3}"
. bench/common.sh
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

if [ ! -f "$dir/messages.parquet" ]; then
  python3 - "$dir" "$n" <<'PY'
import sys, duckdb
d, n = sys.argv[1], int(sys.argv[2])
# 3,000 made-up content words (syllable triples) and 40 English stop words (a third of the
# words, as in real text); content words drawn with a skew so some are common; a link, a
# mention or a number now and then. A message every 31 seconds: a year for a million.
duckdb.sql(f"""
CREATE TABLE syllables AS SELECT unnest(['ba','ko','mi','ter','lan','sto','pre','vi','dor',
  'quen','ra','lu','sen','tik','mo','fa','gre','no','pla','wes']) AS s;
CREATE TABLE words AS SELECT
  (SELECT list(w ORDER BY w) FROM (SELECT DISTINCT a.s || b.s || c.s AS w
     FROM syllables a, syllables b, syllables c ORDER BY w LIMIT 3000)) AS content,
  ['the','a','and','of','to','in','is','it','that','for','on','with','as','was','we','be',
   'this','are','have','at','our','you','not','but','they','by','from','or','an','will',
   'can','all','about','there','so','if','what','when','which','just'] AS stops;
COPY (
  SELECT 'm' || m AS event_id,
         TIMESTAMP '2025-01-01' + to_seconds((m * 31)::BIGINT) AS occurred_at,
         'p' || (hash(m) % 5000) AS actor, 'post' AS action, 'm' || m AS content_id,
         'm' || m AS thread_id, 'space' || (hash(m * 7) % 40) AS space,
         string_agg(CASE
           WHEN r < 0.33 THEN stops[1 + floor(r2 * 40)::INT]
           WHEN r < 0.335 THEN 'https://intranet.example.com/' || m
           WHEN r < 0.34 THEN '@p' || (m % 5000)
           WHEN r < 0.35 THEN (m % 1000)::VARCHAR
           ELSE content[1 + floor(power(r2, 2.5) * 3000)::INT] END, ' ' ORDER BY k) AS text
  FROM (SELECT m, k, random() AS r, random() AS r2 FROM range({n}) t(m), range(30) u(k)), words
  GROUP BY m ORDER BY m
) TO '{d}/messages.parquet' (FORMAT parquet);
""")
PY
fi
for themes in true false; do
  cat > "$dir/themes-$themes.toml" <<TOML
[pipeline]
name = "themes-bench"
output = "out-$themes"
min_group_size = 5

[[source]]
kind = "events"
path = "messages.parquet"

[themes]
enabled = $themes
TOML
done

timed() { time_of "$2" "$engage" --quiet run "$1"; }
duck() {
  python3 - "$dir" <<'PY'
import sys, time, duckdb
d = sys.argv[1]
t = time.time()
duckdb.sql(f"""
CREATE TABLE stops AS SELECT unnest(['the','a','and','of','to','in','is','it','that','for',
  'on','with','as','was','we','be','this','are','have','at','our','you','not','but','they',
  'by','from','or','an','will','can','all','about','there','so','if','what','when','which',
  'just']) AS w;
CREATE TABLE counted AS
SELECT month, word, count(*) AS mentions, count(DISTINCT actor) AS people FROM (
  SELECT date_trunc('month', occurred_at) AS month, actor,
         unnest(regexp_split_to_array(lower(text), '[^a-z]+')) AS word
  FROM read_parquet('{d}/messages.parquet'))
WHERE length(word) >= 2 AND word NOT IN (SELECT w FROM stops)
GROUP BY ALL;
""")
print("%.2f" % (time.time() - t))
PY
}

echo "$(machine); $n messages"
for r in $(seq "$rounds"); do
  on=$(timed "$dir/themes-true.toml" "$dir/time-on.txt")
  off=$(timed "$dir/themes-false.toml" "$dir/time-off.txt")
  d=$(duck)
  echo "round $r: themes on (wall s, peak MiB) $on | off $off | duckdb $d s"
done
