#!/usr/bin/env bash
# Programmes and outbox benchmark: assigning a cohort to 10,000 learners (the request's latency,
# and the background job's time), then the outbox's messages per second to a local SMTP server.
#
# Usage: bench/programmes.sh               (SQLite; SKIP_BUILD=1 to reuse the release build)
#        BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/bench bench/programmes.sh
#        LEARNERS=10000 SMTP_CONNECTIONS=8 bench/programmes.sh
# Needs python3 with aiosmtpd (pip install aiosmtpd) and curl.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN="${BIN:-$TARGET/release/lentera}"
LEARNERS=${LEARNERS:-10000}
SMTP_CONNECTIONS=${SMTP_CONNECTIONS:-8}
export LENTERA_LOG=warn

if [ "${SKIP_BUILD:-}" != 1 ]; then
  (cd "$ROOT" && cargo build --release -p lentera-server)
fi
python3 -c 'import aiosmtpd' || { echo "needs aiosmtpd: pip install aiosmtpd"; exit 1; }

WORK=$(mktemp -d)
SERVER_PID=""
SMTP_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [ -n "$SMTP_PID" ] && kill "$SMTP_PID" 2>/dev/null && wait "$SMTP_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if [ -n "${BENCH_POSTGRES_URL:-}" ]; then
  SCHEMA="bench_$(date +%s)"
  psql "$BENCH_POSTGRES_URL" -qc "CREATE SCHEMA $SCHEMA" >/dev/null
  export LENTERA_DATABASE_URL="$BENCH_POSTGRES_URL?options=-csearch_path%3D$SCHEMA"
  BACKEND="PostgreSQL"
else
  export LENTERA_DATABASE_URL="$WORK/lentera.db"
  BACKEND="SQLite"
fi
export LENTERA_DATA_DIR="$WORK" LENTERA_METRICS=false
SMTP_PORT=$(free_port)
export LENTERA_SMTP__HOST=127.0.0.1 LENTERA_SMTP__PORT=$SMTP_PORT LENTERA_SMTP__SECURITY=none \
  LENTERA_SMTP__CONNECTIONS=$SMTP_CONNECTIONS LENTERA_SMTP__FROM="Lentera <lentera@bench.test>"
# The worker stays off in the server so that the drain below is measured on its own.
export LENTERA_NOTIFICATIONS__WORKER=false

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); backend: $BACKEND"

# One OPD of $LEARNERS learners (valid NIPs), three one-lesson courses, an admin.
"$BIN" opd add "Dinas Pendidikan dan Kebudayaan" >/dev/null
python3 - "$WORK/pegawai.csv" "$LEARNERS" <<'PY'
import sys, datetime
out, n = sys.argv[1], int(sys.argv[2])
with open(out, "w") as f:
    f.write("nip,nama,email,opd,jabatan,jenis\n")
    base = datetime.date(1970, 1, 1)
    for i in range(n):
        born = base + datetime.timedelta(days=i)
        nip = f"{born:%Y%m%d}{born.year + 23}{(i % 12) + 1:02d}{1 + i % 2}001"
        f.write(f"{nip},Guru {i},guru{i}@bench.test,Dinas Pendidikan dan Kebudayaan,Guru,PNS\n")
PY
/usr/bin/time -f "import of $LEARNERS learners: %e s" "$BIN" users import "$WORK/pegawai.csv" >/dev/null
for slug in etika-pelayanan manajemen-risiko komunikasi-publik; do
  mkdir -p "$WORK/courses/$slug/01-materi"
  cat >"$WORK/courses/$slug/course.toml" <<EOF
slug = "$slug"
title = "Kursus $slug"
summary = "Ringkasan"
category = "Manajemen"
level = "dasar"
language = "id"
jp = 4
duration_minutes = 90
tags = []
visibility = "public"
self_enrol = true
EOF
  printf -- '---\ntitle: Materi\n---\n\nIsi.\n' >"$WORK/courses/$slug/01-materi/01-materi.md"
done
"$BIN" course import "$WORK"/courses/* >/dev/null
echo "bench-password-1" | "$BIN" user add --email admin@bench.test --name Admin --role admin --password-stdin >/dev/null

PORT=$(free_port)
"$BIN" serve --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done

python3 - "$BASE" <<'PY'
import sys, json, time, datetime, urllib.request
base = sys.argv[1]
def call(method, path, body=None, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, method=method, headers=headers,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req) as r:
        return r.status, json.loads(r.read() or b"null")
_, login = call("POST", "/api/v1/auth/login", {"login": "admin@bench.test", "password": "bench-password-1"})
token = login["access_token"]
_, opds = call("GET", "/api/v1/opds", token=token)
opd = opds[0]["id"] if isinstance(opds, list) else opds["items"][0]["id"]
_, p = call("POST", "/api/v1/programmes", {"title": "Pelatihan Manajemen Pemerintahan", "courses": [
    {"course": "etika-pelayanan"}, {"course": "manajemen-risiko", "required": False},
    {"course": "komunikasi-publik", "required": False}], "electives_needed": 1}, token)
now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
fmt = lambda d: d.isoformat()
_, c = call("POST", f"/api/v1/programmes/{p['id']}/cohorts", {"name": "Angkatan I", "starts_at": fmt(now - datetime.timedelta(days=1)),
    "ends_at": fmt(now + datetime.timedelta(days=60)), "due_at": fmt(now + datetime.timedelta(days=45))}, token)
t0 = time.perf_counter()
status, accepted = call("POST", f"/api/v1/cohorts/{c['id']}/assignments", {"kind": "opd", "opd_id": opd}, token)
t1 = time.perf_counter()
print(f"POST /cohorts/{{id}}/assignments (whole OPD): HTTP {status} in {(t1 - t0) * 1000:.0f} ms")
while True:
    _, job = call("GET", f"/api/v1/assignment-jobs/{accepted['job_id']}", token=token)
    if job["status"] in ("done", "failed"):
        break
    time.sleep(0.05)
t2 = time.perf_counter()
print(f"assignment job: {job['status']}, {job['assigned']} learners assigned (3 enrolments, 1 in-app notification "
      f"and 1 queued e-mail each) in {t2 - t0:.1f} s = {job['assigned'] / (t2 - t0):.0f} learners/s")
_, box = call("GET", "/api/v1/admin/outbox?per_page=1", token=token)
print(f"outbox: {box['counts']}")
PY

# The SMTP server: aiosmtpd's Sink handler (accepts and discards), one Python process.
python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Sink &
SMTP_PID=$!
for _ in $(seq 1 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $SMTP_PORT)).close()" 2>/dev/null && break; sleep 0.1; done
START=$(date +%s.%N)
OUT=$(/usr/bin/time -f "%U %S" -o "$WORK/drain.time" "$BIN" outbox drain)
END=$(date +%s.%N)
python3 - "$START" "$END" "$OUT" "$SMTP_CONNECTIONS" "$(cat "$WORK/drain.time")" <<'PY'
import sys
start, end, out, conns, cpu = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5].split()
sent = int(out.split(",")[0].split()[1])
wall = end - start
busy = float(cpu[0]) + float(cpu[1])
print(f"lentera outbox drain ({conns} SMTP connections): {out} in {wall:.1f} s = {sent / wall:.0f} messages/s "
      f"(lentera CPU {busy:.1f} s = {busy * 1000 / max(sent, 1):.2f} ms a message)")
PY
if [ -n "${BENCH_POSTGRES_URL:-}" ]; then psql "$BENCH_POSTGRES_URL" -qc "DROP SCHEMA $SCHEMA CASCADE" >/dev/null 2>&1; fi
