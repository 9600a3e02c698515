#!/usr/bin/env bash
# How uptake's cost grows, and how it compares with DuckDB (issues 7 and 20): for each
# size, generate a rollout (timed), then run, interleaved run by run, `uptake run`, the
# DuckDB core job of benches/duckdb_core.py and the parse floor of
# benches/duckdb_parse.py (DuckDB reading every input file into tables of text), each
# under /usr/bin/time (wall time and peak memory). Prints one line per size with the
# medians, rows per second and two ratios: uptake / DuckDB core (issue 20's target:
# at most 0.7) and uptake / parse floor (target: at most 1.5). Then how rows per second
# change with size, and the size at which peak memory, extrapolated along a line,
# reaches 24 GiB.
#
#   benches/scale.sh [--runs N] [--timings] [--check] [--no-duckdb] [--gen FLAGS]
#                    [--time-ordered] [--quote-all] [SIZES...]
#
#   SIZES        people per rollout; default 10000 100000 1000000
#   --runs N     interleaved rounds (uptake, DuckDB core, parse floor) per size,
#                medians reported (default 3)
#   --timings    also print each phase's median wall time per size (UPTAKE_TIMINGS=1;
#                always saved to scratch/scale/SIZE/timings.txt)
#   --check      once per size, compare uptake's group_metrics with DuckDB's
#                (duckdb_core.py --check): an independent implementation must agree
#   --no-duckdb  skip both DuckDB jobs
#   --gen FLAGS  the capability flags given to `uptake generate` (default
#                "--channels --after"); shown in the `rollout` column. The DuckDB core
#                job reads the canonical five sources: with --workloads or --snapshots
#                it cannot run (shown as nan), the parse floor still does.
#   --time-ordered  sort the generated email file's rows by their timestamp, as a
#                mail tool's export lists them (the generator writes each person's
#                rows together, which spares the id matcher most of its look-ups);
#                the `rollout` column says `time-ordered email`
#   --quote-all  rewrite every generated file with every field quoted and CRLF line
#                ends, as PowerShell's Export-Csv and many admin portals write them
#                (after --time-ordered when both are given); the `rollout` column
#                says `every field quoted`
#
# As root, uptake, the generator and DuckDB run under `chrt -f 50` (real-time
# priority) so that other builds on a shared machine do not distort the timings.
# Needs: cargo, GNU time (/usr/bin/time), python3, and `pip install duckdb` for the
# DuckDB columns (skipped when missing). Scratch data goes to scratch/scale/
# (git-ignored): a million people is about 1.5 GB of CSV.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
timings=no
check=no
duckdb=yes
gen_flags="--channels --after"
time_ordered=no
quote_all=no
sizes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
    --runs=*) runs="${1#--runs=}"; shift ;;
    --timings) timings=yes; shift ;;
    --check) check=yes; shift ;;
    --no-duckdb) duckdb=no; shift ;;
    --gen) gen_flags="${2?--gen needs flags (or \"\")}"; shift 2 ;;
    --gen=*) gen_flags="${1#--gen=}"; shift ;;
    --time-ordered) time_ordered=yes; shift ;;
    --quote-all) quote_all=yes; shift ;;
    -h|--help) sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "scale.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) sizes+=("$1"); shift ;;
  esac
