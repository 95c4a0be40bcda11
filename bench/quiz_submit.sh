#!/usr/bin/env bash
# Quiz submit benchmark: POST /api/v1/attempts/{id}/submit of a 20-question attempt (12 single
# choice, 3 multiple response, 2 true/false, 2 short answer, 1 numeric) at 64 connections, every
# request a different open attempt, so each one grades and stores a submission. Prints
# requests/s and latency percentiles; results go in docs/PERFORMANCE.md ("Quiz submit").
#
# Usage: bench/quiz_submit.sh
#   SKIP_BUILD=1   reuse target/release/lentera
#   DUR=10s        wrk duration          CONNS=64   connections
#   LEARNERS=1500  QUIZZES=30            prepared attempts = LEARNERS × QUIZZES
#   PG=1           also run against PostgreSQL (database lentera_bench_quiz on 127.0.0.1:5432)
# Needs wrk (Debian: apt-get install -y wrk), python3 and curl. Server and wrk share the machine.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
build_release
WORK=$(mktemp -d)
SERVER_PID=
trap '[ -n "$SERVER_PID" ] && stop_server; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
DUR=${DUR:-10s}
CONNS=${CONNS:-64}
LEARNERS=${LEARNERS:-1500}
QUIZZES=${QUIZZES:-30}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/lentera_bench_quiz}

# The benchmark measures submitting, not logging in: cheap password hashing, no login rate limit
# and hour-long access tokens make preparing many learners quick. Everything else is as shipped.
export LENTERA_API__ARGON2__MEMORY_KIB=1024 LENTERA_API__ARGON2__ITERATIONS=1
export LENTERA_API__LOGIN_LIMITS__PER_IP_PER_MINUTE=1000000 LENTERA_API__LOGIN_LIMITS__PER_ACCOUNT_PER_MINUTE=1000
export LENTERA_API__ACCESS_TOKEN_TTL_SECS=3600

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"

# A course with QUIZZES identical 20-question quizzes, so that one learner holds QUIZZES open
# attempts at once (a learner has at most one open attempt per quiz).
python3 - "$WORK/kuis-bench" "$QUIZZES" <<'PY'
import os, sys
root, quizzes = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{root}/01-materi", exist_ok=True)
os.makedirs(f"{root}/kuis", exist_ok=True)
open(f"{root}/course.toml", "w").write(
    'slug = "kuis-bench"\ntitle = "Kuis Bench"\nsummary = "Benchmark"\ncategory = "Uji"\nlevel = "dasar"\n'
    'jp = 2\nduration_minutes = 60\nvisibility = "public"\nself_enrol = true\n')
open(f"{root}/01-materi/01-pengantar.md", "w").write("---\ntitle: Pengantar\n---\n\nMateri.\n")
qs = []
for i in range(1, 13):
    qs.append(f"## Soal {i} {{#s{i}}}\n\nPertanyaan pilihan ganda nomor {i} tentang pelayanan publik di OPD?\n\n"
              f"- [x] Tepat {i}\n  > Benar.\n- [ ] Keliru A{i}\n  > Kurang tepat.\n- [ ] Keliru B{i}\n- [ ] Keliru C{i}\n\n"
              f"Pembahasan: penjelasan singkat soal {i}.\n")
for i in range(13, 16):
    qs.append(f"## Soal {i} {{#s{i}}}\n\nPilih semua jawaban yang tepat untuk soal {i}.\n\n"
              f"- [x] Tepat {i}a\n- [x] Tepat {i}b\n- [ ] Keliru A{i}\n- [ ] Keliru B{i}\n")
for i in range(16, 18):
    qs.append(f"## Soal {i} {{#s{i}}}\n\nPernyataan nomor {i} ini benar.\n\n- [x] Benar\n- [ ] Salah\n")
for i in range(18, 20):
    qs.append(f"## Soal {i} {{#s{i}}}\n\nIsi kata yang hilang pada soal {i}: _____.\n\nJawaban: jawaban | jawab\n")
qs.append("## Soal 20 {#s20}\n\nBerapa hasil enam kali tujuh?\n\nJawaban: 42\n")
for q in range(quizzes):
    open(f"{root}/kuis/ujian-{q:02d}.quiz.md", "w").write(
        f"---\ntitle: Ujian {q}\npass_mark_percent: 70\nmax_attempts: 3\nshuffle: true\n---\n\n" + "\n".join(qs))
PY

