#!/usr/bin/env python3
"""Time to enroll, forecasts and effects of a rollout, recomputed from its canonical
CSVs with nothing but the Python standard library: an independent implementation of
docs/metrics.md ("Time to enroll, forecasts and effects") to cross-check uptake's
figures against.

    python3 benches/check_survival_effects.py ROLLOUT_DIR [--as-of YYYY-MM-DD] [--lifelines]

Prints one figure a line, tab-separated, in the format of
`cargo run --release --example survival_effects -- ROLLOUT_DIR/uptake.toml`, so the
two compare with `diff`:

    km        WAVE DAY AT_RISK ENROLLED_ON_DAY SHARE LOW HIGH
    median    WAVE DAYS
    share_by_day WAVE T SHARE
    forecast  WAVE (reached | LIKELY LOW HIGH | -)
    effect    WAVE|(all) FACTOR RR LOW HIGH STRATA EXPOSED_PW UNEXPOSED_PW

FACTOR is `opened_email`, `trained`, then, with `[[training_methods]]` or a
completions source, `trained:<method>` per method (configured ones, `instructor-led`,
`self-paced` with completions), then, with a touchpoints source, `channel:<name>` per
channel beyond email (canonical touchpoints files only).

Figures are of each wave's whole cohort (the people of the wave who had not left by
D; waves with fewer than min_group_size of them are left out), before any privacy
blanking. Rows uptake would quarantine are dropped by the same tests (empty or
unknown ids, unreadable timestamps, unknown events, left_at before joined_at, a
roster duplicate with another group); duplicates do not change a first instant or a
union of intervals, so they need no removal here.

With --lifelines (`pip install lifelines`), each wave's curve is also fitted with
lifelines' KaplanMeierFitter and every S and band compared with the one computed
here (lifelines takes z from scipy, 1.95996398…, so bands agree to about 1e-8); the
verdict goes to standard error.

The computations are written differently from uptake's on purpose: Kaplan–Meier as
lifelines lays it out (an event table over every distinct duration, the band on the
log(−log) scale as exp(−exp(log(−log S) ± z·σ))), the forecast by walking every day
rather than every event day, strata by a loop over weeks then people, and the
training instant by evaluating the attended time at each interval boundary.
"""

import csv
import math
import re
import sys
import tomllib
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

Z = 1.959964
EPS = 1e-9
EVENTS = {"sent", "delivered", "open", "click", "bounce"}
TRUE = {"true", "yes", "y", "1", "x"}


def norm(s):
    return (s or "").strip().lower()


def label(s):
    """Lowercase with runs of spaces made one, as channels and session globs read."""
    return " ".join((s or "").split()).lower()


def instant_ms(text, tz):
    """ms since the epoch of an ISO timestamp; naive ones are local times in `tz`
    (an ambiguous time takes the earlier instant, a skipped one the offset before)."""
    text = (text or "").strip()
    if not text:
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        try:
            dt = datetime.combine(date.fromisoformat(text), time())
        except ValueError:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz, fold=0)
    return int(round(dt.timestamp() * 1000))


def midnight_ms(d, tz):
    return int(datetime.combine(d, time(), tzinfo=tz).timestamp() * 1000)


def local_date(ms, tz):
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).astimezone(tz).date()


def read_rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        yield from csv.DictReader(f)


