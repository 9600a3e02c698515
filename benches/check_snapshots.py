#!/usr/bin/env python3
"""An independent check of how uptake reads snapshot folders (docs/inputs.md,
"Snapshots"): the roster, device and ticket folders of a rollout are replayed here, in
plain Python, into the single files they amount to as of D, and the core
`group_metrics` columns are computed from those by benches/duckdb_core.py and compared
with uptake's report of the snapshot rollout itself.

    python3 benches/check_snapshots.py ROLLOUT_DIR --check REPORT_DIR [--as-of D] [--keep FLAT_DIR]

D is the config's `as_of` unless given (then REPORT_DIR is a run with `--as-of D`).

The replay, written from the documented rules and sharing no code with uptake:
- a snapshot's day is the first date in its file name; snapshots after D are not read;
- roster: in each snapshot a person's first row with a user_id and a group counts;
  D's people are those of the latest snapshot, with its group and mail; a person seen
  in an earlier snapshot and absent from the latest left on the day of the first
  snapshot after their last appearance, or on their own earlier `left_on`;
- devices: every device row of every snapshot (a person's enrollment is the earliest
  `enrolled_at` of any of their devices in any snapshot);
- tickets: a ticket's row from the latest snapshot that holds a valid row for it, with
  the earliest `opened_at` seen.
A source given as one file rather than a folder is one snapshot of D. Event logs
(email, attendance) are single files in generated rollouts and are used as they are. Exits 1 on any difference (duckdb_core prints them).
"""

import csv
import re
import shutil
import sys
import tempfile
import tomllib
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import duckdb_core  # noqa: E402

DAY = re.compile(r"(\d{4})[-_]?(\d{2})[-_]?(\d{2})")


def day_of(name: str) -> date:
    m = DAY.search(name)
    if not m:
        raise SystemExit(f"{name}: no date in the name")
    return date(int(m[1]), int(m[2]), int(m[3]))


def snapshots(folder: Path, as_of: date) -> list[tuple[date, Path]]:
    """The folder's CSV files with their days, oldest first, none after D (a single
    file is one snapshot of D)."""
    if folder.is_file():
        return [(as_of, folder)]
    files = sorted((day_of(p.name), p) for p in folder.iterdir() if p.suffix == ".csv")
    return [(d, p) for d, p in files if d <= as_of]


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def source_path(rollout: Path, cfg: dict, source: str) -> Path:
    return rollout / cfg["sources"][source]["path"]


def flat_roster(folder: Path, as_of: date, group_by: str) -> list[list[str]]:
    snaps = snapshots(folder, as_of)
    days = [d for d, _ in snaps]
    last_seen: dict[str, int] = {}
    latest_row: dict[str, dict[str, str]] = {}
    for i, (_, path) in enumerate(snaps):
        seen_here: set[str] = set()
        for r in rows(path):
            uid = (r.get("user_id") or "").strip().lower()
            grp = (r.get(group_by) or "").strip()
            if not uid or not grp or uid in seen_here:
                continue
            seen_here.add(uid)
            last_seen[uid] = i
            latest_row[uid] = r
    out = []
    for uid, i in last_seen.items():
        r = latest_row[uid]
        own = (r.get("left_on") or "").strip()
        left = own
        if i < len(snaps) - 1:
            gone = days[i + 1].isoformat()
            left = min(own, gone) if own else gone
        out.append([uid, (r.get("mail") or "").strip(), r[group_by].strip(), left])
    return out


def parse(v: str) -> datetime | None:
    try:
        return datetime.fromisoformat(v.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def flat_tickets(folder: Path, as_of: date) -> tuple[list[str], list[list[str]]]:
    latest: dict[str, dict[str, str]] = {}
    opened: dict[str, datetime] = {}
    header: list[str] = []
    for _, path in snapshots(folder, as_of):
        for r in rows(path):
            header = header or list(r.keys())
            tid = (r.get("ticket_id") or "").strip()
            o = parse(r.get("opened_at") or "")
            res = (r.get("resolved_at") or "").strip()
            ok = o is not None and (not res or (parse(res) is not None and parse(res) >= o))
            if not tid or not (r.get("user_id") or "").strip() or not ok:
                continue
            latest[tid] = r
            opened[tid] = min(opened.get(tid, o), o)
    out = []
    for tid, r in latest.items():
        r = dict(r)
        r["opened_at"] = opened[tid].isoformat(sep=" ")
        out.append([r.get(c, "") for c in header])
    return header, out


def write(path: Path, header: list[str], body: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(body)


def main() -> int:
    if len(sys.argv) < 4 or sys.argv[2] != "--check":
        print(__doc__)
        return 2
    rollout, report = Path(sys.argv[1]), sys.argv[3]
    cfg = tomllib.loads((rollout / "uptake.toml").read_text())
    given = sys.argv[sys.argv.index("--as-of") + 1] if "--as-of" in sys.argv else None
    as_of = date.fromisoformat(given or cfg["rollout"]["as_of"])
    group_by = cfg["rollout"].get("group_by", "group")
    keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
    flat = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="uptake-flat-"))
    flat.mkdir(parents=True, exist_ok=True)

    people = flat_roster(source_path(rollout, cfg, "roster"), as_of, group_by)
    write(flat / "roster.csv", ["user_id", "mail", group_by, "left_on"], people)
    devices = []
    for _, path in snapshots(source_path(rollout, cfg, "enrollments"), as_of):
        devices += [[r.get("user_id") or "", r.get("enrolled_at") or ""] for r in rows(path)]
    write(flat / "enrollments.csv", ["user_id", "enrolled_at"], devices)
    header, tickets = flat_tickets(source_path(rollout, cfg, "tickets"), as_of)
    write(flat / "tickets.csv", header, tickets)
    shutil.copy(source_path(rollout, cfg, "email"), flat / "email_events.csv")
    shutil.copy(source_path(rollout, cfg, "training"), flat / "attendance.csv")
    text = (rollout / "uptake.toml").read_text()
    text = re.sub(r'(?m)^as_of = ".*"$', f'as_of = "{as_of}"', text)
    (flat / "uptake.toml").write_text(text)
    left = sum(1 for p in people if p[3] and date.fromisoformat(p[3]) <= as_of)
    print(
        f"replayed: {len(people)} people ({left} left by D), {len(devices)} device rows, "
        f"{len(tickets)} tickets -> {flat}",
        file=sys.stderr,
    )
    sys.argv = [sys.argv[0], str(flat), "--check", report]
    code = duckdb_core.main()
    if not keep:
        shutil.rmtree(flat)
    return code


if __name__ == "__main__":
    sys.exit(main())
