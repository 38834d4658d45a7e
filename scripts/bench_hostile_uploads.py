"""Benchmark of hostile workbook uploads (issue 19): time and peak memory until the refusal.

Builds the files the testers used at their full size (a 95 MB CSV in a ~100 KB zip, a 20 KB zip
of newlines, an XLSX whose ``<dimension>`` claims a million rows, a member whose header claims
10 bytes but holds 1.5 GB, external entity, billion laughs, bad CRC) and reads each with
``imports.plan_workbook.read_workbook`` — the function every path (preview, confirmation,
worker) goes through — in its own child process, so that the peak RSS is its own.

    PLANWERK_ENV=development .venv/bin/python scripts/bench_hostile_uploads.py
"""

import io
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def zip_stream(name: str, block: bytes, total: int, level: int = 9) -> bytes:
    """One deflated member of ``total`` bytes written block by block (never held whole)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        with archive.open(name, "w", force_zip64=total > 2**31) as member:
            for _ in range(total // len(block)):
                member.write(block)
    return out.getvalue()


def patch_headers(content: bytes, local: dict, central: dict) -> bytes:
    """Overwrite header fields of a one-member archive: ``{offset: (format, value)}``."""
    data = bytearray(content)
    for signature, fields in ((b"PK\x03\x04", local), (b"PK\x01\x02", central)):
        start = data.index(signature)
        for offset, (fmt, value) in fields.items():
            struct.pack_into(fmt, data, start + offset, value)
    return bytes(data)


def _xlsx(sheet_xml=None, shared=None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Maßnahmen"
    sheet.append(["ID", "Plan", "Titel"])
    sheet.append([1, "bench", "eins"])
    out = io.BytesIO()
    book.save(out)
    members = {}
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        for name in archive.namelist():
            members[name] = archive.read(name)
    path = "xl/worksheets/sheet1.xml"
    if sheet_xml:
        members[path] = sheet_xml(members[path])
    if shared is not None:
        members["xl/sharedStrings.xml"] = shared
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return result.getvalue()


def _declaration_off(xml: bytes) -> bytes:
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>"
)


def cases() -> dict:
    """Each case: (file name, content). Built once, in the parent process."""
    row = b"1;bench;" + b"Ma\xc3\x9fnahme " * 60 + b"\r\n"
    honest = zip_stream("Maßnahmen.csv", b"\x00" * 65536, 1536 * MB)
    small = io.BytesIO()
    with zipfile.ZipFile(small, "w") as archive:
        archive.writestr("Maßnahmen.csv", b"ID;Plan\r\n1;bench\r\n")
    return {
        "csv_95mb_in_zip": ("plan.zip", lambda: zip_stream("Maßnahmen.csv", row, 95 * MB)),
        "csv_newlines_20kb_zip": (
            "plan.zip",
            lambda: zip_stream("Maßnahmen.csv", b"\n" * 65536, 20 * MB),
        ),
        "member_claims_10_bytes_holds_1_5_gb": (
            "plan.zip",
            lambda: patch_headers(honest, {22: ("<I", 10)}, {24: ("<I", 10)}),
        ),
        "member_1_5_gb_honest_header": ("plan.zip", lambda: honest),
        "bad_crc": (
            "plan.zip",
            lambda: patch_headers(small.getvalue(), {14: ("<I", 1)}, {16: ("<I", 1)}),
        ),
        "xlsx_dimension_million_rows": (
            "plan.xlsx",
            lambda: _xlsx(
                lambda xml: xml.replace(b'<dimension ref="A1:C2"', b'<dimension ref="A1:C1000000"')
            ),
        ),
        "xlsx_row_1000000": (
            "plan.xlsx",
            lambda: _xlsx(
                lambda xml: xml.replace(
                    b"</sheetData>",
                    b'<row r="1000000"><c r="A1000000"><v>1</v></c></row></sheetData>',
                )
            ),
        ),
        "xlsx_100000_columns": (
            "plan.xlsx",
            lambda: _xlsx(
                lambda xml: xml.replace(
                    b"</sheetData>",
                    b'<row r="3">' + b"<c><v>1</v></c>" * 100_000 + b"</row></sheetData>",
                )
            ),
        ),
        "xlsx_external_entity": (
            "plan.xlsx",
            lambda: _xlsx(
                shared=b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<si><t>&e;</t></si></sst>"
            ),
        ),
        "xlsx_billion_laughs": (
            "plan.xlsx",
            lambda: _xlsx(lambda xml: LAUGHS + _declaration_off(xml)),
        ),
    }


def _setup() -> None:
    os.environ.setdefault("PLANWERK_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _child(name: str, path: str) -> None:
    _setup()
    from django.utils import translation

    from imports import plan_workbook as wb
    from imports.plan_import import PlanImportError

    content = Path(path).read_bytes()
    file_name = "plan.xlsx" if name.startswith("xlsx") else "plan.zip"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    with translation.override("de"):
        try:
            wb.read_workbook(content, file_name)
            message = "read"
        except PlanImportError as error:
            message = str(error.problems[0])
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "case": name,
                "upload_kb": round(len(content) / 1024),
                "seconds": round(seconds, 2),
                "traced_peak_mb": round(peak / MB, 1),
                "rss_growth_mb": round((rss - before) / 1024, 1),
                "message": message,
            },
            ensure_ascii=False,
        )
    )


def main() -> None:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        for name, (_file_name, build) in cases().items():
            path = Path(folder) / name
            path.write_bytes(build())
            subprocess.run([sys.executable, __file__, "--child", name, str(path)], check=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
    else:
        main()