done
[ ${#sizes[@]} -eq 0 ] && sizes=(10000 100000 1000000)
case "$runs" in ''|*[!0-9]*|0) echo "scale.sh: --runs needs a positive number" >&2; exit 2 ;; esac

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/uptake-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/uptake"
[ -x /usr/bin/time ] || { echo "scale.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }

prio=()
if [ "$(id -u)" = 0 ] && command -v chrt > /dev/null; then
  prio=(chrt -f 50)
fi
if [ "$duckdb" = yes ] && ! python3 -c 'import duckdb' 2> /dev/null; then
  echo "scale.sh: python3 cannot import duckdb (pip install duckdb): DuckDB columns skipped" >&2
  duckdb=no
fi

# The median of the numbers on standard input, one a line.
median() {
  sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan";
    else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

root=scratch/scale
mkdir -p "$root"
results="$root/results.tsv"
printf 'people\trollout\trows\tgen_s\tgen_peak_mib\trun_s\tpeak_mib\trows_per_s\tduckdb_s\tduckdb_query_s\tduckdb_peak_mib\tparse_s\tparse_query_s\tup_over_duckdb\tup_over_parse\n' > "$results"

echo "machine: $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB memory," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" \
  "; priority: ${prio[*]:-normal (not root)}; runs per size: $runs;" \
  "uptake $(git rev-parse --short HEAD 2> /dev/null || echo '?')"
rollout="${gen_flags:-none}"
[ "$time_ordered" = yes ] && rollout="$rollout, time-ordered email"
[ "$quote_all" = yes ] && rollout="$rollout, every field quoted"
echo "rollout: uptake generate --seed 42 ${gen_flags:-(no flags)}$([ "$time_ordered" = yes ] && echo ', email rows sorted by time')$([ "$quote_all" = yes ] && echo ', every field quoted, CRLF')"
printf '%10s %11s %7s %8s %9s %10s %8s %9s %8s %9s %8s %9s\n' \
  people rows gen_s run_s peak_MiB rows/s duck_s duck_q_s parse_s parse_q_s up/duck up/parse

for n in "${sizes[@]}"; do
  dir="$root/$n"
  rm -rf "$dir"
  mkdir -p "$dir"
  # shellcheck disable=SC2086 # the flags are words
  /usr/bin/time -f '%e %M' -o "$dir/gen.time" "${prio[@]}" \
    "$bin" generate --users "$n" --seed 42 $gen_flags --out "$dir/data" > "$dir/gen.out"
  read -r gen gen_peak < "$dir/gen.time"
  # Data rows as the generator counted them (header lines excluded).
  rows=$(sed -n 's/.*(\([0-9]*\) rows)$/\1/p' "$dir/gen.out" | awk '{ s += $1 } END { print s }')
  if [ "$time_ordered" = yes ]; then
    # By the timestamp (4th column, `YYYY-MM-DD hh:mm:ss` sorts as text), the header
    # first; rows whose 4th field is not a timestamp land where they sort.
    email="$dir/data/email_events.csv"
    { head -n 1 "$email"; tail -n +2 "$email" | LC_ALL=C sort -s -t, -k4,4 -S 25%; } > "$email.sorted"
    mv "$email.sorted" "$email"
  fi
  if [ "$quote_all" = yes ]; then
    for f in "$dir"/data/*.csv; do
      python3 -c 'import csv, io, sys
text = dict(encoding="utf-8", errors="surrogateescape", newline="")
src = io.TextIOWrapper(sys.stdin.buffer, **text)
out = io.TextIOWrapper(sys.stdout.buffer, **text)
csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(csv.reader(src))
out.flush()' < "$f" > "$f.quoted"
      mv "$f.quoted" "$f"
    done
  fi

  # Interleaved: round r runs uptake, then the DuckDB core job, then the parse floor,
  # so that a change in the machine's load falls on all three alike.
  : > "$dir/timings.all"
  for r in $(seq "$runs"); do
    rm -rf "$dir/reports"
    UPTAKE_TIMINGS=1 /usr/bin/time -f '%e %M' -o "$dir/run.$r.time" "${prio[@]}" \
      "$bin" run --config "$dir/data/uptake.toml" --out "$dir/reports" > /dev/null 2> "$dir/run.$r.err"
    grep '^timing:' "$dir/run.$r.err" | sed "s/^/$r /" >> "$dir/timings.all" || true
    if [ "$duckdb" = yes ]; then
      if /usr/bin/time -f '%e %M' -o "$dir/duck.$r.time" "${prio[@]}" \
        python3 benches/duckdb_core.py "$dir/data" > /dev/null 2> "$dir/duck.$r.err"; then
        sed -n 's/^duckdb: .* in \([0-9.]*\) s$/\1/p' "$dir/duck.$r.err" > "$dir/duck.$r.query"
      else
        rm -f "$dir/duck.$r.time"
      fi
      /usr/bin/time -f '%e %M' -o "$dir/parse.$r.time" "${prio[@]}" \
        python3 benches/duckdb_parse.py "$dir/data" 2> "$dir/parse.$r.err"
      sed -n 's/^parse: .* in \([0-9.]*\) s$/\1/p' "$dir/parse.$r.err" | tail -1 > "$dir/parse.$r.query"
    fi
  done
  wall=$(cat "$dir"/run.*.time | awk '{ print $1 }' | median)
  peak_kib=$(cat "$dir"/run.*.time | awk '{ print $2 }' | median)

  duck_wall=nan duck_query=nan duck_peak_kib=nan parse_wall=nan parse_query=nan
  if [ "$duckdb" = yes ]; then
    if ls "$dir"/duck.*.time > /dev/null 2>&1; then
      duck_wall=$(cat "$dir"/duck.*.time | awk '{ print $1 }' | median)
      duck_peak_kib=$(cat "$dir"/duck.*.time | awk '{ print $2 }' | median)
      duck_query=$(cat "$dir"/duck.*.query | median)
    else
      echo "  $n: the DuckDB core job failed on this rollout (see $dir/duck.1.err)" >> "$root/checks.txt"
    fi
    parse_wall=$(cat "$dir"/parse.*.time | awk '{ print $1 }' | median)
    parse_query=$(cat "$dir"/parse.*.query | median)
    if [ "$check" = yes ] && [ "$duck_wall" != nan ]; then
      if python3 benches/duckdb_core.py "$dir/data" --check "$dir/reports/latest" > "$dir/check.out" 2> "$dir/check.err"; then
        echo "  $n: $(tail -1 "$dir/check.err")" >> "$root/checks.txt"
      else
        echo "  $n: DIFFERENCES (see $dir/check.out): $(tail -1 "$dir/check.err")" >> "$root/checks.txt"
      fi
    fi
  fi
  ratio() { awk -v u="$1" -v d="$2" 'BEGIN { if (d == "nan" || d == 0) print "nan"; else printf "%.2f", u / d }'; }
  up_duck=$(ratio "$wall" "$duck_wall")
  up_parse=$(ratio "$wall" "$parse_wall")

  awk -v n="$n" -v ro="$rollout" -v rows="$rows" -v g="$gen" -v gp="$gen_peak" -v w="$wall" \
    -v p="$peak_kib" -v dw="$duck_wall" -v dq="$duck_query" -v dp="$duck_peak_kib" \
    -v pw="$parse_wall" -v pq="$parse_query" -v ud="$up_duck" -v upp="$up_parse" 'BEGIN {
      printf "%d\t%s\t%d\t%.2f\t%.0f\t%.2f\t%.0f\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n, ro, rows, g,
        gp / 1024, w, p / 1024, rows / w, dw, dq, (dp == "nan" ? "nan" : sprintf("%.0f", dp / 1024)),
        pw, pq, ud, upp }' >> "$results"
  printf '%10d %11d %7.2f %8.2f %9.0f %10.0f %8s %9s %8s %9s %8s %9s\n' "$n" "$rows" "$gen" "$wall" \
    "$(awk -v p="$peak_kib" 'BEGIN { print p / 1024 }')" \
    "$(awk -v r="$rows" -v w="$wall" 'BEGIN { print r / w }')" "$duck_wall" "$duck_query" \
    "$parse_wall" "$parse_query" "$up_duck" "$up_parse"

  # Each phase's median over the runs, in the order the first run printed them.
  python3 - "$dir/timings.all" > "$dir/timings.txt" << 'EOF'
import re, statistics, sys
# "timing: LABEL SECS s" and, on Linux, " (rss R MiB, peak P MiB)": the footprint then.
line_re = re.compile(r"timing: (.*) ([0-9.]+) s(?: \(rss (\d+) MiB, peak (\d+) MiB(?:, cpu [0-9.]+ s)?\))?$")
by, peak, order = {}, {}, []
for line in open(sys.argv[1]):
    run, rest = line.split(" ", 1)
    m = line_re.match(rest.rstrip("\n"))
    if not m:
        continue
    label = m.group(1)
    if label not in by:
        by[label], peak[label] = [], []
        order.append(label)
    by[label].append(float(m.group(2)))
    if m.group(4):
        peak[label].append(int(m.group(4)))
for label in order:
    p = f"  (peak so far {statistics.median(peak[label]):.0f} MiB)" if peak[label] else ""
    print(f"{statistics.median(by[label]):8.3f} s  {label}{p}")
EOF
done

echo
if [ -f "$root/1000000/gen.time" ] && printf '%s\n' "${sizes[@]}" | grep -qx 1000000; then
  read -r g _ < "$root/1000000/gen.time"
  verdict=$(awk -v g="$g" 'BEGIN { print (g < 60 ? "met" : "NOT met") }')
  echo "issue 7.1: uptake generate wrote 1 000 000 people in $g s (target: under 60 s): $verdict"
fi
[ -f "$root/checks.txt" ] && { echo "cross-check with DuckDB:"; cat "$root/checks.txt"; rm -f "$root/checks.txt"; }
# Issue 20's targets, per size: uptake at most 0.7 x the DuckDB core job and at most
# 1.5 x the parse floor (medians of the interleaved runs).
python3 - "$results" << 'EOF2'
import csv, sys
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    def verdict(v, target):
        return "-" if v == "nan" else f"{v} ({'met' if float(v) <= target else 'NOT met'}, target <= {target})"
    print(f"issue 20 at {int(r['people']):,} people ({r['rollout']}): uptake / DuckDB core "
          f"{verdict(r['up_over_duckdb'], 0.7)}; uptake / parse floor {verdict(r['up_over_parse'], 1.5)}; "
          f"{float(r['peak_mib']) / 1024 / (int(r['people']) / 1e6):.2f} GiB per million people")
EOF2
if [ "$timings" = yes ]; then
  for n in "${sizes[@]}"; do
    echo "phases at $n people (median of $runs runs, UPTAKE_TIMINGS=1):"
    cat "$root/$n/timings.txt"
  done
fi

# Linear growth: rows per second should be about constant. Peak memory's marginal cost
# is the slope between the two largest sizes (small runs are mostly fixed cost); the
# line through them is solved for 24 GiB, the machine's memory.
python3 - "$results" << 'EOF'
import csv, sys
rows = sorted(csv.DictReader(open(sys.argv[1]), delimiter="\t"), key=lambda r: int(r["people"]))
if len(rows) >= 2:
    rps = [float(r["rows_per_s"]) for r in rows]
    print(f"rows/s from {int(rows[0]['people']):,} to {int(rows[-1]['people']):,} people: "
          f"{rps[0]:,.0f} -> {rps[-1]:,.0f} ({rps[-1] / rps[0]:.2f}x; about 1x or more is linear cost)")
    (x0, y0), (x1, y1) = [(float(r["people"]), float(r["peak_mib"])) for r in rows[-2:]]
    b = (y1 - y0) / (x1 - x0)
    if b > 0:
        a = y1 - b * x1
        print(f"peak memory ~ {a:.0f} MiB + {b * 1e6:,.0f} MiB per million people (line through "
              f"{int(x0):,} and {int(x1):,}); 24 GiB reached at ~{(24 * 1024 - a) / b / 1e6:.1f} "
              "million people (an extrapolation, not a measurement)")
EOF
echo "results: $results; per-size runs, phase timings and reports under $root/SIZE/"
