#!/usr/bin/env bash
# Progress sync benchmark: durable learning events per second through
# POST /api/v1/progress/events, 50-event batches at 64 connections, on SQLite and on PostgreSQL.
#
# Usage: bench/sync.sh
#   SKIP_BUILD=1   reuse the release build (otherwise: cargo build --release -p lentera-server)
#   DUR=30s        wrk duration;  LEARNERS=1000  learners the batches are spread over
#   PG_ADMIN_URL   a PostgreSQL database to run CREATE/DROP DATABASE from
#                  (default postgres://postgres@127.0.0.1:5432/test);  NO_PG=1 skips PostgreSQL
# Needs wrk (Debian: apt-get install -y wrk), python3, sqlite3 and psql.
#
# "Durable" means answered "accepted": the answer is sent after the transaction holding the
# events committed. The figure is the rows that reached progress_events during the run divided
# by the run's length, cross-checked against wrk's requests per second x 50.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET" in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
BIN="${BIN:-$TARGET/release/lentera}"
if [ "${SKIP_BUILD:-}" != 1 ]; then
  (cd "$ROOT" && cargo build --release -p lentera-server)
fi
DUR=${DUR:-30s}
LEARNERS=${LEARNERS:-1000}
PG_ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}
WORK=$(mktemp -d)
PG_DB=""
SERVER_PID=""
cleanup() {
  stop_server
  if [ -n "$PG_DB" ]; then psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); wrk -t2 -c64 -d$DUR; $LEARNERS learners"

# Setup only (not measured): cheap password hashing and no login limit so that a thousand
# learners log in quickly; the measured requests check a JWT and the session, not a password.
export LENTERA_API__ARGON2__MEMORY_KIB=1024 LENTERA_API__ARGON2__ITERATIONS=1
export LENTERA_API__LOGIN_LIMITS__PER_IP_PER_MINUTE=1000000 LENTERA_API__LOGIN_LIMITS__PER_ACCOUNT_PER_MINUTE=1000
export LENTERA_API__ACCESS_TOKEN_TTL_SECS=7200

# A course of 40 required lessons (pelajaran-01 … pelajaran-40): learners rarely finish it
# during the run, so the figure is about syncing, not about rendering certificates.
python3 - "$WORK/kursus/bench-sync" <<'PY'
import os, sys
root = sys.argv[1]
os.makedirs(f"{root}/01-materi", exist_ok=True)
with open(f"{root}/course.toml", "w") as f:
    f.write('slug = "bench-sync"\ntitle = "Kursus Uji Sinkronisasi"\nsummary = "Uji"\ncategory = "Umum"\n'
            'level = "dasar"\nlanguage = "id"\njp = 4\nduration_minutes = 120\ntags = []\n'
            'visibility = "public"\nself_enrol = true\n')
for i in range(1, 41):
    with open(f"{root}/01-materi/{i:02d}-pelajaran-{i:02d}.md", "w") as f:
        f.write(f"---\ntitle: Pelajaran {i}\n---\n\n## Bagian 1\n\nIsi pelajaran {i}.\n")
PY

cat > "$WORK/sync.lua" <<'LUA'
-- 50 events per request for one learner (the learners taken in turn), each with a client id no
-- other request in this run (or an earlier run) uses.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

-- `bad` is a global so that done() can read it from each thread.
local tokens, counter, salt = {}, 0, 0
bad = 0
function init(args)
  tid = tid or 0
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
  math.randomseed(os.time() * 1000 + tid)
  salt = math.random(0, 0x7fffffff)
end

local kinds = {
  function(l) return '{"type":"lesson_opened","lesson_id":"' .. l .. '"}' end,
  function(l) return '{"type":"time_spent","lesson_id":"' .. l .. '","seconds":30}' end,
  function(l) return '{"type":"position","lesson_id":"' .. l .. '","anchor":"bagian-1"}' end,
  function(l) return '{"type":"lesson_opened","lesson_id":"' .. l .. '"}' end,
  function(l) return '{"type":"time_spent","lesson_id":"' .. l .. '","seconds":45}' end,
  function(l) return '{"type":"position","lesson_id":"' .. l .. '","anchor":null}' end,
  function(l) return '{"type":"lesson_completed","lesson_id":"' .. l .. '"}' end,
}

