#!/usr/bin/env bash
# Builds the deploylint wheel (the release binary inside a Python wheel) with maturin, which is
# installed from PyPI into a throwaway virtualenv at the version pyproject.toml's build-system
# asks for. Prints the wheel's path as the last line.
#
#   scripts/build-wheel.sh [OUT_DIR]      (default: target/wheels)
#
# Environment: CARGO_TARGET_DIR (where cargo builds; default target/precommit, shared with the
# pre-commit test's `cargo install` so the dependencies compile once), MATURIN_ARGS (extra
# arguments for `maturin build`, e.g. `--sdist`), ZIG=1 (link with zig from PyPI's ziglang
# against glibc 2.17: a manylinux2014 wheel that runs on older distributions than the
# build machine's; use another CARGO_TARGET_DIR, the C code is compiled by zig too).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${1:-target/wheels}
mkdir -p "$out"
out=$(cd "$out" && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/precommit}

venv=$(mktemp -d "${TMPDIR:-/tmp}/deploylint-maturin.XXXXXX")
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
# The one requirement of [build-system], so this and `pip install` from source agree.
requirement=$(sed -n 's/^requires = \["\(maturin[^"]*\)"\]$/\1/p' pyproject.toml)
if [ -z "$requirement" ]; then
  echo "pyproject.toml: expected build-system requires = [\"maturin...\"]" >&2
  exit 2
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "$requirement"
zig_args=()
if [ "${ZIG:-0}" = 1 ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check ziglang
  # maturin runs zig as `python -m ziglang` with the python on PATH.
  export PATH="$venv/bin:$PATH"
  zig_args=(--zig --compatibility manylinux2014)
fi

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
rm -f "$out"/deploylint-"$version"-*.whl
# shellcheck disable=SC2086 # MATURIN_ARGS is a list of words
"$venv/bin/maturin" build --release --locked --out "$out" ${zig_args[@]+"${zig_args[@]}"} ${MATURIN_ARGS:-} >&2
wheel=$(ls "$out"/deploylint-"$version"-*.whl)
echo "$wheel"