run() {
  local name=$1 url=$2
  export LENTERA_DATABASE_URL="$url" LENTERA_DATA_DIR="$WORK/data-$name"
  mkdir -p "$LENTERA_DATA_DIR"
  echo "bench-admin-pass" | "$BIN" user add --email admin@bench.test --name Admin --role admin --password-stdin >/dev/null
  "$BIN" course import "$WORK/kuis-bench" >/dev/null
  start_server "$LENTERA_DATA_DIR" "$url"
  local t0=$SECONDS
  python3 - "$BASE" "$WORK/requests-$name.tsv" "$LEARNERS" "$QUIZZES" <<'PY'
import concurrent.futures, http.client, json, sys, threading, urllib.parse
base, out, learners, quizzes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
u = urllib.parse.urlparse(base)
local = threading.local()

def call(method, path, body=None, token=None, expect=(200,)):
    if not hasattr(local, "c"):
        local.c = http.client.HTTPConnection(u.hostname, u.port)
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = "Bearer " + token
    local.c.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    r = local.c.getresponse()
    data = r.read()
    if r.status not in expect:
        raise SystemExit(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data) if data else None

def answers(attempt):
    out = {}
    for q in attempt["questions"]:
        kind = q["kind"]
        t = kind["type"]
        if t == "single_choice":
            out[q["id"]] = {"type": t, "option": next(o["id"] for o in kind["options"] if o["text"].startswith("Tepat"))}
        elif t == "multiple_response":
            out[q["id"]] = {"type": t, "options": [o["id"] for o in kind["options"] if o["text"].startswith("Tepat")]}
        elif t == "true_false":
            out[q["id"]] = {"type": t, "value": True}
        elif t == "short_answer":
            out[q["id"]] = {"type": t, "text": "Jawaban"}
        elif t == "numeric":
            out[q["id"]] = {"type": t, "input": "42"}
    assert len(out) == 20, attempt
    return out

admin = call("POST", "/api/v1/auth/login", {"login": "admin@bench.test", "password": "bench-admin-pass"})["access_token"]

def learner(i):
    email = f"peserta{i:05d}@bench.test"
    call("POST", "/api/v1/users", {"name": f"Peserta {i}", "email": email, "password": "bench-learner-pass",
                                   "roles": [{"role": "learner"}]}, admin, (201,))
    token = call("POST", "/api/v1/auth/login", {"login": email, "password": "bench-learner-pass"})["access_token"]
    call("POST", "/api/v1/courses/kuis-bench/enrol", {}, token)
    lines = []
    for q in range(quizzes):
        a = call("POST", f"/api/v1/courses/kuis-bench/quizzes/ujian-{q:02d}/attempts", {}, token, (201,))
        lines.append(f"{a['id']}\t{token}\t{json.dumps({'responses': answers(a)}, separators=(',', ':'))}")
    return lines

with concurrent.futures.ThreadPoolExecutor(4) as pool, open(out, "w") as f:
    for lines in pool.map(learner, range(learners)):
        f.write("\n".join(lines) + "\n")
PY
  echo "-- $name: prepared $((LEARNERS * QUIZZES)) open attempts in $((SECONDS - t0)) s"
  local result
  result=$(wrk -t2 -c"$CONNS" -d"$DUR" --latency -s "$ROOT/bench/quiz_submit.lua" "$BASE" -- "$WORK/requests-$name.tsv" 2)
  echo "$result" | grep -E "Latency|Req/Sec|requests in|Requests/sec|Non-2xx|Socket errors|^ +(50|75|90|99)%|submits:|WARNING"
  local rps p99
  rps=$(echo "$result" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$result" | awk '$1=="99%" {print $2}')
  printf 'RESULT %-10s submit-and-grade, 20 questions, %s connections: %s req/s, p99 %s\n' "$name" "$CONNS" "$rps" "$p99"
  # Check: every submitted attempt was graded and stored (100 %: every prepared answer is right).
  local admin
  admin=$(login admin@bench.test bench-admin-pass)
  local total
  total=$(curl -sf "$BASE/api/v1/courses/kuis-bench/quiz-attempts?per_page=1" -H "Authorization: Bearer $admin" | python3 -c 'import sys, json; print(json.load(sys.stdin)["total"])')
  # Newest first: the last page holds the oldest attempts, submitted first.
  curl -sf "$BASE/api/v1/courses/kuis-bench/quiz-attempts?per_page=200&page=$(( (total + 199) / 200 ))" -H "Authorization: Bearer $admin" | python3 -c '
import sys, json
page = json.load(sys.stdin)
done = [a for a in page["items"] if a["submitted_at"]]
assert done and all(a["percent"] == 100.0 and a["pass_state"] == "passed" for a in done), page["items"][:3]
n = len(page["items"])
print(f"   check: {len(done)} of the {n} oldest attempts submitted, all graded 100 % and passed")'
  stop_server
  SERVER_PID=
}

run sqlite "$WORK/data-sqlite/lentera.db"
if [ "${PG:-}" = 1 ]; then
  psql "${PG_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${PG_URL##*/}" -c "CREATE DATABASE ${PG_URL##*/}" >/dev/null
  run postgres "$PG_URL"
  psql "${PG_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${PG_URL##*/}" >/dev/null
fi
