#!/usr/bin/env bash
# Byte-identity check for speed work (issue 20): runs `uptake run` on a rollout and
# compares every table and quarantine file with a reference report written by the
# code before the change. Exit 0 when identical, 1 with the differing files listed.
#
#   benches/identical.sh REFERENCE_REPORT ROLLOUT_CONFIG [BIN]
#
#   REFERENCE_REPORT  a report folder (e.g. scratch/ref/latest) from the unchanged code
#   ROLLOUT_CONFIG    the rollout's uptake.toml
#   BIN               the uptake binary (default: $CARGO_TARGET_DIR/release/uptake)
#
# Make the reference with the unchanged code: `uptake run --config C --out scratch/ref`,
# from the same folder and with C written the same way as ROLLOUT_CONFIG here: each
# quarantined row names its file by the path the config's folder gives, so a reference
# made with `r200000/uptake.toml` differs in every quarantine file from a run given
# `/work/sc/r200000/uptake.toml`, whatever the code.
set -euo pipefail
ref="${1:?REFERENCE_REPORT}"
config="${2:?ROLLOUT_CONFIG}"
bin="${3:-${CARGO_TARGET_DIR:-$HOME/.cache/uptake-target}/release/uptake}"
[ -d "$ref/tables" ] || { echo "identical.sh: $ref has no tables/ (give a report folder)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" run --config "$config" --out "$out" > /dev/null 2> "$out.err" || {
  cat "$out.err" >&2; rm -f "$out.err"; echo "identical.sh: uptake run failed" >&2; exit 2; }
rm -f "$out.err"
status=0
for part in tables quarantine; do
  if ! diff -r "$ref/$part" "$out/latest/$part" > /dev/null 2>&1; then
    echo "DIFFERENT: $part/" >&2
    diff -rq "$ref/$part" "$out/latest/$part" >&2 || true
    status=1
  fi
done
[ "$status" = 0 ] && echo "identical: tables/ and quarantine/ ($(ls "$ref/tables" | wc -l) tables, $(ls "$ref/quarantine" | wc -l) quarantine files)"
exit "$status"
