#!/usr/bin/env bash
# Writes the deploylint-pre-commit repository's files for a release into OUT_DIR: the
# templates in pre-commit-mirror/ with the version filled in, and a .pre-commit-hooks.yaml
# that is this repository's with `language: rust` (compile the crate) turned into
# `language: python` (pip installs the mirror, which depends on the deploylint wheel).
#
#   scripts/pre-commit-mirror.sh OUT_DIR [VERSION]     (default VERSION: Cargo.toml's)
#
# A pre-commit hook of `language: python` is installed with `pip install .` in a clone of the
# hook's repository. Here that would build the wheel from source (maturin, then cargo), so the
# fast hook needs a repository of its own whose package only depends on the published wheel.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: scripts/pre-commit-mirror.sh OUT_DIR [VERSION]}
version=${2:-$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -1)}
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([.a-z0-9+-]*)$ ]]; then
  echo "not a version: $version" >&2
  exit 2
fi
hooks="$root/.pre-commit-hooks.yaml"
# Every hook there must be a rust one: anything else would need its own translation.
if grep -E '^\s*language:' "$hooks" | grep -vqE '^\s*language:\s*rust\s*$'; then
  echo "$hooks: a hook that is not language: rust; teach this script about it" >&2
  exit 2
fi
if ! grep -qE '^\s*language:\s*rust\s*$' "$hooks"; then
  echo "$hooks: no language: rust hook found" >&2
  exit 2
fi

mkdir -p "$out"
for file in pyproject.toml README.md; do
  sed "s/@VERSION@/$version/g" "$root/pre-commit-mirror/$file" >"$out/$file"
done
{
  echo "# Generated from deploylint's .pre-commit-hooks.yaml by scripts/pre-commit-mirror.sh"
  echo "# for deploylint $version: the same hooks, installed from the wheel. Do not edit."
  sed -E 's/^(\s*)language:\s*rust\s*$/\1language: python/' "$hooks"
} >"$out/.pre-commit-hooks.yaml"
