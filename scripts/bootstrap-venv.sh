#!/usr/bin/env bash
# Usage: scripts/bootstrap-venv.sh PYTHON VENV_DIR LOCKFILE STAMP
#
# Makes VENV_DIR a Python 3.11 virtualenv holding exactly the pins of LOCKFILE. The STAMP file
# records the lock's SHA-256, so the install runs again only when the lock's content changes
# (make calls this whenever the lock is newer than the stamp, e.g. after a checkout).
set -euo pipefail
python=$1 venv=$2 lock=$3 stamp=$4

version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
if [ "$version" != "3.11" ]; then
    if [ -z "$version" ]; then
        echo "FEHLER: $python wurde nicht gefunden oder läuft nicht. Planwerk braucht Python 3.11." >&2
    else
        echo "FEHLER: $python ist Python $version, Planwerk braucht Python 3.11." >&2
    fi
    echo "  Debian/Ubuntu: apt-get install python3.11 python3.11-venv" >&2
    echo "  Oder einen anderen Interpreter angeben: make PYTHON=/pfad/zu/python3.11 ..." >&2
    echo "ERROR: Planwerk needs Python 3.11 ($python: ${version:-not found})." \
        "Install it (apt-get install python3.11 python3.11-venv) or pass make PYTHON=..." >&2
    exit 1
fi

if [ -x "$venv/bin/python" ] \
    && ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    echo "$venv ist keine Python-3.11-Umgebung (is not Python 3.11) – wird neu angelegt / recreating"
    rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
    echo "Lege $venv an (creating virtualenv) mit $("$python" --version 2>&1)"
    "$python" -m venv "$venv"
fi

wanted=$(sha256sum "$lock" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    touch "$stamp"
    exit 0
fi

echo "Installiere Abhängigkeiten aus $lock (installing locked dependencies)"
# The machine's pip.conf may name local package folders that lack most packages; pip warns
# about each of them, which buries real errors.
set +e
"$venv/bin/python" -m pip install --no-input --disable-pip-version-check -q -r "$lock" 2>&1 \
    | grep -v "^WARNING: Location '.*' is ignored"
pip_status=${PIPESTATUS[0]}
set -e
if [ "$pip_status" -ne 0 ]; then
    echo "FEHLER: pip install -r $lock ist fehlgeschlagen / failed (exit $pip_status)" >&2
    exit "$pip_status"
fi
echo "$wanted" >"$stamp"