class Rollout:
    def __init__(self, folder, as_of=None):
        folder = Path(folder)
        cfg = tomllib.loads((folder / "uptake.toml").read_text(encoding="utf-8"))
        rollout = cfg["rollout"]
        self.tz = ZoneInfo(rollout.get("timezone", "UTC"))
        self.as_of = date.fromisoformat(as_of or rollout["as_of"])
        group_by = rollout.get("group_by", "group")
        th = cfg.get("thresholds", {})
        self.min_minutes = float(th.get("training_min_minutes", 30))
        self.min_group = int(th.get("min_group_size", 5))
        self.waves = [
            {
                "name": w["name"],
                "start": date.fromisoformat(w["start"]),
                "final": w["enrollment_target"][-1][1] if w.get("enrollment_target") else 0.0,
                "groups": {norm(g) for g in w.get("groups", [])},
            }
            for w in cfg["waves"]
        ]
        src = {k: folder / v["path"] for k, v in cfg["sources"].items()}
        # Ways to learn: a session's method is the first entry one of whose globs
        # matches its whole name, case and spacing aside; else instructor-led.
        self.method_globs = [
            (m["name"], [re.compile("".join(
                ".*" if ch == "*" else "." if ch == "?" else re.escape(ch)
                for ch in label(g)), re.S) for g in m["sessions"]])
            for m in cfg.get("training_methods", [])
        ]
        self.methods = [name for name, _ in self.method_globs] + ["instructor-led"]
        if "completions" in src:
            self.methods.append("self-paced")
        self.methods_measured = bool(self.method_globs) or "completions" in src
        self.channels = [] if "touchpoints" in src else None

        # Roster: first row of an id wins; a later one with another group is
        # quarantined, an identical one is a duplicate.
        self.people = {}  # id -> dict
        mails = {}
        for row in read_rows(src["roster"]):
            uid, group = norm(row.get("user_id")), (row.get(group_by) or "").strip()
            if not uid or not group:
                continue
            if uid in self.people:
                continue
            left = (row.get("left_on") or "").strip()
            try:
                left = date.fromisoformat(left) if left else None
            except ValueError:
                continue
            self.people[uid] = {"group": group, "left": left, "enrolled": None,
                                "opened": None, "intervals": {}, "completed": None,
                                "touched": {}}
            mail = norm(row.get("mail"))
            if mail:
                mails.setdefault(mail, []).append(uid)
        self.alias = {m: ids[0] for m, ids in mails.items()
                      if len(ids) == 1 and m not in self.people}

        for row in read_rows(src["enrollments"]):
            p, at = self.person(row.get("user_id")), instant_ms(row.get("enrolled_at"), self.tz)
            if p is None or at is None:
                continue
            p["enrolled"] = at if p["enrolled"] is None else min(p["enrolled"], at)

        for row in read_rows(src["email"]):
            p, at = self.person(row.get("user_id")), instant_ms(row.get("timestamp"), self.tz)
            event = norm(row.get("event"))
            if p is None or at is None or event not in EVENTS:
                continue
            machine = norm(row.get("machine_open")) in TRUE
            if event == "click" or (event == "open" and not machine):
                p["opened"] = at if p["opened"] is None else min(p["opened"], at)

        for row in read_rows(src["training"]):
            p = self.person(row.get("user_id"))
            joined = instant_ms(row.get("joined_at"), self.tz)
            left = instant_ms(row.get("left_at"), self.tz)
            session = (row.get("session") or "").strip()
            if p is None or joined is None or left is None or left < joined or not session:
                continue
            p["intervals"].setdefault(session, []).append((joined, left))

        if "completions" in src:
            for row in read_rows(src["completions"]):
                p = self.person(row.get("user_id"))
                at = instant_ms(row.get("completed_at"), self.tz)
                if p is None or at is None or not (row.get("course") or "").strip():
                    continue
                p["completed"] = at if p["completed"] is None else min(p["completed"], at)

        if "touchpoints" in src:
            seen = set()
            for row in read_rows(src["touchpoints"]):
                p = self.person(row.get("user_id"))
                at = instant_ms(row.get("timestamp"), self.tz)
                channel = label(row.get("channel"))
                if p is None or at is None or not channel:
                    continue
                seen.add(channel)
                first = p["touched"].get(channel)
                p["touched"][channel] = at if first is None else min(first, at)
            self.channels = sorted(seen - {"email"})

    def method_of(self, session):
        name = label(session)
        for method, globs in self.method_globs:
            if any(g.fullmatch(name) for g in globs):
                return method
        return "instructor-led"

    def person(self, raw):
        uid = norm(raw)
        if not uid:
            return None
        if uid in self.people:
            return self.people[uid]
        if uid in self.alias:
            return self.people[self.alias[uid]]
        return None

    def cohorts(self):
        """Per wave (config order): its eligible people, or None when suppressed."""
        out = []
        for w in self.waves:
            people = [p for p in self.people.values()
                      if norm(p["group"]) in w["groups"]
                      and (p["left"] is None or p["left"] > self.as_of)]
            out.append(people if len(people) >= self.min_group else None)
        return out


