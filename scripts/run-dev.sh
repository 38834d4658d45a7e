#!/usr/bin/env bash
# Usage: scripts/run-dev.sh HOST:PORT   (the end of `make run`)
#
# Starts a task worker (manage.py task_worker: large PDFs, large imports, e-mails) in the
# background and the development server in the foreground. Ctrl-C (or the end of either)
# stops both with everything they started (the server's auto-reloader child, the worker's
# render processes): each runs in a process group of its own, and the whole group is ended.
set -uo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
address=${1:-127.0.0.1:8000}
worker=
server=

stop() {
    trap - INT TERM EXIT
    for group in $worker $server; do
        kill -TERM -- "-$group" 2>/dev/null
    done
    for pid in $worker $server; do
        wait "$pid" 2>/dev/null
    done
}
trap stop INT TERM EXIT

setsid "$PYTHON" manage.py task_worker --worker-id "dev-$(hostname)-$$" --interval 1 &
worker=$!
echo "Hintergrund-Worker läuft (task worker running, pid $worker) – Strg-C beendet Server und Worker"
DJANGO_DEBUG=${DJANGO_DEBUG:-1} setsid "$PYTHON" manage.py runserver "$address" &
server=$!

# Whichever ends first ends the other.
wait -n "$worker" "$server"
status=$?
stop
exit "$status"
