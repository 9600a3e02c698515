#!/usr/bin/env python3
"""A year of weekly roster snapshots (issue 14.7): how much memory and time uptake
needs to read 52 snapshots of a large company's roster, against the same rollout read
from one roster file.

    python3 benches/snapshots_year.py [--users N] [--weeks W] [--check] [BIN]

Generates a rollout of N people (default 200 000) with `uptake generate`, then writes
W weekly snapshots (default 52) of its roster ending on the rollout's as_of: going
back in time from the generated roster, each week about 0.3 % of people had not yet
joined, 0.3 % who have since left were still there, and 0.5 % sat in another group.
Runs `uptake run` on the one-file rollout and on the snapshot rollout under GNU time
and prints the wall time and peak memory of each. With --check, the snapshot run's
`group_metrics` are compared with benches/check_snapshots.py's replay.
Scratch data: scratch/snapshots_year/ (git-ignored). BIN defaults to
target/release/uptake (or $CARGO_TARGET_DIR/release/uptake).
"""

import csv
import os
import random
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def arg(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def timed(cmd: list[str], label: str) -> tuple[float, int]:
    """Runs cmd under GNU time; returns (wall seconds, peak KiB)."""
    out = ROOT / "scratch" / "snapshots_year" / f"{label}.time"
    subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", "-o", str(out), *cmd],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall, peak = out.read_text().split()[-2:]
    return float(wall), int(peak)


def main() -> int:
    users = int(arg("--users", "200000"))
    weeks = int(arg("--weeks", "52"))
    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    positional = [a for a in sys.argv[1:] if not a.startswith("--") and not a.isdigit()]
    binary = positional[0] if positional else f"{target}/release/uptake"
    scratch = ROOT / "scratch" / "snapshots_year"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    one = scratch / "one_file"
    subprocess.run(
        [binary, "generate", "--users", str(users), "--seed", "42", "--out", str(one)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    config = (one / "uptake.toml").read_text()
    as_of = date.fromisoformat(re.search(r'(?m)^as_of = "(.*)"$', config)[1])
    group_by = re.search(r'(?m)^group_by = "(.*)"$', config)[1]
    with open(one / "roster.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames
        people = [r for r in reader if (r.get("user_id") or "").strip()]
    groups = sorted({r[group_by] for r in people if r[group_by].strip()})

    # Going back a week at a time from the newest snapshot: some joined this week (not
    # in the earlier snapshots), some left since (present earlier), some moved.
    rng = random.Random(42)
    snaps = one.parent / "snapshots"
    (snaps / "roster").mkdir(parents=True)
    current = {r["user_id"]: dict(r, left_on="") for r in people}
    header = [h for h in header if h != "left_on"] + ["left_on"]
    extra = 0
    rows_written = 0
    for w in range(weeks):
        day = as_of - timedelta(days=7 * w)
        with open(snaps / "roster" / f"entra_{day}.csv", "w", newline="", encoding="utf-8") as f:
            out = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
            out.writeheader()
            out.writerows(current.values())
            rows_written += len(current)
        ids = list(current)
        for uid in rng.sample(ids, len(ids) * 3 // 1000):  # joined this week
            del current[uid]
        for _ in range(len(ids) * 3 // 1000):  # left since: present a week earlier
            extra += 1
            src = people[rng.randrange(len(people))]
            uid = f"former{extra}@contoso.com"
            current[uid] = dict(src, user_id=uid, mail=uid, left_on="")
        for uid in rng.sample(list(current), len(current) * 5 // 1000):  # moved since
            current[uid] = dict(current[uid], **{group_by: rng.choice(groups)})
    for name in ["enrollments.csv", "email_events.csv", "attendance.csv", "tickets.csv"]:
        os.symlink(one / name, snaps / name)
    (snaps / "uptake.toml").write_text(
        config.replace('path = "roster.csv"', 'path = "roster/"\nsnapshots = true')
    )
    print(
        f"{users} people, {weeks} weekly roster snapshots: {rows_written} rows, "
        f"{sum(p.stat().st_size for p in (snaps / 'roster').iterdir()) / 2**20:.0f} MiB"
    )
    for label, folder in [("one roster file", one), (f"{weeks} snapshots", snaps)]:
        wall, peak = timed(
            [binary, "run", "--config", str(folder / "uptake.toml"), "--out", str(folder / "out")],
            label.replace(" ", "_"),
        )
        print(f"{label:>16}: {wall:6.2f} s, peak {peak / 1024:6.0f} MiB")
    if "--check" in sys.argv:
        return subprocess.run(
            [
                sys.executable,
                str(ROOT / "benches" / "check_snapshots.py"),
                str(snaps),
                "--check",
                str(snaps / "out" / "latest"),
            ]
        ).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
