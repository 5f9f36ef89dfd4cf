#!/usr/bin/env bash
# Regenerates the rule table in README.md from the catalog (tests/catalog.rs checks it).
set -euo pipefail
cd "$(dirname "$0")/.."
table="$(cargo run -q -- rules --output-format markdown)"
python3 - "$table" <<'PY'
import re, sys
table = sys.argv[1] + "\n"
text = open("README.md").read()
start, end = "<!-- rules:start -->\n", "<!-- rules:end -->"
a, b = text.index(start) + len(start), text.index(end)
open("README.md", "w").write(text[:a] + table + text[b:])
PY
