#!/usr/bin/env python3
"""The parse floor of benches/scale.sh: DuckDB reading every input file a rollout's
config names into tables of text, and nothing else.

    python3 benches/duckdb_parse.py ROLLOUT_DIR

Every `path` under `[sources.*]` of ROLLOUT_DIR/uptake.toml (a table or an array of
tables; a folder of snapshots counts every CSV in it) is read with
`read_csv(..., all_varchar = true)` into its own table (`CREATE TABLE ... AS`), so
each file is split into rows and fields and materialised as VARCHAR columns: no type
is inferred, no value converted. `uptake run` cannot do its work in less time than it
takes to read its inputs; this is how long the reading alone takes a mature engine on
the same machine. Rows the CSV reader cannot split (the generators' stray quotes) are
skipped (`ignore_errors = true`) rather than failing the job. Prints the rows read
and the elapsed time on standard error: `parse: N files, R rows in S s`.
"""

import sys
import time
import tomllib
from pathlib import Path

import duckdb


def input_files(rollout: Path) -> list[Path]:
    """Every file the config's sources name, in config order."""
    cfg = tomllib.loads((rollout / "uptake.toml").read_text())
    files: list[Path] = []
    for source in cfg.get("sources", {}).values():
        for table in source if isinstance(source, list) else [source]:
            if not isinstance(table, dict) or "path" not in table:
                continue
            path = rollout / table["path"]
            files.extend(sorted(path.rglob("*.csv")) if path.is_dir() else [path])
    return files


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    files = input_files(Path(sys.argv[1]))
    con = duckdb.connect()
    start = time.perf_counter()
    rows = 0
    for i, path in enumerate(files):
        name = str(path).replace("'", "''")
        con.execute(
            f"CREATE TABLE t{i} AS SELECT * FROM read_csv('{name}', all_varchar = true, "
            "header = true, ignore_errors = true)"
        )
        rows += con.execute(f"SELECT count(*) FROM t{i}").fetchone()[0]
    elapsed = time.perf_counter() - start
    print(f"parse: {len(files)} files, {rows} rows in {elapsed:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
