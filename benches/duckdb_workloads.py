#!/usr/bin/env python3
"""`group_metrics` per workload and `cut_metrics` of docs/metrics.md as DuckDB SQL over
the CSVs of a rollout with workloads and cuts: an independent implementation to check
uptake's tables cell by cell (issue 16).

    python3 benches/duckdb_workloads.py ROLLOUT_DIR REPORT_DIR

ROLLOUT_DIR holds an `uptake generate --workloads N --cuts` rollout (its uptake.toml,
roster and exports); REPORT_DIR is `uptake run`'s report of it (the folder holding
`tables/`). A person is in a workload's wave by the workload's `wave_column` when it
has one, else by the wave whose `groups` hold their `group_by` value; eligible on D
when their `left_on` is empty or after D. Enrolled in a workload means a row of one of
its `[[sources.enrollments]]` tables (or naming it in a `workload` column) dated before
the end of D in the rollout's time zone; email, training and tickets are the person's
whatever the workload. Computed before privacy folding, per (workload, wave, group),
per (workload, wave, cut, value), per wave and per workload (over the waves uptake does
not suppress), and compared with every row uptake shows under an unfolded label:
eligible, enrolled, recipients, openers, trained and tickets, and in `group_metrics`
enrolled_7d_ago, champions and median_resolution_hours. Exits 1 on any difference.
"""

import csv
import re
import sys
from pathlib import Path

import duckdb

from duckdb_core import EVENTS, IDS, TS_MACRO

# Per person and workload: the wave, the group, the cut values and the facts as of D.
SQL = r"""
WITH
roster_raw AS (
  SELECT lower(trim(user_id)) AS uid, lbl("{group_by}") AS grp,
         lower(trim(coalesce({mail}, ''))) AS mail, TRY_CAST({left_on} AS DATE) AS left_on,
         lower(trim(coalesce({champion}, ''))) IN ('yes', 'true', 'y', '1', 'x') AS champion,
         {cut_cols} {wave_cols}
         row_number() OVER (PARTITION BY lower(trim(user_id)) ORDER BY rn) AS k
  FROM (SELECT *, row_number() OVER () AS rn
        FROM read_csv('{dir}/{roster}', all_varchar = true, header = true))
  WHERE trim(coalesce(user_id, '')) <> '' AND trim(coalesce("{group_by}", '')) <> ''
),
roster AS (SELECT * FROM roster_raw WHERE k = 1 AND (left_on IS NULL OR left_on > DATE '{as_of}')),
{ids}people AS ({people}),
enr_raw AS ({enrollments}),
first_enr AS (
  SELECT coalesce(i.uid, lower(trim(e.user_id))) AS uid, e.workload, min(e.ev_at) AS first_at
  FROM enr_raw e LEFT JOIN ids i ON i.raw = lower(trim(e.user_id))
  WHERE e.ev_at IS NOT NULL GROUP BY ALL
),
{events}tix AS (
  SELECT * FROM tix_ok WHERE o < TIMESTAMPTZ '{cut}'
  QUALIFY row_number() OVER (PARTITION BY tid ORDER BY rn DESC) = 1
),
tix_p AS (
  SELECT uid, count(*) AS tickets,
         list((epoch(r) - epoch(o)) / 3600.0) FILTER (r < TIMESTAMPTZ '{cut}') AS hours
  FROM tix GROUP BY uid
)
SELECT p.*,
       coalesce(f.first_at < TIMESTAMPTZ '{cut}', false) AS enrolled,
       coalesce(f.first_at < TIMESTAMPTZ '{cut7}', false) AS enrolled_7d,
       coalesce(m.recipient, false) AS recipient, coalesce(m.opener, false) AS opener,
       coalesce(t.minutes, 0) >= {min_minutes} AS trained,
       coalesce(x.tickets, 0) AS tickets, coalesce(x.hours, []) AS hours
FROM people p
LEFT JOIN first_enr f ON f.uid = p.uid AND f.workload = p.workload
LEFT JOIN mail_p m ON m.uid = p.uid
LEFT JOIN trained t ON t.uid = p.uid
LEFT JOIN tix_p x ON x.uid = p.uid
"""

LABEL_MACRO = r"""
CREATE OR REPLACE MACRO lbl(v) AS lower(regexp_replace(trim(coalesce(v, '')), '\s+', ' ', 'g'))
"""


