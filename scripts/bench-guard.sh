#!/usr/bin/env bash
# The performance regression guard: counts the instructions the release binary executes
# (valgrind's callgrind; repeatable on a loaded machine, where timings are not) on a fixed
# small corpus (40 projects of scripts/bench-corpus.py, 580 files) and on one file with its
# project's context read, and compares each with the reference in benches/instructions.txt.
# Fails when a count exceeds its reference by more than 25%; says so when one falls 25% below
# it (update the reference then: scripts/bench-guard.sh --update).
#
# Counts depend on the compiler and its version, so the margin is wide: it catches an
# accidental quadratic or a parse put back on every file, not a few percent.
#
# Usage: scripts/bench-guard.sh [--update]    Environment: DEPLOYLINT_BIN (skip the build).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
reference="$repo/benches/instructions.txt"
margin=25
update=0
[ "${1:-}" = --update ] && update=1

if ! command -v valgrind >/dev/null; then
  echo "bench-guard: valgrind is required (apt-get install valgrind)" >&2
  exit 2
fi
bin="${DEPLOYLINT_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --locked --quiet
  bin="$repo/target/release/deploylint"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/deploylint-guard.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 scripts/bench-corpus.py "$work/tree" --projects 40 >/dev/null

# Instructions of one run, all threads (one rayon thread: the same work in one order).
count() {
  RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$work/out" \
    "$@" >/dev/null 2>"$work/log" || true
  sed -n 's/^==[0-9]*== Collected : //p' "$work/log" | tail -n 1
}
declare -A measured
# From inside the tree, as a user would run it: paths are relative.
measured[tree]=$(cd "$work/tree" && count "$bin" check --isolated --output-format json .)
measured[one-file]=$(cd "$work/tree" && count "$bin" check --output-format json svc00001/app.py)
measured[one-dockerfile]=$(cd "$work/tree" && count "$bin" check --output-format json svc00001/Dockerfile)

if [ "$update" = 1 ]; then
  {
    echo "# Instructions (callgrind, RAYON_NUM_THREADS=1) of scripts/bench-guard.sh's runs;"
    echo "# rustc $(rustc --version | cut -d' ' -f2). Update with scripts/bench-guard.sh --update."
    for name in tree one-file one-dockerfile; do echo "$name ${measured[$name]}"; done
  } >"$work/reference"
  mkdir -p "$(dirname "$reference")"
  mv "$work/reference" "$reference"
  cat "$reference"
  exit 0
fi

if [ ! -f "$reference" ]; then
  echo "bench-guard: no reference yet ($reference): make one with --update" >&2
  for name in tree one-file one-dockerfile; do echo "$name ${measured[$name]}"; done
  exit 2
fi
status=0
while read -r name expected; do
  case "$name" in ''|'#'*) continue ;; esac
  got=${measured[$name]:-}
  if [ -z "$got" ]; then
    echo "bench-guard: $name: no count (valgrind failed?)" >&2
    status=1
    continue
  fi
  change=$(( (got - expected) * 100 / expected ))
  printf '%-15s %15s instructions (reference %s, %+d%%)\n' "$name" "$got" "$expected" "$change"
  if [ "$change" -gt "$margin" ]; then
    echo "bench-guard: $name costs ${change}% more than the reference (limit +${margin}%)" >&2
    status=1
  elif [ "$change" -lt "-$margin" ]; then
    echo "bench-guard: $name costs ${change#-}% less than the reference: update it (--update)"
  fi
done <"$reference"
exit $status
