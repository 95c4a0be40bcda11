#!/usr/bin/env bash
# Foundation and course benchmarks (issues 2 and 3). Usage: bench/api.sh  (SKIP_BUILD=1 to reuse
# the release build). Needs wrk (Debian package) and python3.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
build_release
WORK=$(mktemp -d)
trap 'stop_server; rm -rf "$WORK"' EXIT
DUR=${DUR:-10s}

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r)"
echo "== argon2id login cost (production parameters: 19 MiB, 2 passes, 1 lane)"

# Accounts.
"$BIN" --version >/dev/null
export LENTERA_DATABASE_URL="$WORK/lentera.db" LENTERA_DATA_DIR="$WORK"
echo "bench-password-1" | "$BIN" user add --email learner@bench.test --name Learner --password-stdin >/dev/null
echo "bench-password-1" | "$BIN" user add --email instr@bench.test --name Instructor --role instructor --password-stdin >/dev/null

# A 1,000-lesson synthetic course: import time.
python3 "$ROOT/bench/gen_courses.py" big "$WORK/big" 1000
/usr/bin/time -f "import of a 1,000-lesson course: %e s wall, %M KB max RSS" "$BIN" course import "$WORK/big/course-besar" >/dev/null

# 5,000 small courses for the catalogue search.
python3 "$ROOT/bench/gen_courses.py" many "$WORK/many" 5000
/usr/bin/time -f "import of 5,000 courses (one transaction): %e s wall" "$BIN" course import "$WORK"/many/* >/dev/null

start_server "$WORK"
TOKEN=$(login learner@bench.test bench-password-1)
AUTH="Authorization: Bearer $TOKEN"
python3 - "$BASE" "$TOKEN" <<'PY'
import sys, json, time, urllib.request
base, token = sys.argv[1], sys.argv[2]
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "Bearer " + token, "content-type": "application/json"})
    return urllib.request.urlopen(req).read()
call("POST", "/api/v1/courses/course-besar/enrol", {})
# login cost, measured through the API (5 logins, median)
times = []
for _ in range(5):
    t = time.perf_counter()
    urllib.request.urlopen(urllib.request.Request(base + "/api/v1/auth/login", method="POST",
        data=json.dumps({"login": "instr@bench.test", "password": "bench-password-1"}).encode(),
        headers={"content-type": "application/json"})).read()
    times.append(time.perf_counter() - t)
times.sort()
print(f"login (argon2id verify + token issue): median {times[2]*1000:.0f} ms")
PY

echo "== issue 2: authenticated GET /api/v1/me vs /healthz (64 connections, $DUR)"
wrk_run "GET /healthz (upper bound)" 64 "$DUR" "$BASE/healthz"
wrk_run "GET /api/v1/me (authenticated)" 64 "$DUR" "$BASE/api/v1/me" -H "$AUTH"

echo "== issue 3: lesson GET vs a static file of about the same size (64 connections, $DUR)"
LESSON_BYTES=$(curl -s -H "$AUTH" "$BASE/api/v1/courses/course-besar/lessons/pelajaran-0500" | wc -c)
STATIC=$(cd "$ROOT/web/dist" && ls -S assets/*.js | python3 -c "
import sys, os
target = int(sys.argv[1]); files = [l.strip() for l in sys.stdin]
print(min(files, key=lambda f: abs(os.path.getsize(f) - target)))" "$LESSON_BYTES")
STATIC_BYTES=$(curl -s "$BASE/$STATIC" | wc -c)
echo "lesson JSON: $LESSON_BYTES bytes; static file /$STATIC: $STATIC_BYTES bytes"
wrk_run "GET static file (upper bound)" 64 "$DUR" "$BASE/$STATIC"
wrk_run "GET lesson as enrolled learner" 64 "$DUR" "$BASE/api/v1/courses/course-besar/lessons/pelajaran-0500" -H "$AUTH"

echo "== issue 3: catalogue search over 5,000 courses (16 connections, $DUR)"
cat > "$WORK/search.lua" <<'LUA'
local words = {"keamanan", "data", "layanan", "spreadsheet", "pelatihan", "digital", "anggaran", "kepegawaian"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/courses?q=" .. words[(i % #words) + 1] .. "&per_page=24")
end
LUA
wrk_run "GET /api/v1/courses?q=… (search)" 16 "$DUR" "$BASE/api/v1/courses" -H "$AUTH" -s "$WORK/search.lua"
