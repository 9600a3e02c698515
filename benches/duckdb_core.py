#!/usr/bin/env python3
"""The core `group_metrics` columns of docs/metrics.md as one DuckDB SQL job, from the same
canonical CSVs `uptake run` reads: the yardstick of benches/scale.sh, and an
independent implementation to cross-check uptake's numbers.

    python3 benches/duckdb_core.py ROLLOUT_DIR [--check REPORT_DIR]

Computes per (wave, group) — before privacy folding — eligible, enrolled,
enrolled_7d_ago, recipients, openers, trained, tickets and median_resolution_hours as
of the config's as_of, the end of that day in its time zone. Rows that uptake would
quarantine are dropped by the same tests (TRY_CAST, unknown events, left < joined).
With --check, compares every group that uptake shows unfolded with uptake's
tables/group_metrics.csv and exits 1 on any difference.
"""

import csv
import sys
import time
import tomllib
from pathlib import Path

import duckdb

# An event's id is a roster user_id, else a roster mail (shared with
# benches/duckdb_workloads.py).
IDS = r"""
ids AS (
  SELECT uid AS raw, uid FROM roster_raw WHERE k = 1
  UNION ALL
  SELECT mail, any_value(uid) FROM roster_raw
  WHERE k = 1 AND mail <> '' AND mail NOT IN (SELECT uid FROM roster_raw)
  GROUP BY mail HAVING count(*) = 1
),
"""

# The people's email, training and ticket events as of D (shared with
# benches/duckdb_workloads.py): CTEs mail_p (recipient, opener per person), trained
# (minutes per person) and tix_ok (tickets with valid times).
EVENTS = r"""
mail AS (
  SELECT coalesce(i.uid, lower(trim(e.user_id))) AS uid, lower(trim(event)) AS ev,
         ts("timestamp") AS ev_at, campaign,
         lower(coalesce({machine_open}, '')) IN ('true', 'yes', 'y', '1', 'x') AS machine
  FROM read_csv('{dir}/{email}', all_varchar = true, header = true) e
  LEFT JOIN ids i ON i.raw = lower(trim(e.user_id))
),
mail_p AS (
  SELECT uid,
         bool_or(ev IN ('sent', 'delivered', 'open', 'click')) AS recipient,
         bool_or(ev = 'click' OR (ev = 'open' AND NOT machine)) AS opener
  FROM mail WHERE ev_at < TIMESTAMPTZ '{cut}' AND trim(coalesce(campaign, '')) <> ''
  GROUP BY uid
),
att AS (
  SELECT coalesce(i.uid, lower(trim(a.user_id))) AS uid, "session" AS s,
         ts(joined_at) AS j, ts(left_at) AS l
  FROM read_csv('{dir}/{training}', all_varchar = true, header = true) a
  LEFT JOIN ids i ON i.raw = lower(trim(a.user_id))
  WHERE trim(coalesce("session", '')) <> ''
),
att_ok AS (SELECT * FROM att WHERE j IS NOT NULL AND l IS NOT NULL AND l >= j AND j < TIMESTAMPTZ '{cut}'),
att_u AS (
  SELECT uid, s, j, l,
         max(l) OVER (PARTITION BY uid, s ORDER BY j, l ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
  FROM att_ok
),
trained AS (
  SELECT uid, sum(greatest(epoch(l) - epoch(greatest(j, coalesce(prev_end, j))), 0)) / 60.0 AS minutes
  FROM att_u GROUP BY uid
),
tix_raw AS (
  SELECT trim(ticket_id) AS tid, coalesce(i.uid, lower(trim(t.user_id))) AS uid, ts(opened_at) AS o,
         CASE WHEN trim(coalesce(resolved_at, '')) = '' THEN NULL ELSE ts(resolved_at) END AS r,
         trim(coalesce(resolved_at, '')) <> '' AS has_r, row_number() OVER () AS rn
  FROM read_csv('{dir}/{tickets}', all_varchar = true, header = true) t
  LEFT JOIN ids i ON i.raw = lower(trim(t.user_id))
  WHERE trim(coalesce(ticket_id, '')) <> '' AND trim(coalesce(user_id, '')) <> ''
),
tix_ok AS (SELECT * FROM tix_raw WHERE o IS NOT NULL AND (NOT has_r OR (r IS NOT NULL AND r >= o))),
"""

