"""manage.py backup and restore (issue 19, item 9) around the drill (tests/test_restore_drill.py):
keeping the newest backups, and a restore that refuses what it cannot do or was not confirmed."""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from actionplan.models import Plan
from backups import services
from tests.factories import PlanFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 6, 3, 0, tzinfo=datetime.UTC)


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="pg_dump: the drill covers it")
def test_backup_keeps_the_newest_backups_only(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "note.txt").parent.mkdir()
    (tmp_path / "media" / "note.txt").write_text("kept")
    (tmp_path / "backups" / "planwerk-20200101T000000000000Z.partial").mkdir(parents=True)
    made = [
        services.backup_create(tmp_path / "backups", keep=2, now=NOW + day * datetime.timedelta(1))
        for day in range(3)
    ]
    assert services.backups_list(tmp_path / "backups") == made[1:]
    assert not made[0].exists()
    manifest = json.loads((made[2] / "manifest.json").read_text())
    assert manifest["engine"] == "sqlite" and manifest["media"] is True
    assert manifest["migrations"]["actionplan"].startswith("00")
    assert (made[2] / "database.sqlite3").stat().st_size > 0
    with pytest.raises(services.BackupError):
        services.backups_prune(tmp_path / "backups", keep=0)


def _fake_backup(path, *, engine):
    path.mkdir()
    manifest = {"format": services.FORMAT, "engine": engine, "created_at": NOW.isoformat()}
    (path / "manifest.json").write_text(json.dumps(manifest | {"database": "x", "media": False}))
    return path


def test_restore_refuses_a_backup_of_the_other_engine(tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    backup = _fake_backup(tmp_path / "planwerk-x", engine=other)
    with pytest.raises(CommandError, match=f"backup is of a {other} database"):
        call_command("restore", str(backup), "--no-input")


def test_restore_refuses_a_folder_that_is_no_backup(tmp_path):
    with pytest.raises(CommandError, match="is not a backup"):
        call_command("restore", str(tmp_path), "--no-input")


def test_restore_asks_first_and_does_nothing_without_yes(tmp_path, monkeypatch):
    PlanFactory()
    backup = _fake_backup(tmp_path / "planwerk-x", engine=connection.vendor)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Restore cancelled"):
        call_command("restore", str(backup))
    assert Plan.objects.count() == 1
