#!/usr/bin/env bash
# Measures what a new user waits for: the wheel's size, `pip install` of it into a fresh
# virtualenv, and the first commit through each pre-commit hook (which installs the hook):
# the Python hook of the pre-commit mirror (pip installs the wheel) and the Rust hook of this
# repository (cargo builds it from scratch, as on a machine that never built deploylint).
#
#   scripts/measure-install.sh WHEEL [RUNS]      (RUNS of pip install, default 5)
#
# Needs python3, git, PyPI (pre-commit, setuptools) and, for the Rust hook, cargo. The Rust
# hook is built from this repository's committed HEAD. Times are wall clock with user+sys CPU
# seconds beside them: on a shared machine the CPU time is the steadier figure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wheel=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
runs=${2:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/deploylint-measure.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
timed() { /usr/bin/time -f "%e s wall, %U+%S s CPU" "$@"; }

echo "wheel: $(basename "$wheel"), $(stat -c %s "$wheel") bytes"
for i in $(seq "$runs"); do
  python3 -m venv "$tmp/v$i"
  printf 'pip install (run %s): ' "$i"
  timed "$tmp/v$i/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel" 2>&1 | tail -1
done

python3 -m venv "$tmp/pc"
"$tmp/pc/bin/pip" install --quiet --disable-pip-version-check pre-commit
mkdir "$tmp/index"
cp "$wheel" "$tmp/index/"
"$tmp/pc/bin/pip" download --quiet --only-binary=:all: --dest "$tmp/index" "setuptools>=61"
bash "$root/scripts/pre-commit-mirror.sh" "$tmp/mirror" >/dev/null
git -C "$tmp/mirror" init -q
git -C "$tmp/mirror" add -A
git -C "$tmp/mirror" -c user.email=m@example.com -c user.name=m -c commit.gpgsign=false commit -qm mirror

# first_commit NAME HOOK_REPO REV [ENV=VALUE...]: a new repository, a bad Dockerfile, the
# first commit (hook install + run) timed.
first_commit() {
  local name=$1 repo=$2 rev=$3
  shift 3
  local work="$tmp/work-$name"
  mkdir "$work"
  git -C "$work" init -q
  printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n      - id: deploylint\n' "$repo" "$rev" \
    >"$work/.pre-commit-config.yaml"
  printf 'FROM python:3.12-slim\nCMD ["flask", "run"]\n' >"$work/Dockerfile"
  (cd "$work" && env PRE_COMMIT_HOME="$tmp/cache-$name" "$@" "$tmp/pc/bin/pre-commit" install >/dev/null)
  git -C "$work" add -A
  (cd "$work" && /usr/bin/time -o "$tmp/$name.time" -f "%e s wall, %U+%S s CPU" \
    env PRE_COMMIT_HOME="$tmp/cache-$name" "$@" \
    git -c user.email=m@example.com -c user.name=m -c commit.gpgsign=false commit -qm bad \
    >"$tmp/$name.log" 2>&1 || true)
  echo "first commit through the $name hook: $(tail -1 "$tmp/$name.time")"
  grep -q USR001 "$tmp/$name.log" || { echo "the $name hook did not report USR001:"; cat "$tmp/$name.log"; exit 1; }
}

first_commit python "$tmp/mirror" "$(git -C "$tmp/mirror" rev-parse HEAD)" \
  PIP_NO_INDEX=1 PIP_FIND_LINKS="$tmp/index" PIP_DISABLE_PIP_VERSION_CHECK=1
if command -v cargo >/dev/null; then
  first_commit rust "$root" "$(git -C "$root" rev-parse HEAD)" CARGO_TARGET_DIR="$tmp/target"
fi
