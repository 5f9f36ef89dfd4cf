#!/bin/sh
# Compares deploylint's reading of each systemd service in the corpus with
# `systemd-analyze security --offline=true` (Debian's systemd package): runs as root,
# NoNewPrivileges=, ProtectSystem=strict, ProtectHome=, PrivateTmp=, CapabilityBoundingSet=.
# Prints per-property agreement and every disagreement. Not part of `cargo test`.
#
# Usage: scripts/compare-systemd-analyze.sh [CORPUS_DIR]   (default: $DEPLOYLINT_CORPUS/systemd
# or ../shared/corpus/realworld/systemd)
set -eu
cd "$(dirname "$0")/.."
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "skipping: systemd-analyze not found (apt-get install systemd)"
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "skipping: python3 not found"
    exit 0
fi
corpus=${1:-${DEPLOYLINT_CORPUS:-../shared/corpus/realworld}/systemd}
[ -d "$corpus" ] || { echo "skipping: corpus not found at $corpus"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build -q --example systemd_facts
facts_bin=target/debug/examples/systemd_facts

# systemd-analyze needs each unit under its real name; the corpus flattens paths with `__`.
args=""
n=0
for f in "$corpus"/debian/*.service "$corpus"/github/*.service; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    name=${f##*__}
    mkdir -p "$work/$n"
    cp "$f" "$work/$n/$name"
    out="$work/$n.json"
    # A template is analysed as an instance (`foo@.service` as `foo@i.service`).
    systemd-analyze security --offline=true --json=short --no-pager "$work/$n/$name" \
        >"$out" 2>/dev/null || echo "[]" >"$out"
    printf '%s\t%s\t%s\n' "$f" "$name" "$out" >>"$work/index.tsv"
done
cut -f1,2 "$work/index.tsv" | awk -F'\t' '{print $2"="$1}' | tr '\n' '\0' \
    | xargs -0 "$facts_bin" >"$work/facts.tsv"

python3 - "$work/index.tsv" "$work/facts.tsv" <<'PY'
import json, sys, collections
index = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
facts = {}
rows = open(sys.argv[2]).read().splitlines()
header = rows[0].split("\t")
for row in rows[1:]:
    cells = row.split("\t")
    facts[cells[0]] = dict(zip(header, cells))
props = ["root", "NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp", "CapabilityBoundingSet"]
agree = collections.Counter(); total = collections.Counter(); skipped = collections.Counter()
diffs = collections.defaultdict(list)
analysed = 0
for path, name, out in index:
    try:
        data = json.load(open(out))
    except Exception:
        data = []
    if not data or path not in facts:
        continue
    analysed += 1
    by = {d["json_field"]: d for d in data}
    # None: systemd-analyze judges the option not applicable to this unit (a unit of the
    # early boot phase, a capability row of a non-root service); such pairs are skipped.
    def isset(field):
        d = by.get(field)
        return None if d is None or d.get("set") is None else bool(d["set"])
    user = isset("UserOrDynamicUser")
    sa = {
        "root": None if user is None else not user,
        "NoNewPrivileges": isset("NoNewPrivileges"),
        "ProtectSystem": isset("ProtectSystem"),
        "ProtectHome": isset("ProtectHome"),
        "PrivateTmp": isset("PrivateTmp"),
        # Only an explicit CapabilityBoundingSet= removes CAP_SYS_ADMIN (PrivateDevices=,
        # ProtectClock= … drop other capabilities), so that row stands for "bounded".
        "CapabilityBoundingSet": isset("CapabilityBoundingSet_CAP_SYS_ADMIN"),
    }
    f = facts[path]
    for p in props:
        if sa[p] is None:
            skipped[p] += 1
            continue
        ours = f[p] == "1"
        total[p] += 1
        if ours == sa[p]:
            agree[p] += 1
        else:
            diffs[p].append(f"{path.split('/')[-2]}/{name}: deploylint={int(ours)} systemd-analyze={int(sa[p])}" + (" (user unit)" if f["scope"] == "user" else ""))
print(f"services analysed: {analysed} of {len(index)}")
for p in props:
    print(f"{p:24} agree {agree[p]:4} / {total[p]:4}   (not applicable per systemd-analyze: {skipped[p]})")
for p in props:
    for d in diffs[p]:
        print(f"  {p}: {d}")
PY
