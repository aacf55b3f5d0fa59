#!/usr/bin/env python3
"""End-to-end check: `meltano run tap-rocketchat target-postgres` with the real Meltano, the real
MeltanoLabs target-postgres and a real PostgreSQL, against the bundled Rocket.Chat emulator.

Run it through e2e/meltano-e2e.sh, which creates .venv-e2e/ (Python 3.11, e2e/requirements.txt)
and then starts this file with that venv's Python. Every check raises CheckFailed with a message
saying what was expected and what was found; the emulator, the database and the scratch
directory are removed in every case (E2E_KEEP=1 keeps the database and the scratch directory).

Environment (all optional): E2E_PG_HOST (127.0.0.1), E2E_PG_PORT (5432), E2E_PG_USER (postgres),
E2E_PG_PASSWORD (postgres; ignored by trust auth, but target-postgres insists on one),
E2E_USERS (2000), E2E_KEEP, E2E_T0 (epoch seconds at which the shell wrapper started).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from e2e_checks import CheckFailed, Checks, Steps, few

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
MELTANO = str(VENV_BIN / "meltano")
STREAMS = ["teams", "rooms", "channels", "roles", "subscriptions", "users"]
# The messages stream is in the catalog; this check loads and verifies the six streams above
# (select_filter below), and messages' own checks run in the test suite against the emulator.
CATALOG_STREAMS = [*STREAMS, "messages", "livechat_rooms", "livechat_agents", "livechat_departments", "livechat_contacts", "statistics"]
INCREMENTAL = {"rooms", "subscriptions"}
FULL_TABLE = [s for s in STREAMS if s not in INCREMENTAL]
PG_SCHEMA = "tap_rocketchat"  # the extractor's namespace = load_schema = default_target_schema
STATE_ID = "dev:tap-rocketchat-to-target-postgres"
JSONL_STATE_ID = "dev:tap-rocketchat-to-target-jsonl"
OVERLAP_MS = 2000  # the tap asks for updatedSince = bookmark - 2 s (README, "Incremental streams")
MUTATION = {
    "identity": "admin",
    "updateRooms": 3, "insertRooms": 2, "deleteRooms": 2,
    "updateSubscriptions": 3, "insertSubscriptions": 2, "deleteSubscriptions": 2,
    "updateUsers": 2, "insertUsers": 5, "deleteUsers": 3,
}
SCHEMAS = {s: json.loads((ROOT / "schemas" / "streams" / f"{s}.json").read_text()) for s in STREAMS}


check = Checks()


T0 = float(os.environ.get("E2E_T0") or time.time())


step = Steps(T0)




# ---------------------------------------------------------------------------------------------
# Emulator

class Emulator:
    def __init__(self, workdir: Path, users: int) -> None:
        self.log_path = workdir / "emulator.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            ["node", str(ROOT / "dist" / "emulator" / "cli.js"), "--port", "0", "--users", str(users), "--quiet"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL,
        )
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(30)
        if not line or not line[0].strip():
            self.stop()
            raise CheckFailed(f"the emulator did not print its address within 30 s; log:\n{self.log_path.read_text()[-2000:]}")
        info = json.loads(line[0])
        self.url: str = info["url"]
        self.admin: dict = info["identities"]["admin"]

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=30) as r:
            return json.load(r)

    def post(self, path: str, body: Any) -> Any:
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)

    def expected(self, stream: str = "all", updated_since: str | None = None) -> Any:
        q = f"/_emulator/expected?stream={stream}&identity=admin"
        if updated_since:
            q += f"&updatedSince={updated_since}"
        return self.get(q)

    def requests(self) -> list[dict]:
        return self.get("/_emulator/requests?limit=100000")["requests"]

    def clear_requests(self) -> None:
        self.post("/_emulator/requests/clear", {})

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


# ---------------------------------------------------------------------------------------------
# Meltano

class Meltano:
    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.n = 0
        self.empty_env = workdir / "empty.env"
        self.empty_env.write_text("")

    def __call__(self, *args: str, name: str, timeout: float = 300, ok_codes: tuple[int, ...] = (0,),
                 stdout_to_file: bool = False, extra_env: dict[str, str] | None = None) -> tuple[str, str]:
        """Runs meltano in the project root; returns (stdout, combined log); fails on a bad exit code."""
        self.n += 1
        # A developer's .env (e.g. TAP_ROCKETCHAT_START_DATE) must not leak into the check.
        args = ("--env-file", str(self.empty_env), *args)
        log_path = self.workdir / f"{self.n:02d}-{name}.log"
        out_path = self.workdir / f"{self.n:02d}-{name}.stdout"
        with open(log_path, "wb") as log, open(out_path, "wb") as out:
            try:
                rc = subprocess.run([MELTANO, *args], cwd=ROOT, env={**self.env, **(extra_env or {})}, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=log, timeout=timeout).returncode
            except subprocess.TimeoutExpired:
                raise CheckFailed(f"`meltano {' '.join(args)}` did not finish within {timeout:.0f} s; log: {log_path}")
        stdout = out_path.read_text(errors="replace")
        logtext = log_path.read_text(errors="replace")
        if rc not in ok_codes:
            tail = "\n".join(logtext.splitlines()[-40:])
            raise CheckFailed(f"`meltano {' '.join(args)}` exited {rc}; last lines of its log ({log_path}):\n{tail}\n{stdout[-2000:]}")
        return stdout, logtext


# ---------------------------------------------------------------------------------------------
# Values: what target-postgres should have stored for a JSON value of a property

def to_utc_naive(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return parsed


def non_null_types(prop: dict) -> list[str]:
    t = prop.get("type")
    types = t if isinstance(t, list) else [t] if t else []
    return [x for x in types if x != "null"]


def is_json_text(prop: dict) -> bool:
    """A field of several JSON types, sent as its JSON text (src/json-text.ts)."""
    return prop.get("contentMediaType") == "application/json"


def same_json(a: Any, b: Any) -> bool:
    """Equal JSON values, types included (true is not 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def expected_column_type(prop: dict) -> set[str]:
    """udt_name(s) target-postgres 0.8 creates for a top-level property (reference §8.2)."""
    types = non_null_types(prop)
    if is_json_text(prop):
        return {"text"}
    if len(types) > 1:
        return {"jsonb"}
    t = types[0] if types else None
    if t == "string":
        return {"timestamp", "timestamptz"} if prop.get("format") == "date-time" else {"text"}
    if t == "object":
        return {"jsonb"}
    if t == "array":
        items = prop.get("items")
        if not items:
            return {"jsonb"}
        item_types = non_null_types(items)
        if item_types == ["string"] and not items.get("format"):
            return {"_text"}
        if item_types == ["object"] or not item_types:
            return {"_jsonb"}
        return {"_" + {"integer": "int8", "number": "numeric", "boolean": "bool"}.get(item_types[0], item_types[0])}
    return {"integer": {"int8", "int4", "int2"}, "number": {"numeric"}, "boolean": {"bool"}}.get(t, {"?"})


def same_value(prop: dict, want: Any, got: Any) -> bool:
    if want is None or got is None:
        return want is None and got is None
    if is_json_text(prop):
        # The emulator's record has the value; the row its JSON text.
        return isinstance(got, str) and same_json(want, json.loads(got))
    types = non_null_types(prop)
    if len(types) == 1 and types[0] == "string" and prop.get("format") == "date-time":
        if not isinstance(got, dt.datetime):
            return False
        if got.tzinfo is not None:
            got = got.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return to_utc_naive(want) == got
    if isinstance(got, Decimal):
        return isinstance(want, (int, float)) and not isinstance(want, bool) and Decimal(repr(want)) == got
    if isinstance(want, float) or isinstance(got, float):
        return isinstance(got, (int, float)) and not isinstance(got, bool) and float(want) == float(got)
    return want == got and type(want) is type(got)


# ---------------------------------------------------------------------------------------------
# PostgreSQL checks

class Model:
    """What each table must hold: live rows (id → record) and deleted ids (id → _deletedAt or None)."""

    def __init__(self) -> None:
        self.live: dict[str, dict[str, dict]] = {s: {} for s in STREAMS}
        self.deleted: dict[str, dict[str, str | None]] = {s: {} for s in STREAMS}


def pg_connect(dbname: str) -> psycopg.Connection:
    return psycopg.connect(host=os.environ.get("E2E_PG_HOST", "127.0.0.1"), port=int(os.environ.get("E2E_PG_PORT", "5432")),
                           user=os.environ.get("E2E_PG_USER", "postgres"), password=os.environ.get("E2E_PG_PASSWORD", "postgres"),
                           dbname=dbname, autocommit=True)


def table_rows(conn: psycopg.Connection, stream: str) -> list[dict]:
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute(sql.SQL("SELECT * FROM {}.{}").format(sql.Identifier(PG_SCHEMA), sql.Identifier(stream)))
        return cur.fetchall()


def check_structure(conn: psycopg.Connection) -> None:
    """One table per stream, primary key _id, column types from the stream schemas."""
    with conn.cursor() as cur:
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (PG_SCHEMA,))
        tables = sorted(r[0] for r in cur.fetchall())
        check(tables == sorted(STREAMS), f"schema {PG_SCHEMA} should hold exactly the tables {sorted(STREAMS)}, has {tables}")
        for stream in STREAMS:
            cur.execute(
                """SELECT a.attname FROM pg_index i
                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                   WHERE i.indrelid = (quote_ident(%s) || '.' || quote_ident(%s))::regclass AND i.indisprimary""",
                (PG_SCHEMA, stream))
            pk = [r[0] for r in cur.fetchall()]
            check(pk == ["_id"], f"{stream}: primary key should be (_id), is {pk or 'missing'}")
            cur.execute("SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
                        (PG_SCHEMA, stream))
            columns = dict(cur.fetchall())
            props = SCHEMAS[stream]["properties"]
            missing = [p for p in props if p not in columns]
            check(not missing, f"{stream}: no column for schema properties {missing}")
            extra = [c for c in columns if c not in props and not c.startswith("_sdc_")]
            check(not extra, f"{stream}: columns not in the schema: {extra}")
            wrong = [f"{p}: {columns[p]} (expected {'/'.join(sorted(expected_column_type(v)))})"
                     for p, v in props.items() if columns[p] not in expected_column_type(v)]
            check(not wrong, f"{stream}: columns of the wrong type: {'; '.join(wrong)}")
            for meta in ("_sdc_deleted_at", "_sdc_table_version", "_sdc_batched_at"):
                check(meta in columns, f"{stream}: metadata column {meta} is missing")
            check(columns["_sdc_deleted_at"] in ("timestamp", "timestamptz"), f"{stream}: _sdc_deleted_at is {columns['_sdc_deleted_at']}")