def q(s: str) -> str:
    """A SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def label(s: str) -> str:
    """A label as uptake compares labels: spaces collapsed, lower case."""
    return re.sub(r"\s+", " ", s.strip()).lower()


def people_sql(cfg: dict, workloads: list) -> str:
    """Each workload's people: by its wave column, else by its waves' groups."""
    parts = []
    for i, (name, column) in enumerate(workloads):
        waves = [w for w in cfg["waves"] if w.get("workload", name) == name]
        if column:
            cases = " ".join(f"WHEN {q(label(w['name']))} THEN {q(w['name'])}" for w in waves)
            wave = f"CASE w{i} {cases} END"
        else:
            cases = " ".join(
                f"WHEN {q(label(g))} THEN {q(w['name'])}" for w in waves for g in w.get("groups", [])
            )
            wave = f"CASE grp {cases} END" if cases else "NULL"
        parts.append(
            f"SELECT * FROM (SELECT uid, grp, champion, {q(name)} AS workload, {wave} AS wave, "
            f"* EXCLUDE (uid, grp, champion) FROM roster) WHERE wave IS NOT NULL"
        )
    return " UNION ALL ".join(parts)


def enrollments_sql(cfg: dict, rollout: Path, workloads: list) -> str:
    """Every enrollment row with its workload: the row's `workload` column, else its
    table's, else the only workload; rows naming no configured workload are dropped."""
    tables = cfg["sources"]["enrollments"]
    tables = tables if isinstance(tables, list) else [tables]
    known = {label(n): n for n, _ in workloads}
    parts = []
    for t in tables:
        path = rollout / t["path"]
        default = t.get("workload", workloads[0][0] if len(workloads) == 1 else None)
        names = header(path)
        if t.get("format") == "intune":
            user = "coalesce(nullif(trim(\"Primary user UPN\"), ''), \"Primary user email address\")"
            at = "TRY_CAST(regexp_replace(trim(\"Enrollment date\"), '\\.\\d+$', '') || 'Z' AS TIMESTAMPTZ)"
        else:
            user, at = "user_id", "ts(enrolled_at)"
        cases = " ".join(f"WHEN {q(k)} THEN {q(v)}" for k, v in known.items())
        own = f"CASE lbl(workload) {cases} END" if "workload" in names else "NULL"
        fallback = q(default) if default else "NULL"
        named = "trim(coalesce(workload, '')) <> ''" if "workload" in names else "false"
        parts.append(
            f"SELECT {user} AS user_id, {at} AS ev_at, "
            f"CASE WHEN {named} THEN {own} ELSE {fallback} END AS workload "
            f"FROM read_csv({q(str(path))}, all_varchar = true, header = true)"
        )
    return " UNION ALL ".join(f"SELECT * FROM ({p}) WHERE workload IS NOT NULL" for p in parts)