def trained_at(intervals, need_ms):
    """The first instant at which the attended time (per session the union of its
    intervals, summed over sessions) reaches need_ms; None if never."""
    if need_ms <= 0:
        return -(2 ** 63)
    union = []
    for spans in intervals.values():
        merged = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        union.extend(merged)
    if not union:
        return None

    def attended(t):
        return sum(max(0, min(t, e) - s) for s, e in union if s < t)

    points = sorted({x for span in union for x in span})
    prev = points[0]
    for t in points[1:]:
        if attended(t) >= need_ms:
            slope = sum(1 for s, e in union if s <= prev and e >= t)
            return prev + math.ceil((need_ms - attended(prev)) / slope)
        prev = t
    return None


def kaplan_meier(durations, observed):
    """lifelines-style: an event table over the distinct durations, S as a running
    product, Greenwood's sum, the log(-log) band. Returns rows of
    (t, at_risk, observed, S, share, low, high) for rows with an event."""
    table = {}
    for d, o in zip(durations, observed):
        removed, events = table.get(d, (0, 0))
        table[d] = (removed + 1, events + (1 if o else 0))
    at_risk = len(durations)
    s, greenwood, rows = 1.0, 0.0, []
    for t in sorted(table):
        removed, d = table[t]
        if d:
            s *= (at_risk - d) / at_risk
            greenwood = greenwood + d / (at_risk * (at_risk - d)) if at_risk > d else math.inf
            if 0 < s < 1 and math.isfinite(greenwood):
                sigma = math.sqrt(greenwood) / abs(math.log(s))
                centre = math.log(-math.log(s))
                s_low = math.exp(-math.exp(centre + Z * sigma))   # the lower S
                s_high = math.exp(-math.exp(centre - Z * sigma))  # the higher S
                band = (1 - s_high, 1 - s_low)
            else:
                band = (None, None)
            rows.append((t, at_risk, d, s, 1 - s, *band))
        at_risk -= removed
    return rows


def survival_at(rows, t):
    s = 1.0
    for day, _, _, sv, *_ in rows:
        if day <= t:
            s = sv
    return s


def fmt(v):
    return "-" if v is None else f"{v:.9f}"


