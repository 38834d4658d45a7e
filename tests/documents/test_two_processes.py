"""Two app processes with their own local folders (file cache, media) but one database: a
document is rendered once, whoever asks first; the other finds the same job."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from documents.models import PdfExport
from tests.documents.pdf_factories import requires_poppler  # noqa: F401
from tests.factories import build_plan
from tests.shared_data import sqlite_file_copy

ROOT = Path(__file__).resolve().parents[2]

# Waits for the starting signal, asks for the plan's document the way the admin action does,
# then runs the export job as a worker would; prints how many times this process rendered.
CHILD = """
import json, os, time
from pathlib import Path
from documents import rendering
from documents.services import DocumentRequest, export_request
from documents.tasks import build_pdf_export
from actionplan.models import Plan

renders = []
original = rendering.write_pdf
def counting(*args, **kwargs):
    renders.append(1)
    return original(*args, **kwargs)
rendering.write_pdf = counting

go = Path(os.environ["GO_FILE"])
while not go.exists():
    time.sleep(0.01)
export = export_request(DocumentRequest.build(Plan.objects.get(slug="zwei-prozesse")))
result = build_pdf_export.call(str(export.pk))
print(json.dumps({"export": str(export.pk), "renders": len(renders), **result}))
"""


def _env(tmp_path, name, database_url):
    var = tmp_path / name
    var.mkdir()
    return {
        **os.environ,
        "PLANWERK_ENV": "development",
        "PLANWERK_VAR_DIR": str(var),
        "DATABASE_URL": database_url,
        "GO_FILE": str(tmp_path / "go"),
    }


def _manage(env, *args, **kwargs):
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _database_url(tmp_path) -> str:
    """The test database with the plan committed (see transaction=True): on PostgreSQL the test
    database itself; on SQLite, whose test database lives in memory, a copy of it in a file (the
    sqlite3 backup API: migrated tables and the plan, without a migrate in a child process)."""
    build_plan(fields=1, measures_per_field=2, slug="zwei-prozesse")
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return sqlite_file_copy(tmp_path / "shared.sqlite3")


@requires_poppler
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_app_processes_render_a_document_once(tmp_path):
    url = _database_url(tmp_path)
    processes = [_manage(_env(tmp_path, name, url), "shell", "-c", CHILD) for name in "ab"]
    time.sleep(3)  # both have started Django and wait for the signal
    (tmp_path / "go").touch()
    results = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    assert sum(r["renders"] for r in results) == 1
    assert sorted(r["rendered"] for r in results) == [False, True]
    assert results[0]["export"] == results[1]["export"]
    files = [p for name in "ab" for p in (tmp_path / name / "media").rglob("*.pdf")]
    assert len(files) == 1 and files[0].read_bytes().startswith(b"%PDF-")
    if connection.vendor == "postgresql":
        assert PdfExport.objects.get().status == PdfExport.Status.DONE
