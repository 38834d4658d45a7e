#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
#
# Runs COMMAND with DATABASE_URL pointing at a PostgreSQL server, found in this order:
#   1. PLANWERK_TEST_DATABASE_URL, if set (used as given);
#   2. a server answering on PLANWERK_PG_HOST:PLANWERK_PG_PORT (default 127.0.0.1:5432) that
#      lets user "postgres" in without a password; the database name is unique per run, so
#      parallel runs do not share pytest-django's test_<name> database;
#   3. a throwaway cluster from the local PostgreSQL programs (initdb, pg_ctl), in a mktemp -d
#      folder on a free port, removed again on exit. PLANWERK_PG_FORCE_TEMP=1 skips step 2.
#      Programs are looked for in PLANWERK_PG_BINDIRS (default: /usr/lib/postgresql/*/bin, then
#      PATH).
# With none of these it prints why and exits 77 (skipped), or 1 if PLANWERK_REQUIRE_POSTGRES=1.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "Usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

host=${PLANWERK_PG_HOST:-127.0.0.1}
port=${PLANWERK_PG_PORT:-5432}
python=${PYTHON:-python3}
dbname="planwerk_$$_${RANDOM}"

is_true() {
    case "${1:-}" in 1 | true | yes | on | TRUE | True | YES) return 0 ;; *) return 1 ;; esac
}

server_answers() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$1" -p "$2" -t 3
    else
        (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
    fi
}

can_log_in() {
    "$python" - "$1" <<'EOF' >/dev/null 2>&1
import sys

import psycopg

psycopg.connect(sys.argv[1], connect_timeout=5).close()
EOF
}

find_bindir() {
    local dirs=() dir
    if [ -n "${PLANWERK_PG_BINDIRS:-}" ]; then
        IFS=: read -r -a dirs <<<"$PLANWERK_PG_BINDIRS"
    else
        while IFS= read -r dir; do dirs+=("$dir"); done < <(
            ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r
        )
        if command -v initdb >/dev/null 2>&1; then
            dirs+=("$(dirname "$(readlink -f "$(command -v initdb)")")")
        fi
    fi
    for dir in "${dirs[@]}"; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

tmp=""
pg_ctl=""
as_user=()

cleanup() {
    if [ -n "$tmp" ] && [ -d "$tmp" ]; then
        if [ -f "$tmp/data/postmaster.pid" ]; then
            (cd "$tmp" && "${as_user[@]}" "$pg_ctl" -D "$tmp/data" -m immediate -w stop) \
                >/dev/null 2>&1 || true
        fi
        rm -rf "$tmp"
    fi
}

start_temp_cluster() {
    local bindir=$1 user
    pg_ctl="$bindir/pg_ctl"
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/planwerk-pg.XXXXXX")
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if [ "$(id -u)" = 0 ]; then
        # PostgreSQL refuses to run as root.
        user=postgres
        id -u "$user" >/dev/null 2>&1 || user=nobody
        chown "$user" "$tmp"
        if command -v runuser >/dev/null 2>&1; then
            as_user=(runuser -u "$user" --)
        else
            as_user=(setpriv "--reuid=$user" "--regid=$(id -g "$user")" --init-groups)
        fi
    fi
    port=$(free_port)
    host=127.0.0.1
    # LOWER() (the search's case folding, search/lookups.py) folds Ö to ö only under a UTF-8
    # LC_CTYPE; --no-locale (C) folds ASCII letters only, as a production database never should.
    locale_option=--no-locale
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
        locale_option=--locale=C.UTF-8
    else
        echo "PostgreSQL: kein C.UTF-8-Locale, Groß/klein bei Umlauten wird nicht gefaltet / no C.UTF-8 locale: umlauts keep their case in LOWER()" >&2
    fi
    echo "PostgreSQL: Wegwerf-Cluster / throwaway cluster ($("$bindir/postgres" --version)) in $tmp, Port $port"
    (
        cd "$tmp"
        "${as_user[@]}" "$bindir/initdb" -D "$tmp/data" -U postgres --auth=trust \
            -E UTF8 "$locale_option" --nosync >"$tmp/initdb.log" 2>&1 || {
            cat "$tmp/initdb.log" >&2
            exit 1
        }
        "${as_user[@]}" "$pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 -s \
            -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start || {
            cat "$tmp/server.log" >&2
            exit 1
        }
    )
}

if [ -n "${PLANWERK_TEST_DATABASE_URL:-}" ]; then
    export DATABASE_URL=$PLANWERK_TEST_DATABASE_URL
    echo "PostgreSQL: PLANWERK_TEST_DATABASE_URL"
elif ! is_true "${PLANWERK_PG_FORCE_TEMP:-}" && server_answers "$host" "$port" \
    && can_log_in "postgres://postgres@$host:$port/postgres"; then
    # The test database is thrown away: its commits need not wait for the disk (per session;
    # fsync=off, as in the throwaway cluster below, cannot be set for a shared server).
    export DATABASE_URL="postgres://postgres@$host:$port/$dbname?options=-c%20synchronous_commit%3Doff"
    echo "PostgreSQL: vorhandener Server / existing server on $host:$port (Testdatenbank test_$dbname)"
elif bindir=$(find_bindir); then
    if ! is_true "${PLANWERK_PG_FORCE_TEMP:-}" && server_answers "$host" "$port"; then
        echo "PostgreSQL: $host:$port antwortet, lässt aber postgres ohne Passwort nicht ein" \
            "/ refuses user postgres without a password – nehme Wegwerf-Cluster / using a throwaway cluster"
    fi
    start_temp_cluster "$bindir"
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/$dbname"
else
    if server_answers "$host" "$port"; then
        reason="Server auf $host:$port lässt Benutzer postgres ohne Passwort nicht ein (PLANWERK_TEST_DATABASE_URL setzen) und keine PostgreSQL-Programme gefunden."
        reason_en="server on $host:$port refuses user postgres without a password (set PLANWERK_TEST_DATABASE_URL) and no PostgreSQL programs found."
    else
        reason="kein Server auf $host:$port und keine PostgreSQL-Programme gefunden. Installieren: apt-get install postgresql"
        reason_en="no server on $host:$port and no PostgreSQL programs found. Install: apt-get install postgresql"
    fi
    if is_true "${PLANWERK_REQUIRE_POSTGRES:-}"; then
        echo "FEHLER: PLANWERK_REQUIRE_POSTGRES=1, aber PostgreSQL-Durchlauf nicht möglich: $reason" >&2
        echo "ERROR: PLANWERK_REQUIRE_POSTGRES=1 but the PostgreSQL pass cannot run: $reason_en" >&2
        exit 1
    fi
    echo "PostgreSQL-Durchlauf übersprungen: $reason"
    echo "PostgreSQL pass skipped: $reason_en"
    exit 77
fi

set +e
"$@"
status=$?
set -e
exit "$status"
