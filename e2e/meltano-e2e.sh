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

T0=$E2E_T0
# shellcheck source=e2e/lib.sh
. "$ROOT/e2e/lib.sh"

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

ensure_tap_built
ensure_postgres "${E2E_PG_HOST:-127.0.0.1}" "${E2E_PG_PORT:-5432}"

exec "$VENV/bin/python" e2e/meltano_e2e.py "$@"