def check_contents(conn: psycopg.Connection, model: Model, state: dict | None = None) -> dict[str, list[dict]]:
    """Rows equal the model: ids, deletions, every property's value. Returns the rows read."""
    all_rows = {}
    for stream in STREAMS:
        rows = table_rows(conn, stream)
        all_rows[stream] = rows
        ids = [r["_id"] for r in rows]
        check(len(ids) == len(set(ids)), f"{stream}: duplicate _id values: {few({i for i in ids if ids.count(i) > 1})}")
        live = {r["_id"]: r for r in rows if r["_sdc_deleted_at"] is None}
        gone = {r["_id"]: r for r in rows if r["_sdc_deleted_at"] is not None}
        want_live, want_gone = model.live[stream], model.deleted[stream]
        check(set(live) == set(want_live),
              f"{stream}: live rows (_sdc_deleted_at IS NULL) differ from the emulator's data: "
              f"missing {few(set(want_live) - set(live)) or 'none'}; unexpected {few(set(live) - set(want_live)) or 'none'}")
        check(set(gone) == set(want_gone),
              f"{stream}: soft-deleted rows differ: missing {few(set(want_gone) - set(gone)) or 'none'}; "
              f"unexpected {few(set(gone) - set(want_gone)) or 'none'}")
        props = SCHEMAS[stream]["properties"]
        diffs = []
        for rid, record in want_live.items():
            row = live[rid]
            for p, prop in props.items():
                if not same_value(prop, record.get(p), row[p]):
                    diffs.append(f"{rid}.{p}: expected {record.get(p)!r}, stored {row[p]!r}")
        check(not diffs, f"{stream}: {len(diffs)} stored values differ from the emulator's records, e.g.\n  " + "\n  ".join(diffs[:8]))
        for rid, deleted_at in want_gone.items():
            row = gone[rid]
            if stream in INCREMENTAL:
                # A deletion record carries only _id and _sdc_deleted_at (the server's _deletedAt).
                check(deleted_at is None or to_utc_naive(deleted_at) == row["_sdc_deleted_at"],
                      f"{stream} {rid}: _sdc_deleted_at should be the server's _deletedAt {deleted_at}, is {row['_sdc_deleted_at']}")
                stale = [p for p in props if p not in ("_id", "_sdc_deleted_at") and row[p] is not None]
                check(not stale, f"{stream} {rid}: deleted row should have NULL in its other columns, has values in {stale}")
        if state is not None and stream not in INCREMENTAL:
            version = state["bookmarks"][stream]["version"]
            versions = {r["_sdc_table_version"] for r in live.values()}
            check(not live or versions == {version},
                  f"{stream}: live rows should carry _sdc_table_version {version} (the STATE's version), carry {versions}")
    return all_rows