function request()
  tid = tid or 0
  counter = counter + 1
  local token = tokens[((counter * 7 + tid * 131) % #tokens) + 1]
  local now = os.date("!%Y-%m-%dT%H:%M:%SZ")
  local events = {}
  for i = 1, 50 do
    local n = counter * 50 + i
    local id = string.format("%08x-%04x-4000-8000-%06x%06x", salt, tid, math.floor(n / 16777216) % 16777216, n % 16777216)
    local lesson = string.format("pelajaran-%02d", math.random(1, 40))
    events[i] = '{"client_id":"' .. id .. '","course_id":"bench-sync","occurred_at":"' .. now .. '","kind":' .. kinds[(n % #kinds) + 1](lesson) .. '}'
  end
  local body = '{"events":[' .. table.concat(events, ",") .. ']}'
  return wrk.format("POST", nil, { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"accepted":50,', 1, true) then bad = bad + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + (t:get("bad") or 0) end
  io.write(string.format("responses not accepting all 50 events: %d\n", total))
end
LUA

# run NAME DATABASE_URL COUNT_COMMAND…
run() {
  local name=$1 url=$2; shift 2
  local dir="$WORK/$name"
  mkdir -p "$dir"
  export LENTERA_DATABASE_URL="$url" LENTERA_DATA_DIR="$dir"
  "$BIN" course import "$WORK/kursus/bench-sync" >/dev/null
  echo "Bench-Admin-2026!" | "$BIN" user add --email admin@bench.test --name Admin --role admin --password-stdin >/dev/null
  start_server "$dir" "$url"
  python3 - "$BASE" "$LEARNERS" "$dir/tokens.txt" <<'PY'
import http.client, json, sys, urllib.parse
base, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
u = urllib.parse.urlparse(base)
c = http.client.HTTPConnection(u.hostname, u.port)
def call(method, path, body=None, token=None):
    h = {"content-type": "application/json"}
    if token: h["authorization"] = "Bearer " + token
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse(); data = r.read()
    assert r.status < 300, (path, r.status, data)
    return json.loads(data) if data else None
admin = call("POST", "/api/v1/auth/login", {"login": "admin@bench.test", "password": "Bench-Admin-2026!"})["access_token"]
with open(out, "w") as f:
    for i in range(n):
        email = f"murid{i:05d}@bench.test"
        call("POST", "/api/v1/users", {"name": f"Murid {i}", "email": email, "password": "Bench-Murid-2026!"}, admin)
        t = call("POST", "/api/v1/auth/login", {"login": email, "password": "Bench-Murid-2026!"})["access_token"]
        call("POST", "/api/v1/courses/bench-sync/enrol", {}, t)
        f.write(t + "\n")
PY
  local before after out secs
  before=$("$@")
  out=$(wrk -t2 -c64 -d"$DUR" --latency -s "$WORK/sync.lua" "$BASE/api/v1/progress/events" -- "$dir/tokens.txt")
  after=$("$@")
  stop_server
  secs=$(echo "$out" | awk '/requests in/ {for (i = 1; i <= NF; i++) if ($i ~ /s,$/) {sub(/s,/, "", $i); print $i}}')
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  awk -v n="$name" -v d="$((after - before))" -v s="$secs" -v r="$rps" -v p50="$p50" -v p99="$p99" 'BEGIN {
    printf "%-10s %8.0f durable events/s  (%d events stored in %ss; %s batches/s x 50 = %.0f)  p50 %s  p99 %s\n", n, d / s, d, s, r, r * 50, p50, p99 }'
  echo "$out" | grep -E "Non-2xx|Socket errors|not accepting" || true
}

run sqlite "$WORK/sqlite/lentera.db" sqlite3 "$WORK/sqlite/lentera.db" "SELECT count(*) FROM progress_events"

if [ "${NO_PG:-}" != 1 ]; then
  PG_DB="lentera_bench_$$"
  psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE $PG_DB" >/dev/null
  PG_URL="${PG_ADMIN_URL%/*}/$PG_DB"
  run postgres "$PG_URL" psql -tA "$PG_URL" -c "SELECT count(*) FROM progress_events"
fi
