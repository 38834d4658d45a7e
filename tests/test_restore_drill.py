"""Backup and restore (issue 19, item 9): the restore drill. An installation with a plan,
its history, a version, memberships, an API token, the audit log and a generated file is
backed up with ``manage.py backup`` and restored with ``manage.py restore`` into a fresh
database and media folder; the restored installation has the same rows with the same IDs in
every table, serves the same plan page and the same API answers (the token still works), and
has the file. On the engine the suite runs on: SQLite, or PostgreSQL under
scripts/with-postgres.sh (pg_dump/pg_restore)."""

import datetime
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from access.models import AuditEvent, Membership
from actionplan.models import Measure, Plan
from api.services import api_token_create
from tests.factories import OrganisationFactory, PlanFactory, UserFactory, build_plan
from versions.services import plan_version_publish

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
FILE = "pdf_exports/2026/01/leipzig.pdf"

#: Run in a fresh process against one database: what a visitor, an API client and an
#: administrator would find there.
SNAPSHOT = """
import hashlib, json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.apps import apps
from django.test import Client
plan_slug, plan_id, key = sys.argv[1:4]
tables = {}
for model in apps.get_models():
    pks = sorted(str(pk) for pk in model._base_manager.values_list("pk", flat=True))
    tables[model._meta.label] = [len(pks), hashlib.sha256("\\n".join(pks).encode()).hexdigest()]
client = Client()
page = client.get(f"/plaene/{plan_slug}/")
api = client.get(f"/api/v1/measures/?plan={plan_id}&page_size=100")
private = client.get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Token {key}")
print(json.dumps({
    "tables": tables,
    "page": [page.status_code, page.content.decode()],
    "api": [api.status_code, api.json()],
    "private": [private.status_code, private.json()],
}))
"""


def _world():
    """A plan with history, a version, two members, an API token and audit events."""
    plan = build_plan(fields=2, measures_per_field=3)
    coordinator, editor = UserFactory(), UserFactory()
    Membership.objects.create(user=coordinator, plan=plan, role=Membership.Role.COORDINATOR)
    Membership.objects.create(
        user=editor, plan=plan, role=Membership.Role.EDITOR, organisation=OrganisationFactory()
    )
    for measure in Measure.objects.filter(field__plan=plan)[:3]:
        measure.status = Measure.Status.COMPLETED
        measure._history_user = editor
        measure.save()  # a history row each
    plan_version_publish(
        plan=plan, label="Stand Mai 2011", date=datetime.date(2011, 5, 1), acting_user=coordinator
    )
    _, key = api_token_create(acting_user=coordinator, name="Restore drill")
    draft = PlanFactory(status=Plan.Status.DRAFT)  # in the API for the token's owner only
    Membership.objects.create(user=coordinator, plan=draft, role=Membership.Role.COORDINATOR)
    assert AuditEvent.objects.exists()
    return plan, key


def _env(url: str, var: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "PLANWERK_", "DJANGO_", "REDIS_URL"))
    }
    env.update(
        PLANWERK_ENV="development",
        DATABASE_URL=url,
        PLANWERK_VAR_DIR=str(var),
        PLANWERK_CACHE_DIR=str(var / "cache"),
        PLANWERK_MANIFEST_STATIC="0",
        PLANWERK_TASK_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
    )
    return env


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _snapshots(plan, key: str, *envs: dict) -> list[dict]:
    """The snapshot of each database, taken side by side."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SNAPSHOT, plan.slug, str(plan.pk), key],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for env in envs
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        results.append(json.loads(out))
    return results


def _postgres_url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def databases(tmp_path):
    """The URLs of the live installation's database (this test's data in it) and of a fresh,
    empty one to restore into."""
    if connection.vendor == "sqlite":
        live, fresh = tmp_path / "live.sqlite3", tmp_path / "fresh.sqlite3"

        def copy_live():
            with sqlite3.connect(live) as target:
                connection.connection.backup(target)
            target.close()

        yield copy_live, f"sqlite:///{live}", f"sqlite:///{fresh}"
        return
    import shutil

    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        message = "pg_dump/pg_restore not found: install the PostgreSQL client programs"
        if os.environ.get("PLANWERK_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    fresh = f"planwerk_restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        yield (lambda: None), _postgres_url(connection.settings_dict["NAME"]), _postgres_url(fresh)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_restore_drill_gives_the_same_installation(tmp_path, databases):
    copy_live, live_url, fresh_url = databases
    plan, key = _world()
    copy_live()
    live = _env(live_url, tmp_path / "live")
    fresh = _env(fresh_url, tmp_path / "fresh")
    stored = tmp_path / "live" / "media" / FILE
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"%PDF-1.7 drill")

    written = _manage(live, "backup", str(tmp_path / "backups"), "--keep", "3")
    backup = Path(written.split(": ", 1)[1].rsplit(" (", 1)[0])
    assert backup.parent == tmp_path / "backups"
    restored = _manage(fresh, "restore", str(backup), "--no-input")
    assert restored.startswith("Restored the backup of ")

    before, after = _snapshots(plan, key, live, fresh)
    assert before["tables"]["actionplan.Measure"][0] == 6
    assert before["tables"]["actionplan.HistoricalMeasure"][0] >= 3
    assert before["tables"]["versions.PlanVersion"][0] == 1
    assert before["tables"]["api.ApiToken"][0] == 1
    assert before["tables"]["access.Membership"][0] == 3
    assert before["tables"]["access.AuditEvent"][0] >= 1
    assert after["tables"] == before["tables"]
    assert before["page"][0] == 200 and plan.title in before["page"][1]
    assert before["api"][0] == 200 and before["api"][1]["count"] == 6
    assert before["private"][0] == 200 and before["private"][1]["count"] == 2  # the draft too
    assert after["page"] == before["page"]
    assert after["api"] == before["api"]
    assert after["private"] == before["private"]
    assert (tmp_path / "fresh" / "media" / FILE).read_bytes() == b"%PDF-1.7 drill"
