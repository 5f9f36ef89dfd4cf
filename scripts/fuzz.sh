#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS_PER_TARGET seconds (default 600), each seeded from
# fixtures/ and ../shared/corpus/ (whatever of them exists), then prints executions and
# crashes per target. Exit status 1 if any target crashed, hung or ran out of memory.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Environment: FUZZ_JOBS (targets run at once, default 1), FUZZ_TIMEOUT (seconds one input may
# take before it counts as a hang, default 10), FUZZ_RSS_MB (memory limit, default 2048).
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). libFuzzer needs nightly features;
# on a stable toolchain this script sets RUSTC_BOOTSTRAP=1.
# Findings land in fuzz/artifacts/TARGET/; reproduce one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run -s none TARGET fuzz/artifacts/TARGET/crash-…
# and keep it as a test in tests/regressions.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-600}
shift || true
jobs=${FUZZ_JOBS:-1}
timeout=${FUZZ_TIMEOUT:-10}
rss_mb=${FUZZ_RSS_MB:-2048}
shared=${DEPLOYLINT_SHARED:-$root/../shared/corpus}
export RUSTC_BOOTSTRAP=${RUSTC_BOOTSTRAP:-1}
# The binaries are run from fuzz/target below; a CARGO_TARGET_DIR from the caller (CI sets
# one for the main build) would put them elsewhere.
unset CARGO_TARGET_DIR
# The code under test is safe Rust plus tree-sitter's C (which cargo-fuzz does not instrument),
# so AddressSanitizer would mostly cost executions; panics, hangs and OOMs are what we hunt.
sanitizer=${FUZZ_SANITIZER:-none}

# Seed files for a target: one line per target (a new parser adds its line here).
seeds() {
  local docker=(-iname 'dockerfile*' -o -iname '*.dockerfile' -o -iname 'containerfile*')
  case "$1" in
    parse_dockerfile | check_dockerfile | parse_command_line)
      find fixtures "$shared"/realworld/dockerfile \( "${docker[@]}" \) -type f ;;
    parse_python | check_python) find fixtures tests -type f \( -name '*.py' -o -name '*.wsgi' \) ;;
    parse_config) find fixtures tests fuzz/seeds-extra/parse_config -type f -name '*.toml' ;;
    parse_rule_pack) find rules fuzz/seeds-extra/parse_rule_pack -type f -name '*.yaml' ;;
    parse_apache | check_apache) find fixtures "$shared"/realworld/apache -type f -name '*.conf' ;;
    parse_systemd | check_systemd) find fixtures "$shared"/realworld/systemd -type f \( -name '*.service' -o -name '*.socket' -o -name '*.conf' \) ;;
    parse_yaml | check_compose) find fixtures "$shared"/realworld/compose -type f \( -name '*.yml' -o -name '*.yaml' \) ;;
    check_kubernetes) find fixtures "$shared"/realworld/kubernetes -type f \( -name '*.yml' -o -name '*.yaml' \) ;;
    parse_procfile | check_procfile) find fixtures -type f -name 'Procfile*' ;;
    check_gunicorn) find fixtures -type f -name 'gunicorn*.py' ;;
    parse_ini | check_uwsgi) find fixtures "$shared"/realworld/uwsgi -type f \( -name '*.ini' -o -name '*.yaml' -o -name '*.yml' \) ;;
    check_nginx) find fixtures "$shared"/realworld/nginx -type f ! -name SOURCES.tsv -path '*nginx*' ;;
    check_supervisord) find fixtures "$shared"/realworld/supervisord -type f \( -name '*.conf' -o -name '*.ini' \) ;;
    *) echo "scripts/fuzz.sh: no seeds listed for target $1" >&2 ;;
  esac 2>/dev/null || true
}

cd fuzz
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
echo "building ${#targets[@]} targets (sanitizer: $sanitizer)…"
cargo fuzz build -s "$sanitizer" >/dev/null
bin_dir=target/$(rustc -vV | sed -n 's/^host: //p')/release

run_target() {
  local target=$1 seed_dir="seeds/$1" log="artifacts/$1/run.log"
  mkdir -p "corpus/$target" "$seed_dir" "artifacts/$target"
  (cd "$root" && seeds "$target") | while read -r file; do
    # `seeds` prints paths relative to the repository, or absolute ones for the corpus.
    [[ $file == /* ]] || file=$root/$file
    # Seeds over 64 KiB make slow inputs without reaching more code.
    [ "$(stat -c %s "$file" 2>/dev/null || echo 0)" -le 65536 ] || continue
    cp "$file" "$seed_dir/$(sha1sum "$file" | cut -c1-16)" 2>/dev/null || true
  done
  local status=0
  # The binaries built above, run directly: editing the sources meanwhile does not rebuild.
  "$bin_dir/$target" "corpus/$target" "$seed_dir" -artifact_prefix="artifacts/$target/" \
    -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss_mb" \
    -max_len=65536 -print_final_stats=1 >"$log" 2>&1 || status=$?
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  local found
  found=$(find "artifacts/$target" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  printf '%-22s %6ss %12s execs  %3s findings  exit %s\n' "$target" "$seconds" "${execs:-?}" "$found" "$status" \
    >"artifacts/$target/summary.txt"
}

pids=()
for target in "${targets[@]}"; do
  run_target "$target" &
  pids+=($!)
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
done
wait || true

echo
printf '%-22s %7s %18s %14s\n' TARGET TIME EXECUTIONS FINDINGS
# FUZZ_FAIL_ON_FINDINGS=0 (CI's short smoke run) fails only when a target does not build or
# run; what a few seconds of fuzzing happens to find is printed for a human, not a blocker.
strict=${FUZZ_FAIL_ON_FINDINGS:-1}
failed=0
for target in "${targets[@]}"; do
  summary="artifacts/$target/summary.txt"
  if [ ! -f "$summary" ]; then
    echo "$target: did not run"
    failed=1
    continue
  fi
  cat "$summary"
  if ! grep -q ' 0 findings  exit 0$' "$summary"; then
    find "artifacts/$target" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) -printf '    FINDING %p\n'
    # libFuzzer exits 77 on a crash, 70 on a timeout, 71 on running out of memory.
    if [ "$strict" = 1 ] || ! grep -qE 'exit (0|70|71|77)$' "$summary" || grep -q '  ? execs' "$summary"; then
      failed=1
    fi
  fi
done
exit $failed
