#!/usr/bin/env bash
# How uptake's cost grows: generate rollouts of several sizes, run uptake on each
# (wall time and peak memory from /usr/bin/time), run the DuckDB job of
# benches/duckdb_core.py on the same CSVs, and print one line per size.
#
#   benches/scale.sh [SIZES...]        default: 10000 100000 1000000
#
# Needs: a release build (cargo build --release), GNU time (/usr/bin/time), and for
# the DuckDB column `pip install duckdb` (skipped when missing). Scratch data goes to
# scratch/scale/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/uptake-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/uptake"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10000 100000 1000000)
have_duckdb=$(python3 -c 'import duckdb' 2>/dev/null && echo yes || echo no)
printf '%10s %12s %10s %12s %14s %10s %8s\n' people rows gen_s run_s peak_MiB rows_per_s duckdb_s
for n in "${sizes[@]}"; do
  dir="scratch/scale/$n"
  rm -rf "$dir"
  start=$(date +%s.%N)
  "$bin" generate --users "$n" --seed 42 --out "$dir/data" > /dev/null
  gen=$(echo "$(date +%s.%N) - $start" | bc)
  rows=$(cat "$dir"/data/*.csv | wc -l)
  /usr/bin/time -f '%e %M' -o "$dir/time" "$bin" run --config "$dir/data/uptake.toml" --out "$dir/reports" > /dev/null
  read -r wall peak < "$dir/time"
  duck="-"
  if [ "$have_duckdb" = yes ]; then
    duck=$( { /usr/bin/time -f '%e' python3 benches/duckdb_core.py "$dir/data" > /dev/null; } 2>&1 | tail -1 )
  fi
  printf '%10d %12d %10.2f %12.2f %14.0f %10.0f %8s\n' "$n" "$rows" "$gen" "$wall" \
    "$(echo "$peak / 1024" | bc -l)" "$(echo "$rows / $wall" | bc -l)" "$duck"
done
