#!/usr/bin/env python3
"""The tap into every common Singer target: row counts and union values in each target's storage.

Run it through e2e/targets-matrix.sh, which builds the virtualenvs (.venv-targets/<name>/) and
starts this file with the checker venv's Python (psycopg, duckdb). Steps:

1. the emulator with --odd-values: every field that Rocket.Chat types as a union or unknown
   (the properties declared with contentMediaType application/json) takes each JSON shape:
   true, false, arrays, strings, numbers, objects, null, absent;
2. one run of the tap (admin identity); its output is checked by singer-check-tap and fed, byte
   for byte, to each target;
3. for each target: its exit code; per stream, the stored ids equal the emulator's; for each
   union field of each record, the stored text parses (JSON) to exactly the served value (types
   included: true is not 1), null and absent both stored as NULL (target-jsonl: kept apart).

Environment (optional): TARGETS_PG_HOST/PORT/USER/PASSWORD (127.0.0.1, 5432, postgres, postgres),
TARGETS_USERS (2000), TARGETS_ONLY (space-separated target names), TARGETS_KEEP, TARGETS_T0.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable

import duckdb
import psycopg
from psycopg import sql

from e2e_checks import CheckFailed, Checks, Steps, few

ROOT = Path(__file__).resolve().parent.parent
STREAMS = ["teams", "rooms", "channels", "roles", "subscriptions", "users"]
SCHEMAS = {s: json.loads((ROOT / "schemas" / "streams" / f"{s}.json").read_text()) for s in STREAMS}
UNION_FIELDS = {s: [p for p, d in SCHEMAS[s]["properties"].items() if d.get("contentMediaType") == "application/json"]
                for s in STREAMS}
KINDS = ["true", "false", "array", "string", "number", "object", "null", "absent"]
PG_SCHEMA = "tap_rocketchat"
ABSENT = object()
T0 = float(os.environ.get("TARGETS_T0") or time.time())
csv.field_size_limit(1 << 30)


check = Checks()


step = Steps(T0)


def kind(value: Any) -> str:
    if value is ABSENT:
        return "absent"
    if value is None:
        return "null"
    if value is True or value is False:
        return str(value).lower()
    return {dict: "object", list: "array", str: "string"}.get(type(value), "number")


def same(a: Any, b: Any) -> bool:
    """Equal JSON values, types included (True is not 1, 1 is not 1.0 unless both are numbers)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


# ---------------------------------------------------------------------------------------------
# Emulator and tap

