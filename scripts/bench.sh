#!/usr/bin/env bash
# Benchmarks deploylint on the real-world corpus and on a large Python tree (the CPython
# standard library, as the corpus README describes). Prints wall time per run; uses hyperfine
# when installed. Usage: scripts/bench.sh [corpus-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-${DEPLOYLINT_CORPUS:-../shared/corpus/realworld}}"
cargo build --release --quiet
bin="$(pwd)/target/release/deploylint"

pytree="${TMPDIR:-/tmp}/deploylint-bench-python"
if [ ! -d "$pytree" ]; then
  stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
  mkdir -p "$pytree"
  (cd "$stdlib" && find . -name '*.py' -not -path '*/site-packages/*' -not -path '*/__pycache__/*' -print0 \
    | xargs -0 cp --parents -t "$pytree")
fi

count() { find "$1" -type f | wc -l; }
size() { du -sh "$1" | cut -f1; }
echo "corpus: $corpus ($(count "$corpus") files, $(size "$corpus"))"
echo "python: $pytree ($(count "$pytree") files, $(size "$pytree"))"
for target in "$corpus" "$pytree"; do
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs 5 -i "$bin check --output-format concise $target"
  else
    for threads in 1 0; do
      start=$(date +%s.%N)
      RAYON_NUM_THREADS=$threads "$bin" check --output-format concise "$target" >/dev/null || true
      end=$(date +%s.%N)
      printf '%s threads=%s: %.3fs\n' "$target" "${threads/0/all}" "$(echo "$end - $start" | bc)"
    done
  fi
done
