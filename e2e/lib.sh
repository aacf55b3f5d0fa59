# Shared by the end-to-end wrappers (sourced, not run): `say` needs T0 set by the caller.

elapsed() { awk -v t0="$T0" -v t1="$(date +%s.%N)" 'BEGIN { printf "%6.1f", t1 - t0 }'; }
say() { echo "[$(elapsed)s] $*"; }

# The tap and its emulator, built only if this checkout has not been built yet.
ensure_tap_built() {
  if [ ! -d node_modules ]; then say "npm ci"; npm ci --no-audit --no-fund; fi
  if [ ! -f dist/src/cli.js ] || [ ! -f dist/emulator/cli.js ]; then say "npm run build"; npm run --silent build; fi
}

# PostgreSQL is a service of this kind of machine; start it if it is down (local server only).
ensure_postgres() {
  local host=$1 port=$2
  if command -v pg_isready >/dev/null && ! pg_isready -q -h "$host" -p "$port"; then
    if [ "$host" = 127.0.0.1 ] && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
      say "PostgreSQL is not answering on $host:$port; starting the local cluster"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
      for _ in $(seq 30); do pg_isready -q -h "$host" -p "$port" && break; sleep 1; done
    fi
  fi
}
