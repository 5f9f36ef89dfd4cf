#!/usr/bin/env bash
# Runs deploylint under strace over fixtures/ (every output format, plus a rule pack and a
# configuration file) and asserts it never executes anything (no execve beyond its own) and
# never touches the network (no socket, connect, bind, sendto, …): it only reads what it lints.
#
#   scripts/check-syscalls.sh [PATH...]      (default: fixtures)
#
# Needs Debian's strace (`apt-get install strace`). DEPLOYLINT_BIN picks the binary
# (default: target/release/deploylint, built when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v strace >/dev/null; then
  echo "check-syscalls: strace is required (apt-get install strace)" >&2
  exit 2
fi
bin=${DEPLOYLINT_BIN:-target/release/deploylint}
if [ ! -x "$bin" ]; then
  cargo build --release --locked -q
fi
paths=("$@")
[ ${#paths[@]} -gt 0 ] || paths=(fixtures)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/pack.yaml" <<'YAML'
rules:
  - code: SYS001
    name: syscalls-check-rule
    family: user
    severity: info
    formats: [dockerfile]
    summary: x
    rationale: x
    fix: x
    match: { format: dockerfile, key: RUN, regex: 'pip' }
YAML
printf 'extend-select = ["ALL"]\nrules = ["pack.yaml"]\n' >"$work/deploylint.toml"

failed=0
run() {
  local name=$1
  shift
  local trace="$work/$name.trace" status=0 before=$failed
  failed=0
  strace -f -qq -e trace=process,network -o "$trace" "$bin" "$@" >/dev/null 2>"$work/$name.err" || status=$?
  # strace exits with the traced program's status: 0 or 1 (findings) are fine, 2+ is a failure.
  if [ "$status" -gt 1 ]; then
    echo "FAIL $name: exit $status: $(head -c 500 "$work/$name.err")"
    failed=1
  fi
  local execs network
  execs=$(grep -c 'execve(' "$trace" || true)
  network=$(grep -E '(^|[^a-z_])(socket|socketpair|connect|bind|listen|accept4?|sendto|sendmsg|sendmmsg|recvfrom|recvmsg)\(' "$trace" || true)
  if [ "$execs" -ne 1 ]; then
    echo "FAIL $name: $execs execve calls (expected only its own):"
    grep 'execve(' "$trace" | sed 's/^/    /'
    failed=1
  fi
  if [ -n "$network" ]; then
    echo "FAIL $name: network calls:"
    printf '%s\n' "$network" | sed 's/^/    /'
    failed=1
  fi
  if [ "$failed" -eq 0 ]; then
    echo "ok   $name: 1 execve (its own), no network calls"
  fi
  failed=$((failed | before))
}

for format in pretty concise json sarif github gitlab; do
  run "$format" check --output-format "$format" --color always "${paths[@]}"
done
run statistics check --statistics "${paths[@]}"
run config check --config "$work/deploylint.toml" "${paths[@]}"
run rule-pack check --rules "$work/pack.yaml" "${paths[@]}"
run stdin check --stdin-filename Dockerfile - <"$(find "${paths[@]}" -name Dockerfile -type f | head -1)"
exit $failed
