#!/usr/bin/env bash
# Installs what the Spark equivalence tests (tests/it/spark.rs) run on: a Java runtime (Debian's
# openjdk-17-jre-headless, when `java` is missing) and pyspark 3.5 from the Python package
# index in a virtual environment kept in the build cache (beside CARGO_TARGET_DIR, or in
# ~/.cache/engage without one), so CI installs it once per cache.
# Prints the environment's bin folder, which must come first on PATH for spark-submit to
# find its Spark home. Run by .ci/run; run it once by hand to run the tests locally.
set -euo pipefail

PYSPARK_VERSION="${ENGAGE_PYSPARK_VERSION:-3.5.7}"
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
  cache="$(dirname "$CARGO_TARGET_DIR")"
else
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/engage"
fi
venv="${ENGAGE_SPARK_VENV:-$cache/spark-venv}"

if ! command -v java >/dev/null 2>&1; then
  echo "installing a Java runtime (Debian package openjdk-17-jre-headless) for Spark" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    openjdk-17-jre-headless >/dev/null
fi

if ! "$venv/bin/python" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$PYSPARK_VERSION')" 2>/dev/null; then
  echo "installing pyspark $PYSPARK_VERSION in $venv" >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "pyspark==$PYSPARK_VERSION" >&2
fi

echo "$venv/bin"
