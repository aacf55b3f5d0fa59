#!/usr/bin/env bash
# End-to-end check of the headline command, `meltano run tap-rocketchat target-postgres`, with the
# real Meltano (pinned in e2e/requirements.txt), the real MeltanoLabs target-postgres and
# target-jsonl (pinned in meltano.yml) and the PostgreSQL server on 127.0.0.1:5432, against the
# bundled Rocket.Chat emulator. Works on a fresh machine and is re-runnable:
#
#   bash e2e/meltano-e2e.sh          # E2E_KEEP=1 keeps the database and the logs for a look
#
# 1. a Python 3.11 virtualenv in .venv-e2e/ (git-ignored) with e2e/requirements.txt;
# 2. the tap built (npm ci / npm run build, only if node_modules/ or dist/ is missing);
# 3. e2e/meltano_e2e.py: `meltano install`, the emulator, a fresh database
#    tap_rocketchat_e2e_<random>, discovery, `meltano config test`, three runs into PostgreSQL
#    (full load, no-change upsert, incremental after changes) with state and contents checked,
#    a run into target-jsonl, and a summary. The emulator, the database and the scratch
#    directory are removed on success, failure or interruption.
set -euo pipefail
export E2E_T0=${E2E_T0:-$(date +%s.%N)}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

VENV=${E2E_VENV:-$ROOT/.venv-e2e}
PYTHON=${E2E_PYTHON:-python3.11}

elapsed() { awk -v t0="$E2E_T0" -v t1="$(date +%s.%N)" 'BEGIN { printf "%6.1f", t1 - t0 }'; }
say() { echo "[$(elapsed)s] $*"; }

if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
  command -v "$PYTHON" >/dev/null || { echo "e2e: $PYTHON not found (set E2E_PYTHON to a Python 3.11 interpreter)" >&2; exit 2; }
  say "creating $VENV with $("$PYTHON" --version 2>&1)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi
say "pip install -r e2e/requirements.txt"
pip_log=$(mktemp)
if ! "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -r e2e/requirements.txt >"$pip_log" 2>&1; then
  cat "$pip_log" >&2; rm -f "$pip_log"
  echo "e2e: pip install failed" >&2; exit 2
fi
rm -f "$pip_log"
say "$("$VENV/bin/meltano" --version)"

if [ ! -d node_modules ]; then say "npm ci"; npm ci --no-audit --no-fund; fi
if [ ! -f dist/src/cli.js ] || [ ! -f dist/emulator/cli.js ]; then say "npm run build"; npm run --silent build; fi

# PostgreSQL is a service of this kind of machine; start it if it is down (local server only).
PGHOST_=${E2E_PG_HOST:-127.0.0.1} PGPORT_=${E2E_PG_PORT:-5432}
if command -v pg_isready >/dev/null && ! pg_isready -q -h "$PGHOST_" -p "$PGPORT_"; then
  if [ "$PGHOST_" = 127.0.0.1 ] && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    say "PostgreSQL is not answering on $PGHOST_:$PGPORT_; starting the local cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    for _ in $(seq 30); do pg_isready -q -h "$PGHOST_" -p "$PGPORT_" && break; sleep 1; done
  fi
fi

exec "$VENV/bin/python" e2e/meltano_e2e.py "$@"
