#!/usr/bin/env bash
# Report benchmarks (issue 7): 100,000 learners and 1,000,000 enrolments from `lentera demo-data`,
# then the JP compliance summary per OPD and the full completion export as CSV and XLSX, with the
# server's peak memory and the time to first byte. Usage: bench/reports.sh [postgres]
# (SKIP_BUILD=1 reuses the release build; LEARNERS / PER_LEARNER change the size; SQLITE_DB=file
# reuses a database an earlier run generated, e.g. while trying a change.)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
build_release
WORK=$(mktemp -d)
SERVER_PID=
trap 'stop_server; rm -rf "$WORK"' EXIT
LEARNERS=${LEARNERS:-100000}
PER_LEARNER=${PER_LEARNER:-10}
URL="$WORK/lentera.db"
if [ "${1:-}" = postgres ]; then
  DB="lentera_bench_$$"
  psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE $DB" >/dev/null
  URL="postgres://postgres@127.0.0.1:5432/$DB"
  trap 'stop_server; rm -rf "$WORK"; psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS $DB" >/dev/null' EXIT
fi
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; database: ${1:-sqlite}"
export LENTERA_DATABASE_URL="$URL" LENTERA_DATA_DIR="$WORK"
if [ -n "${SQLITE_DB:-}" ]; then
  export LENTERA_DATABASE_URL="$SQLITE_DB"
  URL="$SQLITE_DB"
else
  /usr/bin/time -f "demo-data: %e s wall, %M KB max RSS" "$BIN" demo-data --learners "$LEARNERS" --courses 50 --enrolments-per-learner "$PER_LEARNER" --seed 7
fi
echo "report-pass-123" | "$BIN" user add --email hr@bench.test --name HR --role hr --password-stdin >/dev/null 2>&1 || [ -n "${SQLITE_DB:-}" ]
# Each part runs on a freshly started server, so that each peak RSS (VmHWM) is that part's own.
fresh_server() {
  stop_server
  start_server "$WORK" "$URL"
  TOKEN=$(login hr@bench.test report-pass-123)
  AUTH="Authorization: Bearer $TOKEN"
}
rss() { awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status"; }
SERVER_PID=
fresh_server
echo "server peak RSS after start: $(rss) KB"

for i in 1 2 3; do
  curl -s -o /dev/null -w "JP compliance summary (year 2026, all OPDs): %{time_total} s\n" -H "$AUTH" "$BASE/api/v1/reports/jp-compliance?year=2026"
done
curl -s -o /dev/null -w "per-OPD completion tally: %{time_total} s\n" -H "$AUTH" "$BASE/api/v1/reports/opds"
echo "  server peak RSS (JP summary and tally): $(rss) KB"
fresh_server
curl -s -o "$WORK/out.csv" -w "CSV export: first byte %{time_starttransfer} s, total %{time_total} s, %{size_download} bytes\n" -H "$AUTH" "$BASE/api/v1/reports/completions?format=csv"
echo "  rows (without header): $(( $(wc -l < "$WORK/out.csv") - 1 )); server peak RSS (CSV export): $(rss) KB"
fresh_server
curl -s -o "$WORK/out.xlsx" -w "XLSX export: first byte %{time_starttransfer} s, total %{time_total} s, %{size_download} bytes\n" -H "$AUTH" "$BASE/api/v1/reports/completions?format=xlsx"
echo "  server peak RSS (XLSX export): $(rss) KB"