class Emulator:
    def __init__(self, workdir: Path, users: int) -> None:
        self._log = open(workdir / "emulator.log", "wb")
        self.proc = subprocess.Popen(
            # 20 private groups: enough rooms the admin reads through rooms.get only for all 18 shapes.
            ["node", str(ROOT / "dist/emulator/cli.js"), "--port", "0", "--users", str(users), "--private-groups", "20", "--odd-values", "--quiet"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL)
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(30)
        if not line or not line[0].strip():
            self.stop()
            raise CheckFailed(f"the emulator did not print its address within 30 s (log: {workdir / 'emulator.log'})")
        info = json.loads(line[0])
        self.url, self.admin = info["url"], info["identities"]["admin"]

    def expected(self, stream: str) -> list[dict]:
        with urllib.request.urlopen(f"{self.url}/_emulator/expected?stream={stream}&identity=admin", timeout=30) as r:
            return json.load(r)["records"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def run(cmd: list[str], name: str, workdir: Path, stdin_path: Path | None = None, stdout_path: Path | None = None,
        cwd: Path | None = None, timeout: float = 600) -> tuple[int, str, float]:
    """Runs cmd with stdin from a file; returns (exit code, stderr, seconds). Logs go to workdir/<name>.log."""
    log_path = workdir / f"{name}.log"
    t = time.time()
    with open(log_path, "wb") as log, open(stdout_path or os.devnull, "wb") as out, \
            open(stdin_path or os.devnull, "rb") as inp:
        try:
            rc = subprocess.run(cmd, stdin=inp, stdout=out, stderr=log, cwd=cwd or workdir, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"`{' '.join(cmd)}` did not finish within {timeout:.0f} s; log: {log_path}")
    return rc, log_path.read_text(errors="replace"), time.time() - t


def tail(text: str, n: int = 25) -> str:
    return "\n".join(text.splitlines()[-n:])


# ---------------------------------------------------------------------------------------------
# Targets: each writes its config, and reads back {stream: [row as {field: value or ABSENT}]}

def pg_conn(dbname: str) -> psycopg.Connection:
    return psycopg.connect(host=os.environ.get("TARGETS_PG_HOST", "127.0.0.1"), port=int(os.environ.get("TARGETS_PG_PORT", "5432")),
                           user=os.environ.get("TARGETS_PG_USER", "postgres"), password=os.environ.get("TARGETS_PG_PASSWORD", "postgres"),
                           dbname=dbname, autocommit=True)


def pg_config(dbname: str, database_key: str) -> dict:
    return {"host": os.environ.get("TARGETS_PG_HOST", "127.0.0.1"), "port": int(os.environ.get("TARGETS_PG_PORT", "5432")),
            "user": os.environ.get("TARGETS_PG_USER", "postgres"), "password": os.environ.get("TARGETS_PG_PASSWORD", "postgres"),
            database_key: dbname, "default_target_schema": PG_SCHEMA}


def read_pg(dbname: str) -> Callable[[], dict[str, list[dict]]]:
    def read() -> dict[str, list[dict]]:
        out = {}
        with pg_conn(dbname) as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
            for stream in STREAMS:
                cur.execute(sql.SQL("SELECT * FROM {}.{}").format(sql.Identifier(PG_SCHEMA), sql.Identifier(stream)))
                out[stream] = [dict(r) for r in cur.fetchall()]
        return out
    return read


def read_duckdb(path: Path) -> Callable[[], dict[str, list[dict]]]:
    def read() -> dict[str, list[dict]]:
        con = duckdb.connect(str(path), read_only=True)
        try:
            out = {}
            for stream in STREAMS:
                cur = con.execute(f'SELECT * FROM {PG_SCHEMA}."{stream}"')
                names = [d[0] for d in cur.description]
                out[stream] = [dict(zip(names, row)) for row in cur.fetchall()]
            return out
        finally:
            con.close()
    return read


def read_csv_dir(directory: Path) -> Callable[[], dict[str, list[dict]]]:
    def read() -> dict[str, list[dict]]:
        out = {}
        for stream in STREAMS:
            with open(directory / f"{stream}.csv", newline="", encoding="utf-8") as f:
                out[stream] = [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(f)]
        return out
    return read


def read_jsonl_dir(directory: Path) -> Callable[[], dict[str, list[dict]]]:
    def read() -> dict[str, list[dict]]:
        return {s: [json.loads(l) for l in (directory / f"{s}.jsonl").read_text().splitlines()] for s in STREAMS}
    return read


class Target:
    def __init__(self, name: str, executable: str, config: dict, read: Callable[[], dict[str, list[dict]]],
                 column: Callable[[str], str] = lambda p: p, keeps_absent: bool = False, setup: Callable[[], None] | None = None,
                 teardown: Callable[[], None] | None = None) -> None:
        self.name, self.executable, self.config, self.read = name, executable, config, read
        self.column, self.keeps_absent = column, keeps_absent
        self.setup, self.teardown = setup, teardown


def targets(venvs: Path, workdir: Path, admin_conn: psycopg.Connection, keep: bool, created: list[str]) -> list[Target]:
    suffix = secrets.token_hex(4)

    def database(label: str) -> tuple[str, Callable[[], None], Callable[[], None]]:
        name = f"tap_rocketchat_targets_{label}_{suffix}"

        def setup() -> None:
            admin_conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            created.append(name)
            # Timestamps as UTC whatever the server's TimeZone (README, Meltano).
            admin_conn.execute(sql.SQL("ALTER DATABASE {} SET timezone TO 'UTC'").format(sql.Identifier(name)))

        return name, setup, lambda: None

    melt_db, melt_setup, _ = database("meltano")
    pw_db, pw_setup, _ = database("pipelinewise")
    lower = str.lower  # pipelinewise and target-duckdb lower-case column names
    return [
        Target("meltanolabs-target-postgres", str(venvs / "pg-meltano/bin/target-postgres"),
               pg_config(melt_db, "database"), read_pg(melt_db), setup=melt_setup),
        Target("pipelinewise-target-postgres", str(venvs / "pg-pipelinewise/bin/target-postgres"),
               pg_config(pw_db, "dbname"), read_pg(pw_db), column=lower, setup=pw_setup),
        Target("target-duckdb", str(venvs / "duckdb/bin/target-duckdb"),
               {"path": str(workdir / "duckdb" / "warehouse.duckdb"), "default_target_schema": PG_SCHEMA},
               read_duckdb(workdir / "duckdb" / "warehouse.duckdb"), column=lower,
               setup=lambda: (workdir / "duckdb").mkdir()),
        Target("meltanolabs-target-csv", str(venvs / "csv/bin/target-csv"),
               {"output_path": str(workdir / "csv")}, read_csv_dir(workdir / "csv"), setup=lambda: (workdir / "csv").mkdir()),
        Target("target-jsonl", str(venvs / "jsonl/bin/target-jsonl"),
               {"destination_path": str(workdir / "jsonl"), "do_timestamp_file": False}, read_jsonl_dir(workdir / "jsonl"),
               keeps_absent=True, setup=lambda: (workdir / "jsonl").mkdir()),
    ]


# ---------------------------------------------------------------------------------------------
# Checks

def warnings_of(log: str) -> list[str]:
    """The target's warnings, each kind once with a count (timestamps and stream names vary)."""
    seen: dict[str, int] = {}
    for line in log.splitlines():
        if "WARNING" not in line.upper():
            continue
        text = re.sub(r"^.*?WARNING\s*\|?\s*(\S+\s*\|\s*)?", "", line).strip()
        text = re.sub(r"\b(teams|rooms|channels|roles|subscriptions|users)\b", "<stream>", text)
        text = re.sub(r"\d{6,}", "<n>", text)[:150]
        seen[text] = seen.get(text, 0) + 1
    return [f"{text} (x{n})" for text, n in seen.items()]


def check_kinds(expected: dict[str, list[dict]]) -> None:
    """The emulator's data gives each union field every shape (else the matrix would prove little)."""
    for stream, fields in UNION_FIELDS.items():
        for field in fields:
            seen = {kind(r.get(field, ABSENT)) for r in expected[stream]}
            missing = [k for k in KINDS if k not in seen]
            check(not missing, f"emulator --odd-values: {stream}.{field} never takes the shapes {missing}")


def check_target(target: Target, stored: dict[str, list[dict]], expected: dict[str, list[dict]]) -> dict[str, int]:
    """Ids and union values per stream; returns the row count per stream."""
    counts = {}
    for stream in STREAMS:
        rows = stored[stream]
        id_col = target.column("_id")
        ids = [r.get(id_col) for r in rows]
        want = {r["_id"]: r for r in expected[stream]}
        check(len(ids) == len(set(ids)), f"{target.name} {stream}: duplicate _id values")
        missing, extra = set(want) - set(ids), set(ids) - set(want)
        check(not missing and not extra,
              f"{target.name} {stream}: {len(rows)} rows, the emulator has {len(want)} records; "
              f"missing {sorted(missing)[:5]} extra {sorted(extra)[:5]}")
        counts[stream] = len(rows)
        diffs = []
        for row in rows:
            record = want[row[id_col]]
            for field in UNION_FIELDS[stream]:
                col = target.column(field)
                if not target.keeps_absent:
                    check(col in row, f"{target.name} {stream}: no column {col} for the union field {field}")
                served = record.get(field, ABSENT)
                text = row.get(col, ABSENT)
                if text is ABSENT or text is None:
                    ok = served is ABSENT or served is None if not target.keeps_absent else (
                        (served is ABSENT and text is ABSENT) or (served is None and text is None))
                    got: Any = text
                elif isinstance(text, str):
                    try:
                        got = json.loads(text)
                    except ValueError:
                        got, ok = text, False
                    else:
                        ok = served is not ABSENT and served is not None and same(served, got)
                else:
                    got, ok = text, False  # not text: the column is not the declared string type
                if not ok:
                    diffs.append(f"{row[id_col]}.{field}: served {served if served is not ABSENT else '(absent)'!r}, "
                                 f"stored {text if text is not ABSENT else '(absent)'!r}")
        check(not diffs, f"{target.name} {stream}: {len(diffs)} union values differ, e.g.\n  " + "\n  ".join(diffs[:8]))
    return counts


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--venvs", type=Path, required=True)
    args = parser.parse_args()
    keep = bool(os.environ.get("TARGETS_KEEP"))
    only = set(os.environ.get("TARGETS_ONLY", "").split())
    users = int(os.environ.get("TARGETS_USERS", "2000"))
    workdir = Path(tempfile.mkdtemp(prefix="tap-rocketchat-targets-"))
    emulator = None
    admin_conn = None
    created: list[str] = []
    results: list[tuple[str, dict[str, int], float, list[str]]] = []
    try:
        admin_conn = pg_conn("postgres")
        emulator = Emulator(workdir, users)
        step(f"emulator --odd-values --users {users} at {emulator.url}")
        config = workdir / "tap-config.json"
        config.write_text(json.dumps({"endpoint": emulator.url, "user_id": emulator.admin["userId"], "token": emulator.admin["token"]}))
        singer = workdir / "tap.singer.jsonl"
        rc, err, secs = run(["node", str(ROOT / "dist/src/cli.js"), "--config", str(config)], "tap", workdir, stdout_path=singer)
        check(rc == 0, f"the tap exited {rc}:\n{tail(err)}")
        check("schema drift" not in err, f"the tap reported schema drift on the odd values:\n{tail(err)}")
        step(f"tap: {singer.stat().st_size / 1e6:.1f} MB of Singer messages in {secs:.1f} s")
        expected = {s: emulator.expected(s) for s in STREAMS}
        check_kinds(expected)
        n_union = sum(1 for s, fs in UNION_FIELDS.items() for _ in fs for _ in expected[s])
        rc, err, secs = run([str(args.venvs / "singer-tools/bin/singer-check-tap")], "singer-check-tap", workdir, stdin_path=singer)
        check(rc == 0, f"singer-check-tap rejected the tap's output (exit {rc}):\n{tail(err)}")
        step(f"singer-check-tap: valid ({secs:.1f} s)")

        for target in targets(args.venvs, workdir, admin_conn, keep, created):
            if only and not any(o in target.name for o in only):
                continue
            if target.setup:
                target.setup()
            cfg = workdir / f"{target.name}.json"
            cfg.write_text(json.dumps(target.config))
            rc, err, secs = run([target.executable, "--config", str(cfg)], target.name, workdir, stdin_path=singer)
            check(rc == 0, f"{target.name} exited {rc}; last lines of its log ({workdir / (target.name + '.log')}):\n{tail(err)}")
            counts = check_target(target, target.read(), expected)
            notes = warnings_of(err)
            results.append((target.name, counts, secs, notes))
            step(f"{target.name}: loaded in {secs:.1f} s; rows " + ", ".join(f"{s} {n}" for s, n in counts.items())
                 + f"; {n_union} union values intact")

        print("\n== targets matrix: every target loaded every stream, every union value intact")
        print(f"{'target':<30}" + "".join(f"{s:>14}" for s in STREAMS) + f"{'load s':>8}")
        print(f"{'(emulator)':<30}" + "".join(f"{len(expected[s]):>14}" for s in STREAMS))
        for name, counts, secs, _ in results:
            print(f"{name:<30}" + "".join(f"{counts[s]:>14}" for s in STREAMS) + f"{secs:>8.1f}")
        print("union fields: " + "; ".join(f"{s}: {', '.join(fs)}" for s, fs in UNION_FIELDS.items() if fs)
              + f" (shapes: {', '.join(KINDS)})")
        for name, _, _, notes in results:
            for note in notes[:5]:
                print(f"  NOTE {name}: {note}")
        print(f"total: {time.time() - T0:.1f} s")
        print(f"targets-matrix: {check.passed} passed, 0 failed")
        return 0
    except CheckFailed as e:
        print(f"\nTARGETS CHECK FAILED: {e}\n(scratch directory: {workdir}{'' if keep else ', removed; TARGETS_KEEP=1 keeps it'})",
              file=sys.stderr, flush=True)
        print(f"targets-matrix: {check.passed} passed, 1 failed", flush=True)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        if emulator is not None:
            emulator.stop()
        if admin_conn is not None:
            for name in created if not keep else []:
                try:
                    admin_conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                except Exception as e:  # noqa: BLE001
                    print(f"warning: could not drop database {name}: {e}", file=sys.stderr)
            admin_conn.close()
        if keep:
            print(f"kept: databases {created}, scratch directory {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