# ---------------------------------------------------------------------------------------------
# State

def iso_ms(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def ms_of(iso: str) -> int:
    return int(dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000 + 0.5)


def stored_state(meltano: Meltano, state_id: str, name: str) -> dict:
    out, _ = meltano("state", "get", state_id, name=name)
    value = json.loads(out)
    check("singer_state" in value, f"`meltano state get {state_id}` has no singer_state: {out[:300]}")
    return value["singer_state"]


def check_state(state: dict, model: Model, bookmarks_before: dict | None, removes: dict[str, list[dict]]) -> None:
    bookmarks = state.get("bookmarks", {})
    check(set(bookmarks) == set(STREAMS), f"state bookmarks should name the six streams, name {sorted(bookmarks)}")
    for stream in INCREMENTAL:
        b = bookmarks[stream]
        check(b.get("replication_key") == "_updatedAt", f"state {stream}: replication_key is {b.get('replication_key')!r}")
        stamps = [r["_updatedAt"] for r in model.live[stream].values() if r.get("_updatedAt")]
        stamps += [d["_deletedAt"] for d in removes.get(stream, [])]
        if bookmarks_before:
            stamps.append(bookmarks_before[stream]["replication_key_value"])
        greatest = max(stamps, key=ms_of)
        check(ms_of(b["replication_key_value"]) == ms_of(greatest),
              f"state {stream}: replication_key_value should be the greatest _updatedAt/_deletedAt loaded, {greatest}; is {b['replication_key_value']}")
        overlap = b.get("overlap", {})
        seen = {rid: r["_updatedAt"] for rid, r in model.live[stream].items() if r.get("_updatedAt")}
        seen.update({d["_id"]: d["_deletedAt"] for d in removes.get(stream, [])})
        for rid, stamp in overlap.items():
            check(rid in seen and ms_of(seen[rid]) == ms_of(stamp),
                  f"state {stream}: overlap id {rid} ({stamp}) is not a loaded row (or deletion) with that stamp")
        at_max = {rid for rid, r in model.live[stream].items() if r.get("_updatedAt") and ms_of(r["_updatedAt"]) == ms_of(greatest)}
        check(at_max <= set(overlap) or not at_max or bookmarks_before,
              f"state {stream}: overlap should list the rows at the bookmark {few(at_max)}, lists {few(overlap)}")
    for stream in FULL_TABLE:
        check(isinstance(bookmarks[stream].get("version"), int), f"state {stream}: no integer version in {bookmarks[stream]}")


def normalise_versions(state: dict) -> dict:
    s = json.loads(json.dumps(state))
    for stream in FULL_TABLE:
        if "version" in s.get("bookmarks", {}).get(stream, {}):
            s["bookmarks"][stream]["version"] = "<version>"
    return s


def final_state_of(singer_output: str) -> dict:
    states = [json.loads(line)["value"] for line in singer_output.splitlines() if line.startswith('{"type":"STATE"')]
    check(states, "the tap wrote no STATE message")
    return states[-1]


# ---------------------------------------------------------------------------------------------
# Tap behaviour outside Meltano

def check_sigterm(config_path: Path) -> int:
    """What `meltano config test` does: SIGTERM at the first RECORD. The tap must stop cleanly."""
    proc = subprocess.Popen([str(ROOT / "bin" / "tap-rocketchat"), "--config", str(config_path)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    saw_record = False
    for line in proc.stdout:
        if line.startswith(b'{"type":"RECORD"'):
            saw_record = True
            proc.send_signal(signal.SIGTERM)
            break
    try:
        _, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise CheckFailed("the tap did not exit within 15 s of SIGTERM")
    text = err.decode(errors="replace")
    check(saw_record, f"the tap wrote no RECORD (exit {proc.returncode}); stderr:\n{text[-1500:]}")
    check(proc.returncode in (0, 143), f"the tap exited {proc.returncode} after SIGTERM (expected 0 or 143); stderr:\n{text[-1500:]}")
    bad = [l for l in text.splitlines() if re.search(r"\| (ERROR|CRITICAL) |Traceback|^\s+at ", l)]
    check(not bad, f"the tap logged errors after SIGTERM: {bad[:5]}")
    return proc.returncode


def node_warnings(log: str) -> list[str]:
    return sorted({m.group(0) for m in re.finditer(r"\(node:\d+\) \w+Warning: [^\n]*", log)})


ENV_SETTINGS = {
    "TAP_ROCKETCHAT_REQUEST_TIMEOUT": "30",                # integer (was decimal)
    "TAP_ROCKETCHAT_RETRY_BACKOFF": "1",                   # integer (was decimal)
    "TAP_ROCKETCHAT_MAX_RATE_LIMIT_WAIT": "600",           # integer (was decimal)
    "TAP_ROCKETCHAT_MAX_RETRIES": "4",                     # integer
    "TAP_ROCKETCHAT_PAGE_SIZE": "100",                     # integer
    "TAP_ROCKETCHAT_EMIT_ACTIVATE_VERSION_MESSAGES": "true",  # boolean
    "TAP_ROCKETCHAT_METRICS_LOG_LEVEL": "info",            # options
}


def check_env_settings(config: dict) -> None:
    want = {"request_timeout": 30, "retry_backoff": 1, "max_rate_limit_wait": 600, "max_retries": 4, "page_size": 100,
            "emit_activate_version_messages": True, "metrics_log_level": "info"}
    for key, value in want.items():
        check(config.get(key) == value and type(config.get(key)) is type(value),
              f"--dump=config: {key} from the environment should be {value!r}, is {config.get(key)!r}")


TAP_LINE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} \| (DEBUG|INFO|WARNING|ERROR) +\| tap-rocketchat")


def check_structured_log(log: str) -> None:
    """The tap's lines reach Meltano's log parsed (structured-logging): its message, without its own timestamp."""
    check(re.search(r"summary users: \d+ records", log), "the tap's summary line is not in Meltano's log")
    doubled = [l for l in log.splitlines() if TAP_LINE.search(l)]
    check(not doubled, f"tap lines carry the tap's own timestamp and level inside Meltano's line: {doubled[:2]}")


def check_meltano_error_line(log: str) -> None:
    lines = [l for l in log.splitlines() if "credentials rejected" in l]
    check(len(lines) == 1, f"the tap's one error line should appear once in Meltano's log, found {lines}")
    check(re.search(r"\berror\b", lines[0].lower().replace("credentials rejected", "")),
          f"the tap's ERROR should show at Meltano's error level: {lines[0]}")
    check(not TAP_LINE.search(lines[0]), f"the error line carries the tap's own timestamp: {lines[0]}")


def tap_incremental_lines(log: str) -> dict[str, tuple[int, int, str]]:
    found = {}
    for m in re.finditer(r"\b(rooms|subscriptions): (\d+) changed and (\d+) deleted since (\S+)", log):
        found[m.group(1)] = (int(m.group(2)), int(m.group(3)), m.group(4))
    return found


# ---------------------------------------------------------------------------------------------

def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="tap-rocketchat-e2e-"))
    dbname = f"tap_rocketchat_e2e_{secrets.token_hex(4)}"
    keep = os.environ.get("E2E_KEEP") == "1"
    emulator: Emulator | None = None
    admin_conn: psycopg.Connection | None = None
    db_created = False
    summary: dict[str, Any] = {}
    notes: list[str] = []

    def on_signal(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    try:
        step(f"scratch directory {workdir}")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TAP_ROCKETCHAT_", "TARGET_POSTGRES_", "TARGET_JSONL_", "MELTANO_"))}
        env.update({
            "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
            "MELTANO_DATABASE_URI": f"sqlite:///{workdir}/meltano.db",  # state of this run only
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "NO_COLOR": "1",
        })
        meltano = Meltano(workdir, env)

        step("meltano install (the loaders pinned in meltano.yml)")
        _, log = meltano("install", name="install", timeout=420)
        check("Skipped installing extractor 'tap-rocketchat'" in log or "not installable" in log,
              "meltano install should skip tap-rocketchat (no pip_url)")

        users = int(os.environ.get("E2E_USERS", "2000"))
        step(f"starting the emulator (--users {users})")
        emulator = Emulator(workdir, users)
        env.update({
            "TAP_ROCKETCHAT_ENDPOINT": emulator.url,
            "TAP_ROCKETCHAT_USER_ID": emulator.admin["userId"],
            "TAP_ROCKETCHAT_TOKEN": emulator.admin["token"],
            "TARGET_POSTGRES_HOST": os.environ.get("E2E_PG_HOST", "127.0.0.1"),
            "TARGET_POSTGRES_PORT": os.environ.get("E2E_PG_PORT", "5432"),
            "TARGET_POSTGRES_USER": os.environ.get("E2E_PG_USER", "postgres"),
            "TARGET_POSTGRES_PASSWORD": os.environ.get("E2E_PG_PASSWORD", "postgres"),
            "TARGET_POSTGRES_DATABASE": dbname,
            "TARGET_JSONL_DESTINATION_PATH": str(workdir / "jsonl"),
            "TARGET_JSONL_DO_TIMESTAMP_FILE": "false",
        })
        # Settings of every kind the extractor declares, from the environment (Meltano 4.4.1 could
        # not pass a `decimal` one: "Object of type Decimal is not JSON serializable").
        env.update(ENV_SETTINGS)
        env["TAP_ROCKETCHAT__SELECT_FILTER"] = json.dumps(STREAMS)

        step(f"creating database {dbname}")
        admin_conn = pg_connect("postgres")
        admin_conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
        db_created = True
        # timestamp columns are without time zone: pin the session zone so they read as UTC
        admin_conn.execute(sql.SQL("ALTER DATABASE {} SET timezone TO 'UTC'").format(sql.Identifier(dbname)))

        # -- discovery, selection, connection test ----------------------------------------------
        step("meltano invoke tap-rocketchat --discover")
        out, _ = meltano("invoke", "tap-rocketchat", "--discover", name="discover")
        catalog = json.loads(out)
        by_id = {s["tap_stream_id"]: s for s in catalog["streams"]}
        check(list(by_id) == CATALOG_STREAMS, f"the catalog should list {CATALOG_STREAMS}, lists {list(by_id)}")
        for stream, entry in ((s, e) for s, e in by_id.items() if s in STREAMS):
            root_md = next(m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == [])
            check(root_md.get("table-key-properties") == ["_id"], f"catalog {stream}: table-key-properties {root_md.get('table-key-properties')}")
            check(set(entry["schema"]["properties"]) == set(SCHEMAS[stream]["properties"]),
                  f"catalog {stream}: schema properties differ from schemas/streams/{stream}.json")
            if stream in INCREMENTAL:
                check(root_md.get("valid-replication-keys") == ["_updatedAt"], f"catalog {stream}: valid-replication-keys {root_md.get('valid-replication-keys')}")

        step("meltano select tap-rocketchat --list --all")
        out, _ = meltano("select", "tap-rocketchat", "--list", "--all", name="select")
        for stream in STREAMS:
            check(f"[automatic  ] {stream}._id" in out, f"`meltano select --list --all` does not show {stream}._id as automatic")
        out, _ = meltano("--environment=no-pii", "select", "tap-rocketchat", "--list", "--all", name="select-no-pii")
        check("[excluded   ] users.emails" in out and "[selected   ] users.username" in out,
              "the no-pii environment of meltano.yml should exclude users.emails and keep users.username")

        step("meltano config test tap-rocketchat")
        out, log = meltano("config", "test", "tap-rocketchat", name="config-test")
        check("Plugin configuration is valid" in out + log, f"meltano config test did not report a valid configuration:\n{out[-1000:]}")
        out, _ = meltano("invoke", "--dump=config", "tap-rocketchat", name="dump-config")
        config_path = workdir / "tap-config.json"
        config_path.write_text(out)
        check_env_settings(json.loads(out))
        step("  settings of every kind from the environment reach the tap with their JSON types")
        out, log = meltano("config", "test", "tap-rocketchat", name="config-test-start-date",
                           extra_env={"TAP_ROCKETCHAT_START_DATE": "2001-02-03T04:05:06Z"})
        check("Plugin configuration is valid" in out + log, "meltano config test with TAP_ROCKETCHAT_START_DATE (date_iso8601) failed")
        out, log = meltano("invoke", "tap-rocketchat", name="invoke-bad-token", ok_codes=(1,),
                           extra_env={"TAP_ROCKETCHAT_TOKEN": "not-the-token"})
        check_meltano_error_line(log)
        step("  a failing tap's ERROR shows once under Meltano, at error level, with one timestamp")
        rc = check_sigterm(config_path)
        step(f"  the tap stops cleanly on SIGTERM at the first RECORD (exit {rc})")

        # -- run 1: full load --------------------------------------------------------------------
        expected1 = emulator.expected()
        model = Model()
        for stream in STREAMS:
            model.live[stream] = {r["_id"]: r for r in expected1[stream]["records"]}
        emulator.clear_requests()
        step("meltano run tap-rocketchat target-postgres (1: full load)")
        t = time.time()
        _, log1 = meltano("run", "tap-rocketchat", "target-postgres", name="run1-postgres")
        summary["first_run_s"] = time.time() - t
        check_structured_log(log1)
        warnings = node_warnings(log1)
        if warnings:
            notes.append("the tap printed Node.js process warnings under Meltano (stdout is a pipe): " + " | ".join(warnings))
        conn = pg_connect(dbname)
        check_structure(conn)
        state1 = stored_state(meltano, STATE_ID, "state-get-1")
        rows1 = check_contents(conn, model, state1)
        check_state(state1, model, None, {})
        for stream in INCREMENTAL:
            greatest = conn.execute(sql.SQL('SELECT max("_updatedAt") FROM {}.{}').format(
                sql.Identifier(PG_SCHEMA), sql.Identifier(stream))).fetchone()[0]
            check(to_utc_naive(state1["bookmarks"][stream]["replication_key_value"]) == greatest,
                  f"state {stream}: replication_key_value {state1['bookmarks'][stream]['replication_key_value']} "
                  f"should be the greatest _updatedAt in the table, {greatest}")
        summary["run1"] = {s: len(rows1[s]) for s in STREAMS}
        step(f"  {summary['first_run_s']:.1f} s; rows: " + ", ".join(f"{s} {n}" for s, n in summary["run1"].items()))

        step("the tap's own final STATE for the same data (meltano invoke tap-rocketchat) = meltano state get")
        out, _ = meltano("invoke", "tap-rocketchat", name="invoke-sync")
        tap_state = final_state_of(out)
        check(normalise_versions(tap_state) == normalise_versions(state1),
              f"`meltano state get {STATE_ID}` differs from the tap's final STATE (versions aside):\n"
              f"  stored: {json.dumps(state1)[:1500]}\n  tap:    {json.dumps(tap_state)[:1500]}")

        # -- run 2: nothing changed: upserts, no duplicates, incremental streams read nothing --------
        batched = {s: {r["_id"]: r["_sdc_batched_at"] for r in rows1[s]} for s in INCREMENTAL}
        emulator.clear_requests()
        step("meltano run tap-rocketchat target-postgres (2: no changes)")
        _, log2 = meltano("run", "tap-rocketchat", "target-postgres", name="run2-postgres")
        state2 = stored_state(meltano, STATE_ID, "state-get-2")
        rows2 = check_contents(conn, model, state2)
        for stream in STREAMS:
            check(len(rows2[stream]) == len(rows1[stream]), f"{stream}: {len(rows1[stream])} rows after run 1, {len(rows2[stream])} after run 2")
        for stream in INCREMENTAL:
            since = iso_ms(ms_of(state1["bookmarks"][stream]["replication_key_value"]) - OVERLAP_MS)
            check(state2["bookmarks"][stream] == state1["bookmarks"][stream],
                  f"state {stream} changed although nothing changed: {state1['bookmarks'][stream]} → {state2['bookmarks'][stream]}")
            rewritten = [r["_id"] for r in rows2[stream] if r["_sdc_batched_at"] != batched[stream][r["_id"]]]
            check(not rewritten, f"{stream}: run 2 rewrote rows although nothing changed: {few(rewritten)}")
            check(tap_incremental_lines(log2).get(stream, (None,))[0] == 0,
                  f"{stream}: the tap should log '0 changed and 0 deleted since {since}', logged {tap_incremental_lines(log2).get(stream)}")
        check_requests(emulator.requests(), state1, "run 2")

        # -- run 3: after changes -----------------------------------------------------------------
        step(f"POST /_emulator/mutate {json.dumps(MUTATION)}")
        changes = emulator.post("/_emulator/mutate", MUTATION)
        removes: dict[str, list[dict]] = {}
        emitted: dict[str, set[str]] = {}
        expected3 = emulator.expected()
        for stream in INCREMENTAL:
            b = state2["bookmarks"][stream]
            since = iso_ms(ms_of(b["replication_key_value"]) - OVERLAP_MS)
            inc = emulator.expected(stream, since)
            overlap = b.get("overlap", {})
            fresh = [r for r in inc["records"] if not (r["_id"] in overlap and ms_of(overlap[r["_id"]]) == ms_of(r["_updatedAt"]))]
            removes[stream] = inc.get("remove", [])
            emitted[stream] = {r["_id"] for r in fresh} | {d["_id"] for d in removes[stream]}
            # The mutation's ids that concern the admin (its rooms, its own subscriptions) must be
            # among the changes the tap is expected to read: the mutation did take effect.
            ch = changes[stream]
            visible_now = {r["_id"] for r in expected3[stream]["records"]}
            mine_deleted = set(ch["deleted"]) & set(model.live[stream])
            mine_changed = (set(ch["inserted"]) | set(ch["updated"])) & visible_now
            check(mine_deleted and mine_deleted <= {d["_id"] for d in removes[stream]},
                  f"{stream}: the admin's deleted ids {few(mine_deleted) or 'none'} should be in remove since {since}")
            check(mine_changed and mine_changed <= {r["_id"] for r in fresh},
                  f"{stream}: the admin's inserted/updated ids {few(mine_changed) or 'none'} should be read since {since}")
            for r in inc["records"]:
                model.live[stream][r["_id"]] = r
                model.deleted[stream].pop(r["_id"], None)
            for d in removes[stream]:
                model.live[stream].pop(d["_id"], None)
                model.deleted[stream][d["_id"]] = d["_deletedAt"]
        for stream in FULL_TABLE:
            now = {r["_id"]: r for r in expected3[stream]["records"]}
            for rid in set(model.live[stream]) - set(now):
                model.deleted[stream][rid] = None
            model.live[stream] = now
        check(set(changes["users"]["deleted"]) <= set(model.deleted["users"]), "users deleted by the mutation are still in the emulator's data")
        emulator.clear_requests()
        step("meltano run tap-rocketchat target-postgres (3: incremental, after the mutation)")
        _, log3 = meltano("run", "tap-rocketchat", "target-postgres", name="run3-postgres")
        state3 = stored_state(meltano, STATE_ID, "state-get-3")
        before = {s: {r["_id"]: r["_sdc_batched_at"] for r in rows2[s]} for s in INCREMENTAL}
        rows3 = check_contents(conn, model, state3)
        check_state(state3, model, state2["bookmarks"], removes)
        check_requests(emulator.requests(), state2, "run 3")
        logged = tap_incremental_lines(log3)
        for stream in INCREMENTAL:
            written = {r["_id"] for r in rows3[stream] if before[stream].get(r["_id"]) != r["_sdc_batched_at"]}
            check(written == emitted[stream],
                  f"{stream}: run 3 should write exactly the changed and deleted rows; "
                  f"not written {few(emitted[stream] - written) or 'none'}; written although unchanged {few(written - emitted[stream]) or 'none'}")
            n_changed = len(emitted[stream]) - len(removes[stream])
            check(logged.get(stream, (None, None))[:2] == (n_changed, len(removes[stream])),
                  f"{stream}: the tap should log '{n_changed} changed and {len(removes[stream])} deleted', logged {logged.get(stream)}")
            ch = changes[stream]
            by_id = {r["_id"]: r for r in rows3[stream]}
            for rid in ch["deleted"]:
                check(by_id[rid]["_sdc_deleted_at"] is not None, f"{stream} {rid}: deleted, but _sdc_deleted_at is NULL")
            for rid in ch["updated"]:
                if rid in model.live[stream]:
                    check(same_value({"type": ["string", "null"], "format": "date-time"},
                                     model.live[stream][rid]["_updatedAt"], by_id[rid]["_updatedAt"]),
                          f"{stream} {rid}: updated, but _updatedAt is {by_id[rid]['_updatedAt']}")
            summary.setdefault("changes", {})[stream] = (f"{len(ch['updated'])} updated, {len(ch['inserted'])} inserted, "
                                                         f"{len(ch['deleted'])} deleted; run 3 wrote {len(emitted[stream])} rows")
        users3 = {r["_id"]: r for r in rows3["users"]}
        for rid in changes["users"]["deleted"]:
            check(users3[rid]["_sdc_deleted_at"] is not None, f"users {rid}: deleted, but _sdc_deleted_at is NULL after ACTIVATE_VERSION")
        for rid in changes["users"]["inserted"]:
            check(rid in users3 and users3[rid]["_sdc_deleted_at"] is None, f"users {rid}: inserted, but not loaded")
        summary["changes"]["users"] = (f"{len(changes['users']['updated'])} updated, {len(changes['users']['inserted'])} inserted, "
                                       f"{len(changes['users']['deleted'])} deleted (soft-deleted through ACTIVATE_VERSION)")
        summary["run3"] = {s: (len(model.live[s]), len(model.deleted[s])) for s in STREAMS}

        # -- target-jsonl ---------------------------------------------------------------------------
        step("meltano run tap-rocketchat target-jsonl")
        _, logj = meltano("run", "tap-rocketchat", "target-jsonl", name="run-jsonl")
        files = sorted(p.name for p in (workdir / "jsonl").glob("*"))
        check(files == sorted(f"{s}.jsonl" for s in STREAMS), f"target-jsonl should write six <stream>.jsonl files, wrote {files}")
        summary["jsonl"] = {}
        for stream in STREAMS:
            lines = (workdir / "jsonl" / f"{stream}.jsonl").read_text().splitlines()
            ids = [json.loads(l)["_id"] for l in lines]
            want = {r["_id"] for r in expected3[stream]["records"]}
            check(len(ids) == len(want) and set(ids) == want,
                  f"{stream}.jsonl: {len(ids)} lines, the emulator has {len(want)} records "
                  f"(missing {few(want - set(ids)) or 'none'}, unexpected {few(set(ids) - want) or 'none'})")
            summary["jsonl"][stream] = len(ids)
        ignored = len(re.findall(r"Unknown message type ACTIVATE_VERSION", logj))
        if ignored:
            notes.append(f"target-jsonl 0.1.4 does not know ACTIVATE_VERSION: it logged 'WARNING Unknown message type "
                         f"ACTIVATE_VERSION' {ignored} times (once per full-table stream) and carried on; files are complete")
        stored_state(meltano, JSONL_STATE_ID, "state-get-jsonl")

        # -- messages: a backfill, then edits, inserts and deletions -----------------------------------
        summary["messages"] = check_messages(meltano, emulator, dbname)

        # -- scope workspace, Omnichannel and statistics ---------------------------------------------
        summary["workspace"] = check_workspace_environment(meltano, emulator, admin_conn, dbname)

        # -- summary --------------------------------------------------------------------------------
        print("\n== Meltano end-to-end: all checks passed")
        print(f"{'table':<14}{'run 1 rows':>11}{'run 3 live':>11}{'deleted':>9}{'jsonl':>8}")
        for stream in STREAMS:
            live, gone = summary["run3"][stream]
            print(f"{stream:<14}{summary['run1'][stream]:>11}{live:>11}{gone:>9}{summary['jsonl'][stream]:>8}")
        for stream, text in summary["changes"].items():
            print(f"  mutation {stream}: {text}")
        for note in notes:
            print(f"  NOTE: {note}")
        print("messages (schema tap_rocketchat_messages): " + ", ".join(f"{k} {v}" for k, v in summary["messages"].items()))
        print("environment workspace (schema tap_rocketchat_workspace): " + ", ".join(f"{s} {n}" for s, n in summary["workspace"].items()))
        print(f"first `meltano run tap-rocketchat target-postgres`: {summary['first_run_s']:.1f} s wall")
        print(f"total: {time.time() - T0:.1f} s")
        print(f"meltano-e2e: {check.passed} passed, 0 failed")
        return 0
    except CheckFailed as e:
        print(f"\nE2E CHECK FAILED: {e}\n(scratch directory with every log: {workdir}{'' if keep else ', removed; E2E_KEEP=1 keeps it'})",
              file=sys.stderr, flush=True)
        print(f"meltano-e2e: {check.passed} passed, 1 failed", flush=True)
        return 1
    except KeyboardInterrupt as e:
        print(f"\ninterrupted ({e})", file=sys.stderr)
        return 130
    finally:
        if emulator is not None:
            emulator.stop()
        if db_created and admin_conn is not None and not keep:
            try:
                admin_conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
            except Exception as e:  # noqa: BLE001
                print(f"warning: could not drop database {dbname}: {e}", file=sys.stderr)
        if admin_conn is not None:
            admin_conn.close()
        if keep:
            print(f"kept: database {dbname}, scratch directory {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


WORKSPACE_STREAMS = ["teams", "rooms", "livechat_rooms", "livechat_agents", "livechat_departments", "livechat_contacts", "statistics"]
MESSAGES_SCHEMA = "tap_rocketchat_messages"


def run_messages(meltano: Meltano, name: str) -> None:
    """`meltano run` of the messages stream alone, into its own schema (its state id is the job's)."""
    saved = {k: meltano.env.get(k) for k in ("TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA", "TAP_ROCKETCHAT__SELECT_FILTER")}
    meltano.env["TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA"] = MESSAGES_SCHEMA
    meltano.env["TAP_ROCKETCHAT__SELECT_FILTER"] = json.dumps(["messages"])
    try:
        meltano("run", "tap-rocketchat", "target-postgres", name=name, timeout=600)
    finally:
        for k, v in saved.items():
            if v is None:
                meltano.env.pop(k, None)
            else:
                meltano.env[k] = v


def message_rows(dbname: str) -> dict[str, Any]:
    with pg_connect(dbname) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL('SELECT _id, _sdc_deleted_at, msg FROM {}.messages').format(sql.Identifier(MESSAGES_SCHEMA)))
        return {row[0]: (row[1], row[2]) for row in cur.fetchall()}


def check_messages(meltano: Meltano, emulator: Emulator, dbname: str) -> dict[str, int]:
    """Every message the admin reads, then an incremental run after edits, inserts and deletions."""
    step("meltano run tap-rocketchat target-postgres (messages: backfill of every readable room)")
    run_messages(meltano, "run-messages-1")
    # A soft-deleted message (t:'rm') is loaded with _sdc_deleted_at set (README, Messages).
    want = {r["_id"] for r in emulator.expected()["messages"]["records"] if r.get("t") != "rm"}
    rows = message_rows(dbname)
    live = {i for i, (gone, _) in rows.items() if gone is None}
    check(live == want, f"messages: {len(live)} live rows, the emulator serves {len(want)} "
                        f"(missing {few(want - live) or 'none'}, unexpected {few(live - want) or 'none'})")
    change = emulator.post("/_emulator/mutate", {"messages": {"identity": "admin", "rid": "GENERAL", "insert": 4, "edit": 3, "delete": 2}})["messages"]
    step(f"  mutated GENERAL: {len(change['inserted'])} inserted, {len(change['updated'])} edited, {len(change['deleted'])} deleted")
    run_messages(meltano, "run-messages-2")
    after = {r["_id"]: r for r in emulator.expected()["messages"]["records"] if r.get("t") != "rm"}
    rows = message_rows(dbname)
    live = {i for i, (gone, _) in rows.items() if gone is None}
    check(live == set(after), f"messages after the changes: live rows differ (missing {few(set(after) - live) or 'none'}, "
                              f"unexpected {few(live - set(after)) or 'none'})")
    for mid in change["deleted"]:
        check(mid in rows and rows[mid][0] is not None, f"messages: deleted message {mid} has no _sdc_deleted_at")
    for mid in (m for m in change["updated"] if m not in change["deleted"]):
        check(mid in after and rows[mid][1] == after[mid].get("msg"), f"messages: edited message {mid} not stored as edited")
    return {"rows after run 1": len(want), "live after run 2": len(live), "deleted": len(change["deleted"]),
            "edited": len(change["updated"]), "inserted": len(change["inserted"])}


WORKSPACE_SCHEMA = "tap_rocketchat_workspace"


def check_workspace_environment(meltano: Meltano, emulator: Emulator, admin_conn: Any, dbname: str) -> dict[str, int]:
    """`meltano --environment=workspace run`: every room and team, and the Omnichannel and statistics tables."""
    step("meltano --environment=workspace run tap-rocketchat target-postgres (scope workspace, Omnichannel, statistics)")
    meltano.env["TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA"] = WORKSPACE_SCHEMA
    # The other runs filter the selection to the six checked streams; this one reads its own.
    metadata_filter = meltano.env.get("TAP_ROCKETCHAT__SELECT_FILTER")
    meltano.env["TAP_ROCKETCHAT__SELECT_FILTER"] = json.dumps(WORKSPACE_STREAMS)
    try:
        meltano("--environment=workspace", "run", "tap-rocketchat", "target-postgres", name="run-workspace", timeout=600)
    finally:
        del meltano.env["TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA"]
        if metadata_filter is None:
            del meltano.env["TAP_ROCKETCHAT__SELECT_FILTER"]
        else:
            meltano.env["TAP_ROCKETCHAT__SELECT_FILTER"] = metadata_filter
    def ids(endpoint: str, **params: str) -> set[str]:
        q = "&".join(f"{k}={v}" for k, v in params.items())
        got = emulator.get(f"/_emulator/expected-endpoint?endpoint={endpoint}&identity=admin{'&' + q if q else ''}")
        check("error" not in got, f"expected-endpoint {endpoint}: {got.get('error')}")
        return {r["_id"] for r in got["records"]}
    rooms_all = ids("rooms.adminRooms", types="c&types=p&types=d&types=l&types=discussions&types=teams")
    want = {
        "teams": ids("teams.listAll"),
        "rooms": rooms_all,
        "livechat_rooms": ids("livechat/rooms"),
        "livechat_agents": ids("livechat/users/agent"),
        "livechat_departments": ids("livechat/department", showArchived="true"),
        "livechat_contacts": ids("omnichannel/contacts.search", unknown="false") | ids("omnichannel/contacts.search", unknown="true"),
        "statistics": ids("statistics"),
    }
    counts: dict[str, int] = {}
    with pg_connect(dbname) as conn, conn.cursor() as cur:
        for stream in WORKSPACE_STREAMS:
            cur.execute(sql.SQL("SELECT _id FROM {}.{} WHERE _sdc_deleted_at IS NULL").format(sql.Identifier(WORKSPACE_SCHEMA), sql.Identifier(stream)))
            got = {row[0] for row in cur.fetchall()}
            check(got == want[stream], f"workspace {stream}: {len(got)} rows, the emulator has {len(want[stream])} "
                                       f"(missing {few(want[stream] - got) or 'none'}, unexpected {few(got - want[stream]) or 'none'})")
            counts[stream] = len(got)
        cur.execute(sql.SQL("SELECT count(*) FROM {}.livechat_rooms WHERE v::text LIKE %s").format(sql.Identifier(WORKSPACE_SCHEMA)), ('%"token"%',))
        check(cur.fetchone()[0] == 0, "workspace livechat_rooms: a visitor token was loaded")
    return counts


def check_requests(requests: list[dict], state: dict, label: str) -> None:
    """rooms.get and subscriptions.get were called with updatedSince = bookmark - 2 s, never without."""
    for stream, route in (("rooms", "/api/v1/rooms.get"), ("subscriptions", "/api/v1/subscriptions.get")):
        calls = [r for r in requests if r["path"] == route]
        check(calls, f"{label}: no {route} request in the emulator's log")
        since = iso_ms(ms_of(state["bookmarks"][stream]["replication_key_value"]) - OVERLAP_MS)
        bad = [r["query"] for r in calls if ms_of(r["query"].get("updatedSince", "1970-01-01T00:00:00Z")) != ms_of(since)]
        check(not bad, f"{label}: {route} should be called with updatedSince={since}, was called with {bad[:3]}")


if __name__ == "__main__":
    sys.exit(main())