def mantel_haenszel(strata):
    r = s = p = 0.0
    used = n1_total = n0_total = 0
    for a, n1, c, n0 in strata:
        if n1 == 0 or n0 == 0:
            continue
        n = n1 + n0
        r += a * n0 / n
        s += c * n1 / n
        p += (n1 * n0 * (a + c) - a * c * n) / n ** 2
        used += 1
        n1_total += n1
        n0_total += n0
    if r > 0 and s > 0:
        rr = r / s
        half = Z * math.sqrt(max(p / (r * s), 0.0))
        return rr, rr * math.exp(-half), rr * math.exp(half), used, n1_total, n0_total
    return None, None, None, used, n1_total, n0_total


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    as_of = argv[argv.index("--as-of") + 1] if "--as-of" in argv else None
    ro = Rollout(argv[1], as_of)
    tz, d = ro.tz, ro.as_of
    end_of_d = midnight_ms(d + timedelta(days=1), tz)
    need = ro.min_minutes * 60_000
    cohorts = ro.cohorts()
    out = []

    curves = []  # (wave, rows, horizon)
    for w, people in zip(ro.waves, cohorts):
        if people is None:
            continue
        horizon = (d - w["start"]).days
        durations, observed = [], []
        if horizon >= 0:
            for p in people:
                if p["enrolled"] is not None and p["enrolled"] < end_of_d:
                    durations.append(max(0, (local_date(p["enrolled"], tz) - w["start"]).days))
                    observed.append(True)
                else:
                    durations.append(horizon)
                    observed.append(False)
        rows = kaplan_meier(durations, observed)
        if "--lifelines" in argv and durations:
            compare_with_lifelines(w["name"], durations, observed, rows)
        for t, n, e, _, share, low, high in rows:
            out.append(f"km\t{w['name']}\t{t}\t{n}\t{e}\t{share:.9f}\t{fmt(low)}\t{fmt(high)}")
        median = next((t for t, _, _, s, *_ in rows if s <= 0.5 + EPS), None)
        out.append(f"median\t{w['name']}\t{'-' if median is None else median}")
        for t in (14, 28, 42):
            share = 1 - survival_at(rows, t) if 0 <= t <= horizon else None
            out.append(f"share_by_day\t{w['name']}\t{t}\t{fmt(share)}")
        curves.append((w, rows, horizon))

    for w, rows, t0 in curves:
        s0 = survival_at(rows, t0)
        if 1 - s0 >= w["final"] - EPS:
            out.append(f"forecast\t{w['name']}\treached")
            continue
        days = []
        for w2, rows2, h2 in curves:
            if w2["start"] >= w["start"] or h2 <= t0 or survival_at(rows2, t0) <= 0:
                continue
            base = survival_at(rows2, t0)
            for t in range(t0 + 1, h2 + 1):
                if 1 - s0 * survival_at(rows2, t) / base >= w["final"] - EPS:
                    days.append(t)
                    break
        if not days:
            out.append(f"forecast\t{w['name']}\t-")
            continue
        days.sort()
        likely, low, high = (w["start"] + timedelta(days=x)
                             for x in (days[(len(days) - 1) // 2], days[0], days[-1]))
        out.append(f"forecast\t{w['name']}\t{likely}\t{low}\t{high}")

    factors = ["opened_email", "trained"]
    if ro.methods_measured:
        factors += [f"trained:{m}" for m in ro.methods]
    if ro.channels is not None:
        factors += [f"channel:{c}" for c in ro.channels]
    pooled = {f: [] for f in factors}
    for w, people in zip(ro.waves, cohorts):
        if people is None:
            continue
        start = w["start"]
        n_weeks = max(0, ((d - start).days + 1) // 7)

        def trained(p, method=None):
            spans = {s: v for s, v in p["intervals"].items()
                     if method is None or ro.method_of(s) == method}
            if method is not None and need <= 0:
                # With no minutes needed, the first instant of such a session.
                firsts = [s for v in spans.values() for s, _ in v]
                return min(firsts) if firsts else None
            at = trained_at(spans, need)
            done = p["completed"]
            if method is None and done is not None:
                return done if at is None else min(at, done)
            return at

        exposure = {
            "opened_email": [p["opened"] for p in people],
            "trained": [trained(p) for p in people],
        }
        for f in factors[2:]:
            kind, name = f.split(":", 1)
            if kind == "channel":
                exposure[f] = [p["touched"].get(name) for p in people]
            elif name == "self-paced":
                exposure[f] = [p["completed"] for p in people]
            else:
                exposure[f] = [trained(p, name) for p in people]
        for factor in factors:
            strata = []
            for week in range(n_weeks):
                begin = midnight_ms(start + timedelta(days=7 * week), tz)
                end = midnight_ms(start + timedelta(days=7 * week + 7), tz)
                a = n1 = c = n0 = 0
                for p, x in zip(people, exposure[factor]):
                    e = p["enrolled"]
                    if e is not None and e < begin:
                        continue
                    event = e is not None and e < end
                    if x is not None and x < begin:
                        n1 += 1
                        a += event
                    else:
                        n0 += 1
                        c += event
                strata.append((a, n1, c, n0))
            pooled[factor].extend(strata)
            out.append(effect_line(w["name"], factor, mantel_haenszel(strata)))
    for factor in factors:
        out.append(effect_line("(all)", factor, mantel_haenszel(pooled[factor])))
    print("\n".join(out))


def compare_with_lifelines(name, durations, observed, rows):
    from lifelines import KaplanMeierFitter

    kmf = KaplanMeierFitter(alpha=0.05).fit(durations, observed)
    band = kmf.confidence_interval_survival_function_
    worst = 0.0
    for t, _, _, s, _, low, high in rows:
        worst = max(worst, abs(kmf.survival_function_.loc[t].iloc[0] - s))
        if low is not None:
            s_low, s_high = band.loc[t].iloc[0], band.loc[t].iloc[1]
            worst = max(worst, abs((1 - s_high) - low), abs((1 - s_low) - high))
    verdict = "agrees" if worst < 1e-7 else "DIFFERS"
    print(f"lifelines {verdict} on {name}: {len(rows)} days, largest difference {worst:.2e}",
          file=sys.stderr)


def effect_line(wave, factor, est):
    rr, low, high, used, n1, n0 = est
    return f"effect\t{wave}\t{factor}\t{fmt(rr)}\t{fmt(low)}\t{fmt(high)}\t{used}\t{n1}\t{n0}"


if __name__ == "__main__":
    main(sys.argv)