def header(path: Path) -> list:
    """A CSV file's column names."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [h.strip() for h in next(csv.reader(f))]


def optional(path: Path, column: str) -> str:
    """The column, or NULL when the file has none (an optional column)."""
    return f'"{column}"' if column in header(path) else "NULL"


def median(xs: list) -> float | None:
    xs = sorted(xs)
    n = len(xs)
    if not n:
        return None
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def aggregate(rows: list) -> dict:
    """The counts of a set of person-rows."""
    hours = [h for r in rows for h in r["hours"]]
    return {
        "eligible": len(rows),
        "enrolled": sum(r["enrolled"] for r in rows),
        "enrolled_7d_ago": sum(r["enrolled_7d"] for r in rows),
        "recipients": sum(r["recipient"] for r in rows),
        "openers": sum(r["opener"] for r in rows),
        "trained": sum(r["trained"] for r in rows),
        "tickets": sum(r["tickets"] for r in rows),
        "champions": sum(r["champion"] for r in rows),
        "median_resolution_hours": median(hours),
    }


def read(report: Path, table: str) -> list:
    with open(report / "tables" / f"{table}.csv", newline="") as f:
        return list(csv.DictReader(f))


def compare(what: str, mine: dict, ours: dict, cols: list) -> list:
    out = []
    for c in cols:
        m, d = ours[c], mine[c]
        if c == "median_resolution_hours":
            same = (m == "") == (d is None) and (d is None or abs(float(m) - d) < 1e-6)
        else:
            same = m != "" and int(m) == d
        if not same:
            out.append(f"{what} {c}: uptake {m!r}, duckdb {d}")
    return out


def load_persons(rollout: Path, cfg: dict, as_of: str | None = None):
    """Run the job: (the DuckDB connection, one dict per person and workload, the end
    of D as an instant). Shared with benches/check_channels_after.py."""
    ro = cfg["rollout"]
    tz, as_of = ro.get("timezone", "UTC"), as_of or ro["as_of"]
    cuts = ro.get("cuts", [])
    workloads = [(w["name"], w.get("wave_column")) for w in cfg.get("workloads", [])] or [
        (ro["name"], None)
    ]
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{tz}'")
    con.execute(TS_MACRO.format(tz=tz))
    con.execute(LABEL_MACRO)
    end_of = "SELECT timezone('{tz}', (DATE '{d}' + {n})::TIMESTAMP)::VARCHAR"
    cut = con.execute(end_of.format(tz=tz, d=as_of, n=1)).fetchone()[0]
    cut7 = con.execute(end_of.format(tz=tz, d=as_of, n=-6)).fetchone()[0]
    src = cfg["sources"]
    sql = SQL.replace("{ids}", IDS.lstrip("\n")).replace("{events}", EVENTS.lstrip("\n"))
    sql = sql.format(
        dir=rollout,
        roster=src["roster"]["path"],
        mail=optional(rollout / src["roster"]["path"], "mail"),
        left_on=optional(rollout / src["roster"]["path"], "left_on"),
        champion=optional(rollout / src["roster"]["path"], "champion"),
        machine_open=optional(rollout / src["email"]["path"], "machine_open"),
        email=src["email"]["path"],
        training=src["training"]["path"],
        tickets=src["tickets"]["path"],
        group_by=ro.get("group_by", "group"),
        cut_cols="".join(f'lbl("{c}") AS c{k}, ' for k, c in enumerate(cuts)),
        wave_cols="".join(
            f'lbl("{col}") AS w{i}, ' for i, (_, col) in enumerate(workloads) if col
        ),
        people=people_sql(cfg, workloads),
        enrollments=enrollments_sql(cfg, rollout, workloads),
        as_of=as_of,
        cut=cut,
        cut7=cut7,
        min_minutes=cfg.get("thresholds", {}).get("training_min_minutes", 30),
    )
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return con, [dict(zip(cols, r)) for r in cur.fetchall()], cut


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    import tomllib

    rollout, report = Path(sys.argv[1]), Path(sys.argv[2])
    cfg = tomllib.loads((rollout / "uptake.toml").read_text())
    cuts = cfg["rollout"].get("cuts", [])
    _, persons, _ = load_persons(rollout, cfg)
    groups = read(report, "group_metrics")
    shown_cuts = read(report, "cut_metrics") if cuts else []
    suppressed = {(r["workload"], r["wave"]) for r in groups if r["status"] == "suppressed"}
    by_wave: dict = {}
    for p in persons:
        by_wave.setdefault((p["workload"], p["wave"]), []).append(p)

    count_cols = ["eligible", "enrolled", "recipients", "openers", "trained", "tickets"]
    group_cols = count_cols + ["enrolled_7d_ago", "champions", "median_resolution_hours"]
    bad: list = []
    checked = {"group_metrics": 0, "cut_metrics": 0}
    for r in groups:
        key = (r["workload"], r["wave"])
        if key in suppressed or r["status"] == "suppressed":
            continue
        if r["wave"] == "(all)":
            rows = [p for p in persons if p["workload"] == r["workload"]
                    and (p["workload"], p["wave"]) not in suppressed]
        elif r["group"] == "(all)":
            rows = by_wave.get(key, [])
        elif "small groups)" in r["group"]:
            continue  # a fold: its members are decided by the guard
        else:
            rows = [p for p in by_wave.get(key, []) if p["grp"] == label(r["group"])]
        what = f"group_metrics {r['workload']}/{r['wave']}/{r['group']}"
        bad += compare(what, aggregate(rows), r, group_cols)
        checked["group_metrics"] += 1
    for r in shown_cuts:
        key = (r["workload"], r["wave"])
        if key in suppressed or r["status"] == "suppressed" or "small values)" in r["value"]:
            continue
        k = cuts.index(r["cut"])
        rows = by_wave.get(key, [])
        if r["value"] != "(all)":
            rows = [p for p in rows if p[f"c{k}"] == label(r["value"])]
        what = f"cut_metrics {r['workload']}/{r['wave']}/{r['cut']}={r['value']}"
        bad += compare(what, aggregate(rows), r, count_cols)
        checked["cut_metrics"] += 1
    for line in bad:
        print(line)
    cells = checked["group_metrics"] * len(group_cols) + checked["cut_metrics"] * len(count_cols)
    print(
        f"checked {checked['group_metrics']} group_metrics rows and {checked['cut_metrics']} "
        f"cut_metrics rows ({cells} cells): {len(bad)} differences",
        file=sys.stderr,
    )
    return 1 if bad or not all(checked.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
