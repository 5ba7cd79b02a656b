#!/usr/bin/env bash
# Renders the demo report in English and Dutch with headless Chromium (screenshot and PDF) and
# checks it (tests/browser/check_report.py). Run by .ci/run after the test command; installs
# Debian's chromium, a font and poppler-utils (pdftotext, to read the PDF back) when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
  echo "installing chromium and poppler-utils (Debian packages) for the report check" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core poppler-utils >/dev/null
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/engage/target}"
cargo build --quiet
engage="$CARGO_TARGET_DIR/debug/engage"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export ENGAGE_PSEUDONYM_KEY="report-check-key-0123456789"

"$engage" --quiet run pipelines/demo.toml --out "$work/en"
sed -e 's/^\[pipeline\]$/[pipeline]\nlanguage = "nl"/' \
    -e "s#\.\./sample-data#$PWD/sample-data#" pipelines/demo.toml > "$work/demo-nl.toml"
"$engage" --quiet run "$work/demo-nl.toml" --out "$work/nl"

python3 tests/browser/check_report.py "$work/en" "$work/nl"