SQL = r"""
WITH
waves(wave, grp) AS (SELECT * FROM wave_groups),
roster_raw AS (
  SELECT lower(trim(user_id)) AS uid, trim("{group_by}") AS grp, lower(trim(coalesce(mail, ''))) AS mail,
         TRY_CAST(left_on AS DATE) AS left_on,
         row_number() OVER (PARTITION BY lower(trim(user_id)) ORDER BY rn) AS k
  FROM (SELECT *, row_number() OVER () AS rn
        FROM read_csv('{dir}/roster.csv', all_varchar = true, header = true))
  WHERE trim(coalesce(user_id, '')) <> '' AND trim(coalesce("{group_by}", '')) <> ''
),
-- An event's id is a roster user_id, else a roster mail.
{ids}people AS (
  SELECT r.uid, r.grp, w.wave FROM roster_raw r JOIN waves w ON lower(w.grp) = lower(r.grp)
  WHERE r.k = 1 AND (r.left_on IS NULL OR r.left_on > DATE '{as_of}')
),
-- Timestamps: with an offset they are instants; without, local time in the zone.
enr AS (
  SELECT coalesce(i.uid, lower(trim(e.user_id))) AS uid, ts(enrolled_at) AS ev_at
  FROM read_csv('{dir}/enrollments.csv', all_varchar = true, header = true) e
  LEFT JOIN ids i ON i.raw = lower(trim(e.user_id))
),
first_enr AS (SELECT uid, min(ev_at) AS first_at FROM enr WHERE ev_at IS NOT NULL GROUP BY uid),
{events}tix AS (SELECT * FROM tix_ok QUALIFY row_number() OVER (PARTITION BY tid ORDER BY rn DESC) = 1),
{comp}per AS (
  SELECT p.wave, p.grp, p.uid,
         coalesce(f.first_at < TIMESTAMPTZ '{cut}', false) AS enrolled,
         coalesce(f.first_at < TIMESTAMPTZ '{cut7}', false) AS enrolled_7d,
         coalesce(m.recipient, false) AS recipient, coalesce(m.opener, false) AS opener,
         (coalesce(t.minutes, 0) >= {min_minutes} OR c.uid IS NOT NULL) AS trained
  FROM people p LEFT JOIN first_enr f USING (uid) LEFT JOIN mail_p m USING (uid)
  LEFT JOIN trained t USING (uid) LEFT JOIN comp c USING (uid)
),
g AS (
  SELECT wave, grp, count(*) AS eligible, count(*) FILTER (enrolled) AS enrolled,
         count(*) FILTER (enrolled_7d) AS enrolled_7d_ago,
         count(*) FILTER (recipient) AS recipients, count(*) FILTER (opener) AS openers,
         count(*) FILTER (trained) AS trained
  FROM per GROUP BY wave, grp
),
tg AS (
  SELECT p.wave, p.grp, count(*) AS tickets,
         median((epoch(x.r) - epoch(x.o)) / 3600.0) FILTER (x.r < TIMESTAMPTZ '{cut}') AS median_resolution_hours
  FROM tix x JOIN people p USING (uid) WHERE x.o < TIMESTAMPTZ '{cut}'
  GROUP BY p.wave, p.grp
)
SELECT g.*, coalesce(tg.tickets, 0) AS tickets, tg.median_resolution_hours
FROM g LEFT JOIN tg USING (wave, grp) ORDER BY wave, grp
"""

SQL = SQL.replace("{ids}", IDS.lstrip("\n")).replace("{events}", EVENTS.lstrip("\n"))

