#!/usr/bin/env python3
"""Channels, ways to learn and after-enrollment figures of docs/metrics.md recomputed
from a rollout's CSVs with DuckDB and plain Python: an independent check of uptake's
`reached` / `reach_rate` (group_metrics), `channels`, `training_methods`, the
`trained:<method>` rows of `lift` and `after_enrollment` (issues 17 and 18).

    python3 benches/check_channels_after.py ROLLOUT_DIR REPORT_DIR [--as-of D] [--perturb NAME]

ROLLOUT_DIR holds an `uptake generate --channels --after [--workloads N]` rollout;
REPORT_DIR is `uptake run`'s report of it as of D (the folder holding `tables/`). The
people, their waves, groups, enrollment and email opens come from the job of
benches/duckdb_workloads.py; the rest is written here from docs/metrics.md:
- reached by a channel: `email` = an open or click (not a machine prefetch) by D, or a
  touchpoint of channel `email`; other channels (lowercased, spaces collapsed) = a
  touchpoint by D. Reached overall = any of them.
- a session's method: the first `[[training_methods]]` entry a glob of which matches
  the whole name (case and spacing ignored), else `instructor-led`; trained by a method
  = that method's sessions' minutes alone reach the threshold (intervals starting by D,
  union per session); `self-paced` = a completion by D.
- healthy = enrolled with a device of the workload enrolled by D, compliant, checked in
  in [end of D - active_days, end of D); lapsed = first enrollment before the end of
  D - active_days and no such checked-in device; active = latest use on or before D
  and after D - active_days; survey: each person's latest response by D in their
  group, anonymous responses by their group cell, counted in every workload's row
  (an anonymous one only in the workloads that hold its group in one wave).
Every cell uptake shows under an unfolded label (and every `(all)` row) is compared;
numbers to 1e-9 relative (uptake writes 12 significant digits). `--perturb` changes one
definition on purpose (`reach-any-event`, `lapsed-no-enroll`, `satisfied-from-below`) to
show that the check fails. Exits 1 on any difference.
"""

import csv
import fnmatch
import math
import re
import sys
import tomllib
from pathlib import Path

from duckdb_workloads import header, label, load_persons, q, read

Z = 1.959964
# Compliance cells that say compliant (docs/inputs.md, "Devices"): Intune's grace
# period included.
COMPLIANT = {"compliant", "yes", "y", "true", "1", "in grace period", "ingraceperiod"}


def wilson(k: int, n: int):
    """The Wilson score 95 % interval, clamped to 0..1."""
    if n == 0:
        return None, None
    p = k / n
    d = 1 + Z * Z / n
    c = (p + Z * Z / (2 * n)) / d
    h = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def p_value(k1: int, n1: int, k2: int, n2: int):
    """Two-sided two-proportion z-test, pooled."""
    if n1 == 0 or n2 == 0:
        return None
    p = (k1 + k2) / (n1 + n2)
    if p <= 0 or p >= 1:
        return None
    z = (k1 / n1 - k2 / n2) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


def betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        for num in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-16:
            break
    return h


def t_cdf(t: float, df: int) -> float:
    """P(T <= t) for Student's t with df degrees of freedom."""
    x = df / (df + t * t)
    a, b = df / 2, 0.5
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(lbeta + a * math.log(x) + b * math.log(1 - x)) if 0 < x < 1 else 0.0
    ib = front * betacf(a, b, x) / a if x < (a + 1) / (a + b + 2) else 1 - (
        front * betacf(b, a, 1 - x) / b if x < 1 else 0.0
    )
    return 1 - ib / 2 if t >= 0 else ib / 2


def t_quantile(p: float, df: int) -> float:
    """The t quantile by bisection."""
    lo, hi = 0.0, 1000.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if t_cdf(mid, df) < p else (lo, mid)
    return (lo + hi) / 2


def norm(v) -> str:
    return re.sub(r"\s+", " ", (v or "").strip()).lower()


