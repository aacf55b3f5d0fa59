#!/usr/bin/env bash
# The tap into every common Singer target, against the bundled emulator with --odd-values (every
# field that Rocket.Chat types as a union takes each JSON shape): each target must load every
# stream, with row counts equal to the emulator's and every union value intact in its storage.
#
#   bash e2e/targets-matrix.sh            # TARGETS_KEEP=1 keeps the databases and files
#   TARGETS_ONLY="duckdb jsonl" bash e2e/targets-matrix.sh
#
# Targets (pinned in e2e/targets-requirements/<name>.txt, one Python 3.11 virtualenv each under
# .venv-targets/, git-ignored, reinstalled only when its requirements file changes):
# meltanolabs-target-postgres 0.8.1, pipelinewise-target-postgres 2.1.2, target-duckdb 0.8.0
# (duckdb 1.0.0), meltanolabs-target-csv 0.5.0, target-jsonl 0.1.4; singer-tools 0.4.1's
# singer-check-tap checks the tap's output. PostgreSQL on 127.0.0.1:5432 (trust auth, user
# postgres): each PostgreSQL target gets a throw-away database, dropped at the end.
set -euo pipefail
export TARGETS_T0=${TARGETS_T0:-$(date +%s.%N)}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

VENVS=${TARGETS_VENVS:-$ROOT/.venv-targets}
PYTHON=${TARGETS_PYTHON:-python3.11}
REQS=$ROOT/e2e/targets-requirements
ALL="checker singer-tools pg-meltano pg-pipelinewise duckdb csv jsonl"

T0=$TARGETS_T0
# shellcheck source=e2e/lib.sh
. "$ROOT/e2e/lib.sh"

command -v "$PYTHON" >/dev/null || { echo "targets-matrix: $PYTHON not found (set TARGETS_PYTHON to a Python 3.11 interpreter)" >&2; exit 2; }

# One virtualenv per requirements file; a stamp holds the file's hash, so an unchanged file costs nothing.
install_venv() {
  local name=$1 venv=$VENVS/$1 req=$REQS/$1.txt log
  local want; want=$(sha256sum "$req" | cut -d' ' -f1)
  if [ -f "$venv/.requirements.sha256" ] && [ "$(cat "$venv/.requirements.sha256")" = "$want" ] \
     && "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    return 0
  fi
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  log=$(mktemp)
  if ! "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$req" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"
    echo "targets-matrix: pip install -r $req failed" >&2
    return 1
  fi
  rm -f "$log"
  echo "$want" > "$venv/.requirements.sha256"
  echo "  installed $name"
}

mkdir -p "$VENVS"
say "virtualenvs in ${VENVS#"$ROOT"/} (only what changed is installed)"
pids=() names=()
for name in $ALL; do
  install_venv "$name" & pids+=($!) names+=("$name")
done
failed=0
for i in "${!pids[@]}"; do wait "${pids[$i]}" || { echo "targets-matrix: could not install ${names[$i]}" >&2; failed=1; }; done
[ "$failed" = 0 ] || exit 2

ensure_tap_built
ensure_postgres "${TARGETS_PG_HOST:-127.0.0.1}" "${TARGETS_PG_PORT:-5432}"

exec "$VENVS/checker/bin/python" e2e/targets-matrix.py --venvs "$VENVS" "$@"