TS_MACRO = r"""
CREATE OR REPLACE MACRO ts(v) AS
  CASE
    WHEN regexp_matches(trim(v), '(Z|[+-]\d\d:?\d\d)$') THEN TRY_CAST(trim(v) AS TIMESTAMPTZ)
    ELSE timezone('{tz}', TRY_CAST(trim(v) AS TIMESTAMP))
  END
"""


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    rollout = Path(sys.argv[1])
    cfg = tomllib.loads((rollout / "uptake.toml").read_text())
    tz = cfg["rollout"].get("timezone", "UTC")
    as_of = cfg["rollout"]["as_of"]
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{tz}'")
    con.execute(TS_MACRO.format(tz=tz))
    pairs = [(w["name"], g) for w in cfg["waves"] for g in w.get("groups", [])]
    con.execute("CREATE TABLE wave_groups(wave VARCHAR, grp VARCHAR)")
    con.executemany("INSERT INTO wave_groups VALUES (?, ?)", pairs)
    # End of day D and of D - 7 in the zone, as instants.
    end_of = "SELECT timezone('{tz}', (DATE '{d}' + {n})::TIMESTAMP)::VARCHAR"
    cut = con.execute(end_of.format(tz=tz, d=as_of, n=1)).fetchone()[0]
    cut7 = con.execute(end_of.format(tz=tz, d=as_of, n=-6)).fetchone()[0]
    # A course completion by D also counts as trained (docs/metrics.md, "Ways to
    # learn"): the people of the configured completions file, when there is one.
    completions = cfg.get("sources", {}).get("completions")
    if completions:
        comp = (
            "comp AS (\n  SELECT DISTINCT coalesce(i.uid, lower(trim(c.user_id))) AS uid\n"
            f"  FROM read_csv('{rollout}/{completions['path']}', all_varchar = true, header = true) c\n"
            "  LEFT JOIN ids i ON i.raw = lower(trim(c.user_id))\n"
            f"  WHERE ts(completed_at) < TIMESTAMPTZ '{cut}'\n),\n"
        )
    else:
        comp = "comp AS (SELECT NULL::VARCHAR AS uid WHERE false),\n"
    sql = SQL.format(
        comp=comp,
        dir=rollout,
        email="email_events.csv",
        training="attendance.csv",
        tickets="tickets.csv",
        machine_open="machine_open",
        group_by=cfg["rollout"].get("group_by", "group"),
        as_of=as_of,
        cut=cut,
        cut7=cut7,
        min_minutes=cfg.get("thresholds", {}).get("training_min_minutes", 30),
    )
    start = time.perf_counter()
    rows = con.execute(sql).fetchall()
    elapsed = time.perf_counter() - start
    cols = [d[0] for d in con.description]
    print(f"duckdb: {len(rows)} groups in {elapsed:.2f} s", file=sys.stderr)
    if "--check" not in sys.argv:
        w = csv.writer(sys.stdout)
        w.writerow(cols)
        w.writerows(rows)
        return 0
    report = Path(sys.argv[sys.argv.index("--check") + 1])
    with open(report / "tables" / "group_metrics.csv", newline="") as f:
        ours = {(r["wave"], r["group"]): r for r in csv.DictReader(f)}
    bad = 0
    checked = 0
    for row in rows:
        d = dict(zip(cols, row))
        mine = ours.get((d["wave"], d["grp"]))
        if mine is None:
            continue  # folded or merged: shown under another label
        checked += 1
        for c in ["eligible", "enrolled", "enrolled_7d_ago", "recipients", "openers", "trained", "tickets"]:
            if int(mine[c]) != int(d[c]):
                bad += 1
                print(f"{d['wave']}/{d['grp']} {c}: uptake {mine[c]}, duckdb {d[c]}")
        m, dm = mine["median_resolution_hours"], d["median_resolution_hours"]
        if (m == "") != (dm is None) or (dm is not None and abs(float(m) - dm) > 1e-6):
            bad += 1
            print(f"{d['wave']}/{d['grp']} median_resolution_hours: uptake {m!r}, duckdb {dm}")
    print(f"checked {checked} groups: {bad} differences", file=sys.stderr)
    return 1 if bad or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
