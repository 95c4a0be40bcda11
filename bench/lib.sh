# Shared helpers for the benchmark scripts: a release server on a fresh data dir, and tokens.
# Source it; it expects ROOT (the repository) to be set.
set -euo pipefail
# BIN may name another build (e.g. a copy of an older one, to compare).
BIN="${BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/lentera}"
export LENTERA_LOG=warn

build_release() {
  if [ "${SKIP_BUILD:-}" != 1 ]; then
    (cd "$ROOT" && make web >/dev/null && cargo build --release -p lentera-server)
  fi
}

# start_server DIR [DATABASE_URL] → sets BASE and SERVER_PID
start_server() {
  local dir=$1 url=${2:-$1/lentera.db}
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  LENTERA_DATABASE_URL="$url" LENTERA_DATA_DIR="$dir" LENTERA_METRICS=false \
    "$BIN" serve --bind "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
  SERVER_PID=$!
  BASE="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -sf "$BASE/readyz" >/dev/null && return 0; sleep 0.1; done
  echo "server did not start"; cat "$dir/server.log"; exit 1
}

stop_server() { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }

# login LOGIN PASSWORD → prints an access token
login() {
  curl -sf -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"$2\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["access_token"])'
}

# wrk_run NAME CONNECTIONS DURATION URL [extra wrk args] → prints "NAME: N req/s, p99 X"
wrk_run() {
  local name=$1 conns=$2 dur=$3 url=$4; shift 4
  local out
  out=$(wrk -t2 -c"$conns" -d"$dur" --latency "$@" "$url")
  local rps p99 p50 non2xx
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  printf '%-34s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
}
