"""Run `compilemessages` only when a committed .mo file no longer matches its .po file.

The .mo files are committed, so a fresh clone needs no gettext tools. Modification times are
useless after a clone, so the check compares contents: the translations msgfmt would compile
from the .po (non-fuzzy, translated entries plus the header) against the entries in the .mo.

Usage: python scripts/compile_messages_if_needed.py [--check]
  --check  only report; exit 1 if a catalog is stale.
"""

import ast
import shutil
import struct
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = BASE_DIR / "locale"


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def read_po(path: Path) -> dict[str, str]:
    """Return {msgid key: msgstr} for the entries msgfmt would compile, keyed as in a .mo."""
    entries: dict[str, str] = {}
    entry: dict[str, list[str]] = {}
    fuzzy = False
    current = None

    def has_msgstr():
        return any(key.startswith("msgstr") for key in entry)

    def flush():
        nonlocal entry, fuzzy, current
        # msgfmt keeps the header entry (msgid "") even when it is marked fuzzy.
        is_header = entry.get("msgid") == [""] and "msgctxt" not in entry
        if "msgid" in entry and (is_header or not fuzzy):
            msgid = "".join(entry["msgid"])
            if "msgctxt" in entry:
                msgid = "".join(entry["msgctxt"]) + "\x04" + msgid
            if "msgid_plural" in entry:
                msgid += "\x00" + "".join(entry["msgid_plural"])
                forms = sorted(
                    (k for k in entry if k.startswith("msgstr[")), key=lambda k: int(k[7:-1])
                )
                values = ["".join(entry[k]) for k in forms]
                msgstr = "\x00".join(values)
                translated = all(values)
            else:
                msgstr = "".join(entry.get("msgstr", []))
                translated = bool(msgstr)
            if is_header:
                # msgfmt drops this line, and makemessages rewrites it on every run.
                msgstr = "".join(
                    line
                    for line in msgstr.splitlines(keepends=True)
                    if not line.startswith("POT-Creation-Date:")
                )
            if translated:
                entries[msgid] = msgstr
        entry, fuzzy, current = {}, False, None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if has_msgstr():
                flush()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        if line.startswith('"'):
            if current is not None:
                entry[current].append(_unquote(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and has_msgstr():
            flush()
        current = keyword
        entry[current] = [_unquote(rest)]
    flush()
    return entries


def read_mo(path: Path) -> dict[str, str]:
    """Return {msgid key: msgstr} stored in a GNU .mo file."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _, count, originals, translations = struct.unpack(order + "4I", data[4:20])
    entries = {}
    for i in range(count):
        olen, ooff = struct.unpack(order + "2I", data[originals + 8 * i : originals + 8 * i + 8])
        tlen, toff = struct.unpack(
            order + "2I", data[translations + 8 * i : translations + 8 * i + 8]
        )
        key = data[ooff : ooff + olen].decode("utf-8")
        entries[key] = data[toff : toff + tlen].decode("utf-8")
    return entries


def stale_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """The .po files whose .mo is missing or differs in content."""
    stale = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or read_po(po) != read_mo(mo):
            stale.append(po)
    return stale


def main(argv: list[str]) -> int:
    stale = stale_catalogs()
    if not stale:
        print("Übersetzungen sind aktuell (translations up to date).")
        return 0
    names = ", ".join(str(p.relative_to(BASE_DIR)) for p in stale)
    if "--check" in argv:
        print(f"Veraltete Übersetzungen (stale .mo): {names}")
        return 1
    if shutil.which("msgfmt") is None:
        print(
            f"WARNUNG: {names} ist neuer als die .mo-Datei, aber msgfmt fehlt – es gelten die "
            "mitgelieferten Übersetzungen. Installieren: apt-get install gettext\n"
            "WARNING: translations are stale and msgfmt is missing (apt-get install gettext).",
            file=sys.stderr,
        )
        return 0
    print(f"Übersetzungen werden kompiliert (compiling): {names}")
    return subprocess.call(
        [sys.executable, "manage.py", "compilemessages", "--ignore=.venv", "--ignore=var"],
        cwd=BASE_DIR,
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
