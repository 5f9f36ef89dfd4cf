#!/usr/bin/env bash
# Peak memory (GNU time's maximum resident set size) of the release binary on big inputs:
# a 50 MB Dockerfile (over the size limit: skipped unread), a file just under the 16 MiB limit
# (linted), a single 10 MB line, and a 256 MB tree of 1 MB files (texts not held to the end).
# Needs GNU time (`apt-get install time`).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${DEPLOYLINT_BIN:-target/release/deploylint}
[ -x "$bin" ] || cargo build --release --locked -q
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import os, sys
w = sys.argv[1]
line = b"RUN echo hello world && pip install flask gunicorn # comment\n"
def write(path, head, unit, size, tail=b""):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(head); f.write(unit * ((size - len(head)) // len(unit))); f.write(tail)
write(f"{w}/fifty/Dockerfile", b"FROM python\n", line, 50 << 20)
write(f"{w}/limit/Dockerfile", b"FROM python\n", line, 15 << 20, b"USER root\n")
write(f"{w}/line/Dockerfile", b"FROM python\nRUN echo ", b"a" * 1000, 10_000_000, b"\n")
for i in range(256):
    write(f"{w}/tree/svc{i}/Dockerfile", b"FROM python\nUSER app\n", line, 1 << 20)
PY
for case in fifty limit line tree; do
  size=$(du -sb "$work/$case" | cut -f1)
  /usr/bin/time -v "$bin" check --output-format concise "$work/$case" >/dev/null 2>"$work/$case.time" || true
  peak=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/$case.time")
  wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$work/$case.time")
  awk -v c="$case" -v s="$size" -v p="$peak" -v t="$wall" \
    'BEGIN { printf "%-6s input %7.1f MiB  peak %7.1f MiB  (%.2fx)  %s\n", c, s/1048576, p/1024, p*1024/s, t }'
done
