#!/usr/bin/env bash
# Compares what two revisions report on the real-world corpus and on fixtures/, to verify that
# a refactor changes no finding (or to list the ones it changes, for review).
#
# Usage: scripts/corpus-diff.sh BEFORE_REV [AFTER_REV]
#   BEFORE_REV, AFTER_REV  any git revision; AFTER_REV defaults to the working tree as it is
#                          (uncommitted changes included).
# Environment:
#   DEPLOYLINT_CORPUS      the corpus (default ../shared/corpus/realworld)
#   CORPUS_DIFF_ARGS       extra `deploylint check` arguments for both runs (e.g. "--select USR")
#   CORPUS_DIFF_TARGET     cargo target dir for the revisions' builds (default
#                          target/corpus-diff, kept between runs so dependencies build once)
#
# Each revision is checked out in a temporary git worktree and built in release mode. Both
# binaries lint the same files: the corpus and this checkout's fixtures/, with --isolated and
# JSON output. Prints the differences grouped by rule and file, and exits 1 when there are
# any, 0 when both revisions report the same, 2 on a build or usage error.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
cd "$(dirname "$0")/.."
repo="$(pwd)"
before_rev="$1"
after_rev="${2:-}"
corpus="${DEPLOYLINT_CORPUS:-$repo/../shared/corpus/realworld}"
target="${CORPUS_DIFF_TARGET:-$repo/target/corpus-diff}"
if [ ! -d "$corpus" ]; then
  echo "corpus not found at $corpus (set DEPLOYLINT_CORPUS)" >&2
  exit 2
fi
corpus="$(cd "$corpus" && pwd)"
for rev in "$before_rev" ${after_rev:+"$after_rev"}; do
  git rev-parse --verify --quiet "$rev^{commit}" >/dev/null || {
    echo "not a revision: $rev" >&2
    exit 2
  }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/corpus-diff.XXXXXX")"
worktrees=()
cleanup() {
  for wt in "${worktrees[@]}"; do
    git -C "$repo" worktree remove --force "$wt" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# build LABEL REV: builds REV (or the working tree when REV is empty) into $work/LABEL.
build() {
  local label="$1" rev="$2" src="$repo"
  if [ -n "$rev" ]; then
    src="$work/src-$label"
    git -C "$repo" worktree add --quiet --detach "$src" "$rev"
    worktrees+=("$src")
  fi
  echo "building $label (${rev:-working tree}: $(git -C "$src" rev-parse --short HEAD)$([ -z "$rev" ] && ! git -C "$src" diff --quiet HEAD && echo ', with uncommitted changes'))" >&2
  # One target dir for both: dependencies build once; the binary is copied out before the next.
  if ! (cd "$src" && CARGO_TARGET_DIR="$target" cargo build --release --locked --quiet); then
    echo "build of $label failed" >&2
    exit 2
  fi
  cp "$target/release/deploylint" "$work/$label"
}

# lint LABEL: runs the LABEL binary over the corpus and the fixtures.
lint() {
  local label="$1" start end
  start=$(date +%s.%N)
  # Exit 1 means findings; only 2 and signals are failures, and they are reported, not fatal.
  set +e
  # shellcheck disable=SC2086
  "$work/$label" check --output-format json --isolated --color never $CORPUS_DIFF_ARGS \
    "$corpus" fixtures >"$work/$label.json" 2>"$work/$label.stderr"
  echo $? >"$work/$label.code"
  set -e
  end=$(date +%s.%N)
  printf '%s: exit %s, %.2fs\n' "$label" "$(cat "$work/$label.code")" \
    "$(python3 -c "print($end - $start)")" >&2
}

CORPUS_DIFF_ARGS="${CORPUS_DIFF_ARGS:-}"
build before "$before_rev"
build after "$after_rev"
lint before
lint after

python3 - "$work" "$corpus/" <<'PY'
"""Prints the findings that differ between before.json and after.json, by rule and file."""
import json
import sys
from collections import defaultdict

work, corpus = sys.argv[1], sys.argv[2]


def load(label):
    try:
        with open(f"{work}/{label}.json") as f:
            items = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"{label}: no JSON output ({e}); stderr:\n" + open(f"{work}/{label}.stderr").read())
    for d in items:
        if d.get("path", "").startswith(corpus):
            d["path"] = "corpus/" + d["path"][len(corpus):]
    return items


def key(d):
    return json.dumps(d, sort_keys=True)


def where(d):
    return f"{d.get('line')}:{d.get('column')}-{d.get('end_line')}:{d.get('end_column')}"


before, after = load("before"), load("after")
before_keys = {key(d): d for d in before}
after_keys = {key(d): d for d in after}
removed = [d for k, d in before_keys.items() if k not in after_keys]
added = [d for k, d in after_keys.items() if k not in before_keys]

# A finding that moved or was reworded on the same line is shown as one change, not two.
groups = defaultdict(lambda: {"removed": [], "added": []})
for d in removed:
    groups[(d.get("code"), d.get("path"))]["removed"].append(d)
for d in added:
    groups[(d.get("code"), d.get("path"))]["added"].append(d)

print(f"before: {len(before)} findings, after: {len(after)} findings")
for label in ("before", "after"):
    code = open(f"{work}/{label}.code").read().strip()
    if code not in ("0", "1"):
        print(f"{label} exited {code}")
stderr = {label: open(f"{work}/{label}.stderr").read().splitlines() for label in ("before", "after")}
if stderr["before"] != stderr["after"]:
    print("\nstderr differs:")
    for line in sorted(set(stderr["before"]) - set(stderr["after"])):
        print(f"  - {line}")
    for line in sorted(set(stderr["after"]) - set(stderr["before"])):
        print(f"  + {line}")

if not groups:
    print("no differences")
    sys.exit(1 if stderr["before"] != stderr["after"] else 0)

by_rule = defaultdict(list)
for (code, path), change in groups.items():
    by_rule[code].append((path, change))
fields = ("line", "column", "end_line", "end_column", "severity", "message", "help", "labels", "name")
for code in sorted(by_rule, key=str):
    files = sorted(by_rule[code], key=lambda pc: str(pc[0]))
    n_removed = sum(len(c["removed"]) for _, c in files)
    n_added = sum(len(c["added"]) for _, c in files)
    print(f"\n{code}: -{n_removed} +{n_added} in {len(files)} file(s)")
    for path, change in files:
        print(f"  {path}")
        olds = sorted(change["removed"], key=lambda d: (d.get("line", 0), d.get("column", 0)))
        news = sorted(change["added"], key=lambda d: (d.get("line", 0), d.get("column", 0)))
        # Pair a removed and an added finding on the same line as a change.
        for old in list(olds):
            new = next((n for n in news if n.get("line") == old.get("line")), None)
            if new is None:
                continue
            olds.remove(old)
            news.remove(new)
            diffs = [f for f in fields if old.get(f) != new.get(f)]
            print(f"    ~ {where(old)} -> {where(new)} changed {', '.join(diffs)}")
            for f in diffs:
                if f not in ("line", "column", "end_line", "end_column"):
                    print(f"        {f}: {old.get(f)!r}\n        {' ' * len(f)}  -> {new.get(f)!r}")
        for d in olds:
            print(f"    - {where(d)} {d.get('message')}")
        for d in news:
            print(f"    + {where(d)} {d.get('message')}")
sys.exit(1)
PY
