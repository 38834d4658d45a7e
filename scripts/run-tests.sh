#!/usr/bin/env bash
# Usage: scripts/run-tests.sh [PYTEST ARGS...]   (what `make test` runs)
#
# Runs the whole pytest suite twice: on SQLite, then on PostgreSQL (scripts/with-postgres.sh
# finds or starts a server). Fails if either pass fails or runs no test (pytest exit 5).
# Each pass runs in parallel with pytest-xdist: PLANWERK_TEST_WORKERS processes (default one more
# than the machine has cores: the workers often wait for Chromium, WeasyPrint's child processes
# or PostgreSQL, and a third worker on two cores took the SQLite pass from 796 to 725 s; 0 runs
# in this process). --dist worksteal hands each worker a contiguous share of
# the tests and lets an idle worker take over the rest of a busy one's, so module-scoped fixtures
# (the Chromium of tests/browser, the Leipzig plan of tests/progress) are built about once per
# module, and one long module (tests/access/test_permission_matrix.py) does not hold up the end.
# Each worker has its own test database (pytest-django adds _gw0, _gw1…).
set -uo pipefail
cd "$(dirname "$0")/.."

export PYTHON=${PYTHON:-.venv/bin/python}
cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
parallel=(-n "${PLANWERK_TEST_WORKERS:-$((cores + 1))}" --dist worksteal)
reports=$(mktemp -d "${TMPDIR:-/tmp}/planwerk-tests.XXXXXX")
trap 'rm -rf "$reports"' EXIT

explain() { # pass label, exit code
    case $2 in
        0) ;;
        5) echo "FEHLER: $1 hat keine Tests ausgeführt (pytest exit 5) / ERROR: $1 ran no tests" ;;
        *) echo "FEHLER: $1 fehlgeschlagen (exit $2) / ERROR: $1 failed" ;;
    esac
}

echo
echo "== Testlauf 1/2: SQLite =="
env -u DATABASE_URL "$PYTHON" -m pytest "${parallel[@]}" --junitxml="$reports/sqlite.xml" "$@"
sqlite_status=$?
explain "SQLite-Durchlauf" "$sqlite_status"

echo
echo "== Testlauf 2/2: PostgreSQL =="
scripts/with-postgres.sh "$PYTHON" -m pytest "${parallel[@]}" --junitxml="$reports/postgres.xml" "$@"
postgres_status=$?
postgres_skipped=0
if [ "$postgres_status" -eq 77 ]; then
    postgres_skipped=1
    postgres_status=0
fi
explain "PostgreSQL-Durchlauf" "$postgres_status"

echo
echo "== Zusammenfassung / summary =="
[ "$postgres_skipped" -eq 1 ] && echo "PostgreSQL-Durchlauf übersprungen (siehe oben) / PostgreSQL pass skipped (see above)"
"$PYTHON" scripts/test_summary.py "SQLite=$reports/sqlite.xml" "PostgreSQL=$reports/postgres.xml"

if [ "$sqlite_status" -ne 0 ] || [ "$postgres_status" -ne 0 ]; then
    exit 1
fi