def glob_match(glob: str, name: str) -> bool:
    """`*` and `?` over a whole name, case and spacing ignored."""
    g = norm(glob).replace("[", "[[]")
    return fnmatch.fnmatchcase(norm(name), g)


def survey_stats(scores: list, scale: list, satisfied_from: int) -> dict:
    n = len(scores)
    out = {"responses": n}
    if n == 0:
        return out
    mean = sum(scores) / n
    out["mean_score"] = mean
    if n > 1:
        s = math.sqrt(sum((x - mean) ** 2 for x in scores) / (n - 1))
        h = t_quantile(0.975, n - 1) * s / math.sqrt(n)
        out["mean_score_low"] = max(scale[0], mean - h)
        out["mean_score_high"] = min(scale[1], mean + h)
    k = sum(x >= satisfied_from for x in scores)
    out["satisfied_share"] = k / n
    out["satisfied_share_low"], out["satisfied_share_high"] = wilson(k, n)
    if list(scale) == [0, 10]:
        out["nps"] = 100 * (sum(x >= 9 for x in scores) - sum(x <= 6 for x in scores)) / n
    return out


def main() -> int:
    args = sys.argv[1:]
    as_of = perturb = None
    if "--as-of" in args:
        i = args.index("--as-of")
        as_of = args[i + 1]
        del args[i : i + 2]
    if "--perturb" in args:
        i = args.index("--perturb")
        perturb = args[i + 1]
        del args[i : i + 2]
    if len(args) < 2:
        print(__doc__)
        return 2
    rollout, report = Path(args[0]), Path(args[1])
    cfg = tomllib.loads((rollout / "uptake.toml").read_text())
    ro = cfg["rollout"]
    as_of = as_of or ro["as_of"]
    tz = ro.get("timezone", "UTC")
    th = cfg.get("thresholds", {})
    min_group = th.get("min_group_size", 5)
    min_minutes = th.get("training_min_minutes", 30)
    active_days = th.get("active_days", 30)
    sv = cfg.get("survey", {})
    scale = sv.get("scale", [1, 5])
    satisfied_from = sv.get("satisfied_from", 9 if list(scale) == [0, 10] else 4)
    if perturb == "satisfied-from-below":
        satisfied_from -= 1
    src = cfg["sources"]
    con, persons, cut = load_persons(rollout, cfg, as_of)
    end_of = "SELECT timezone('{tz}', (DATE '{d}' + {n})::TIMESTAMP)::VARCHAR"
    # Check-ins count from the end of D - active_days.
    since = con.execute(end_of.format(tz=tz, d=as_of, n=1 - active_days)).fetchone()[0]
    roster = src["roster"]["path"]
    mail = '"mail"' if "mail" in header(rollout / roster) else "NULL"
    con.execute(
        f"""CREATE TABLE roster_ids AS SELECT lower(trim(user_id)) AS uid,
        lower(trim(coalesce({mail}, ''))) AS mail,
        row_number() OVER (PARTITION BY lower(trim(user_id))) AS k
        FROM read_csv({q(str(rollout / roster))}, all_varchar = true, header = true)
        WHERE trim(coalesce(user_id, '')) <> ''"""
    )
    con.execute(
        """CREATE TABLE idmap AS SELECT uid AS raw, uid FROM roster_ids WHERE k = 1
        UNION ALL SELECT mail, any_value(uid) FROM roster_ids
        WHERE k = 1 AND mail <> '' AND mail NOT IN (SELECT uid FROM roster_ids)
        GROUP BY mail HAVING count(*) = 1"""
    )
    con.execute(
        "CREATE OR REPLACE MACRO uid_of(v) AS coalesce((SELECT any_value(uid) FROM idmap "
        "WHERE raw = lower(trim(v))), lower(trim(v)))"
    )

    def rows(sql: str) -> list:
        return con.execute(sql).fetchall()

    def path(name: str) -> str:
        return q(str(rollout / src[name]["path"]))

    # Channels per person: email opens come with the people; touchpoints here.
    channels: dict = {}
    if "touchpoints" in src:
        for uid, ch in rows(
            f"""SELECT DISTINCT uid_of(user_id), channel FROM read_csv({path('touchpoints')},
            all_varchar = true, header = true)
            WHERE ts("timestamp") < TIMESTAMPTZ '{cut}' AND trim(coalesce(channel, '')) <> ''"""
        ):
            channels.setdefault(uid, set()).add(norm(ch))
    # Ways to learn: minutes per person, method and session.
    methods = [m["name"] for m in cfg.get("training_methods", [])] + ["instructor-led"]
    completions = "completions" in src
    if completions:
        methods.append("self-paced")

    def method_of(session: str) -> str:
        for m in cfg.get("training_methods", []):
            if any(glob_match(g, session) for g in m["sessions"]):
                return m["name"]
        return "instructor-led"

    spans: dict = {}
    for uid, s, j, l in rows(
        f"""SELECT uid_of(user_id), "session", epoch(ts(joined_at)), epoch(ts(left_at))
        FROM read_csv({path('training')}, all_varchar = true, header = true)
        WHERE trim(coalesce("session", '')) <> '' AND ts(joined_at) IS NOT NULL
          AND ts(left_at) IS NOT NULL AND ts(left_at) >= ts(joined_at)
          AND ts(joined_at) < TIMESTAMPTZ '{cut}'"""
    ):
        spans.setdefault((uid, s), []).append((j, l))
    minutes: dict = {}
    for (uid, s), ivs in spans.items():
        ivs.sort()
        total, end = 0.0, None
        for j, l in ivs:
            if end is None or j > end:
                total += l - j
                end = l
            elif l > end:
                total += l - end
                end = l
        key = (uid, method_of(s))
        minutes[key] = minutes.get(key, 0.0) + total / 60
    by_method: dict = {}
    for (uid, m), mins in minutes.items():
        if mins >= min_minutes - 1e-9:
            by_method.setdefault(uid, set()).add(m)
    if completions:
        for (uid,) in rows(
            f"""SELECT DISTINCT uid_of(user_id) FROM read_csv({path('completions')},
            all_varchar = true, header = true) WHERE ts(completed_at) < TIMESTAMPTZ '{cut}'
            AND trim(coalesce(course, '')) <> ''"""
        ):
            by_method.setdefault(uid, set()).add("self-paced")
    # Devices: (uid, workload) -> [(enrolled_at, compliant, last_check_in)].
    workloads = [w["name"] for w in cfg.get("workloads", [])] or [ro["name"]]
    tables = src["enrollments"] if isinstance(src["enrollments"], list) else [src["enrollments"]]
    devices: dict = {}
    has_compliant, has_check_in = set(), set()
    for t in tables:
        p = rollout / t["path"]
        cols = header(p)
        if t.get("format") == "intune":
            user = "coalesce(nullif(trim(\"Primary user UPN\"), ''), \"Primary user email address\")"
            at = "TRY_CAST(regexp_replace(trim(\"Enrollment date\"), '\\.\\d+$', '') || 'Z' AS TIMESTAMPTZ)"
            comp = '"Compliance"' if "Compliance" in cols else "NULL"
            chk = (
                "TRY_CAST(regexp_replace(trim(\"Last check-in\"), '\\.\\d+$', '') || 'Z' AS TIMESTAMPTZ)"
                if "Last check-in" in cols else "NULL::TIMESTAMPTZ"
            )
        else:
            user, at = "user_id", "ts(enrolled_at)"
            comp = "compliant" if "compliant" in cols else "NULL"
            chk = "ts(last_check_in)" if "last_check_in" in cols else "NULL::TIMESTAMPTZ"
        wl = t.get("workload", workloads[0])
        for uid, e, c, k in rows(
            f"""SELECT uid_of({user}), epoch({at}), lower(trim(coalesce({comp}, ''))),
            epoch({chk}) FROM read_csv({q(str(p))}, all_varchar = true, header = true)
            WHERE {at} IS NOT NULL"""
        ):
            devices.setdefault((uid, wl), []).append((e, c, k))
            if c:
                has_compliant.add(wl)
            if k is not None:
                has_check_in.add(wl)
    cut_e = rows(f"SELECT epoch(TIMESTAMPTZ '{cut}')")[0][0]
    since_e = rows(f"SELECT epoch(TIMESTAMPTZ '{since}')")[0][0]
    # Usage: latest last_active on or before D per (uid, workload).
    usage: dict = {}
    used_workloads = set()
    if "usage" in src:
        known = {label(w): w for w in workloads}
        for uid, wl, day in rows(
            f"""SELECT uid_of(user_id), workload, max(TRY_CAST(last_active AS DATE))
            FILTER (TRY_CAST(last_active AS DATE) <= DATE '{as_of}')
            FROM read_csv({path('usage')}, all_varchar = true, header = true) GROUP BY ALL"""
        ):
            w = known.get(label(wl or ""))
            if w is None:
                continue
            used_workloads.add(w)
            if day is not None:
                usage[(uid, w)] = max(usage.get((uid, w), day), day)
    first_active = rows(f"SELECT DATE '{as_of}' - {active_days - 1}")[0][0]
    # Survey: each person's latest response by D; anonymous ones by group.
    identified: dict = {}
    anonymous: list = []
    any_identified = False
    group_by = ro.get("group_by", "group")
    if "survey" in src:
        sp = rollout / src["survey"]["path"]
        grp = f'"{group_by}"' if group_by in header(sp) else "NULL"
        uidc = "user_id" if "user_id" in header(sp) else "NULL"
        for uid, at, score, g in rows(
            f"""SELECT CASE WHEN trim(coalesce({uidc}, '')) <> '' THEN uid_of({uidc}) END,
            epoch(ts(submitted_at)), TRY_CAST(TRY_CAST(trim(score) AS DOUBLE) AS INTEGER), {grp}
            FROM read_csv({q(str(sp))}, all_varchar = true, header = true)
            WHERE ts(submitted_at) < TIMESTAMPTZ '{cut}'
              AND TRY_CAST(trim(score) AS DOUBLE) = round(TRY_CAST(trim(score) AS DOUBLE))
              AND TRY_CAST(trim(score) AS DOUBLE) BETWEEN {scale[0]} AND {scale[1]}"""
        ):
            if uid is None:
                anonymous.append((label(g or ""), score))
                continue
            any_identified = True
            if uid not in identified or at >= identified[uid][0][0]:
                identified[uid] = [(at, score)]

    for p in persons:
        uid, wl = p["uid"], p["workload"]
        chans = set(channels.get(uid, set()))
        if p["opener"]:
            chans.add("email")
        p["channels"] = chans
        p["reached"] = bool(chans) if perturb != "reach-any-event" else bool(chans) or p["recipient"]
        p["methods"] = by_method.get(uid, set())
        devs = [d for d in devices.get((uid, wl), []) if d[0] < cut_e]
        live = [d for d in devs if d[2] is not None and since_e <= d[2] < cut_e]
        p["healthy"] = p["enrolled"] and any(
            d[1] in COMPLIANT for d in live
        )
        first = min((d[0] for d in devs), default=None)
        lapsed_gate = True if perturb == "lapsed-no-enroll" else first is not None and first < since_e
        p["lapsed"] = lapsed_gate and not live
        day = usage.get((uid, wl))
        p["active"] = day is not None and day >= first_active
        p["scores"] = [s for _, s in identified.get(uid, [])]
    # The waves of a workload that hold a group: an anonymous answer is placed only
    # where there is one.
    waves_of_group: dict = {}
    for p in persons:
        waves_of_group.setdefault((p["workload"], p["grp"]), set()).add(p["wave"])

    def within(r: dict) -> list:
        """The people of a shown row; None for a folded label."""
        sel = [p for p in persons if p["workload"] == r["workload"]]
        if r["wave"] == "(all)":
            return [p for p in sel if (p["workload"], p["wave"]) not in suppressed]
        sel = [p for p in sel if p["wave"] == r["wave"]]
        if r["group"] in ("(all)", None):
            return sel
        if "small groups)" in r["group"]:
            return None
        return [p for p in sel if p["grp"] == label(r["group"])]

    bad: list = []
    cells = {}

    def cmp(table: str, what: str, col: str, shown: str, mine) -> None:
        cells[table] = cells.get(table, 0) + 1
        if shown == "" and mine is None:
            return
        if shown == "" or mine is None:
            bad.append(f"{table} {what} {col}: uptake {shown!r}, check {mine!r}")
            return
        m, u = float(mine), float(shown)
        if abs(m - u) > 1e-9 * max(1.0, abs(m)):
            bad.append(f"{table} {what} {col}: uptake {shown}, check {mine!r}")

    def rate(k, n):
        return k / n if n else None

    gm = read(report, "group_metrics")
    suppressed = {(r["workload"], r["wave"]) for r in gm if r["status"] == "suppressed"}
    # reached, reach_rate
    if "touchpoints" in src:
        for r in gm:
            if r["status"] == "suppressed":
                continue
            ps = within(r)
            if ps is None:
                continue
            what = f"{r['workload']}/{r['wave']}/{r['group']}"
            k = sum(p["reached"] for p in ps)
            cmp("group_metrics", what, "reached", r["reached"], k)
            cmp("group_metrics", what, "reach_rate", r["reach_rate"], rate(k, len(ps)))

    def side_rows(table: str, what: str, r: dict, ps: list, has, cols: dict) -> None:
        """Compare the shown figures of a factor split (a channel, a method)."""
        n = len(ps)
        w = [p for p in ps if has(p)]
        o = [p for p in ps if not has(p)]
        kw, ko = sum(p["enrolled"] for p in w), sum(p["enrolled"] for p in o)
        vals = cols(len(w), kw, len(o), ko, n)
        for c, v in vals.items():
            if r.get(c, "") != "":
                cmp(table, what, c, r[c], v)
            elif c in ("reached", "trained", "n_with") and 0 < v < min_group:
                cells[table] = cells.get(table, 0) + 1  # hidden as it should be

    def channel_cols(nw, kw, no, ko, n):
        rw, ro_ = rate(kw, nw), rate(ko, no)
        return {
            "reached": nw, "reach_rate": rate(nw, n), "enrolled_rate_reached": rw,
            "enrolled_rate_not_reached": ro_,
            "difference": None if rw is None or ro_ is None else rw - ro_,
            "p_value": p_value(kw, nw, ko, no),
        }

    seen_channels = set()
    for r in read(report, "channels"):
        if (r["workload"], r["wave"]) in suppressed:
            continue
        ps = within({**r, "group": "(all)"})
        ch = r["channel"]
        seen_channels.add((r["workload"], r["wave"], ch))
        side_rows("channels", f"{r['workload']}/{r['wave']}/{ch}", r, ps,
                  lambda p, ch=ch: ch in p["channels"], channel_cols)
    if "touchpoints" in src:
        for p in persons:
            if (p["workload"], p["wave"]) in suppressed:
                continue
            for ch in p["channels"]:
                for wave in (p["wave"], "(all)"):
                    if (p["workload"], wave, ch) not in seen_channels:
                        seen_channels.add((p["workload"], wave, ch))
                        bad.append(f"channels {p['workload']}/{wave}/{ch}: no row in uptake")

    def method_cols(nw, kw, no, ko, n):
        return {"trained": nw, "share": rate(nw, n), "enrolled_rate": rate(kw, nw)}

    for r in read(report, "training_methods"):
        if (r["workload"], r["wave"]) in suppressed:
            continue
        ps = within({**r, "group": "(all)"})
        m = r["method"]
        if m not in methods:
            bad.append(f"training_methods {r['wave']}/{m}: not a configured method")
            continue
        side_rows("training_methods", f"{r['workload']}/{r['wave']}/{m}", r, ps,
                  lambda p, m=m: m in p["methods"], method_cols)

    def lift_cols(nw, kw, no, ko, n):
        rw, ro_ = rate(kw, nw), rate(ko, no)
        lw, hw = wilson(kw, nw)
        lo, ho = wilson(ko, no)
        return {
            "n_with": nw, "enrolled_with": kw, "rate_with": rw, "rate_with_low": lw,
            "rate_with_high": hw, "n_without": no, "enrolled_without": ko,
            "rate_without": ro_, "rate_without_low": lo, "rate_without_high": ho,
            "difference": None if rw is None or ro_ is None else rw - ro_,
            "p_value": p_value(kw, nw, ko, no),
        }

    lift_methods = set()
    for r in read(report, "lift"):
        if not r["factor"].startswith("trained:") or (r["workload"], r["wave"]) in suppressed:
            continue
        m = r["factor"][len("trained:"):]
        lift_methods.add(m)
        ps = within({**r, "group": "(all)"})
        side_rows("lift", f"{r['workload']}/{r['wave']}/{r['factor']}", r, ps,
                  lambda p, m=m: m in p["methods"], lift_cols)
    if (cfg.get("training_methods") or completions) and lift_methods != set(methods):
        bad.append(f"lift: methods {sorted(lift_methods)}, expected {sorted(methods)}")

    for r in read(report, "after_enrollment"):
        if (r["workload"], r["wave"]) in suppressed or r.get("status") == "suppressed":
            continue
        ps = within(r)
        if ps is None:
            continue
        wl = r["workload"]
        what = f"{wl}/{r['wave']}/{r['group']}"
        enrolled = sum(p["enrolled"] for p in ps)
        mine = {"eligible": len(ps), "enrolled": enrolled}
        if wl in has_compliant and wl in has_check_in:
            k = sum(p["healthy"] for p in ps)
            mine.update(healthy=k, health_rate=rate(k, enrolled))
        else:
            mine.update(healthy=None, health_rate=None)
        mine["lapsed"] = sum(p["lapsed"] for p in ps) if wl in has_check_in else None
        if wl in used_workloads:
            k = sum(p["active"] for p in ps)
            mine.update(active=k, active_rate=rate(k, len(ps)))
        else:
            mine.update(active=None, active_rate=None)
        if "survey" in src:
            scores = [s for p in ps for s in p["scores"]]
            n_id = len(scores)
            groups = {p["grp"] for p in ps}
            scores += [
                s for g, s in anonymous
                if g in groups and len(waves_of_group.get((wl, g), ())) == 1
            ]
            st = survey_stats(scores, scale, satisfied_from)
            mine.update(st)
            mine["response_rate"] = rate(n_id, enrolled) if any_identified else None
        for c in r:
            if c in ("workload", "wave", "group"):
                continue
            if c in ("responses", "response_rate", "eligible", "enrolled", "healthy",
                     "health_rate", "lapsed", "active", "active_rate") or r[c] != "":
                cmp("after_enrollment", what, c, r[c], mine.get(c))
    for line in bad:
        print(line)
    total = sum(cells.values())
    print(
        "compared " + ", ".join(f"{t} {n}" for t, n in sorted(cells.items()))
        + f" ({total} cells): {len(bad)} differences",
        file=sys.stderr,
    )
    return 1 if bad or not total else 0


if __name__ == "__main__":
    sys.exit(main())
