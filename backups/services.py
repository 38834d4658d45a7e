"""Back up and restore a whole installation: the database (every table: users, memberships,
history, versions, API tokens, the audit log, with their IDs) and the media folder.

A backup is a folder ``planwerk-<UTC time>/`` with ``manifest.json``, the database
(``database.sqlite3``, a copy made with SQLite's online backup API, safe while the server
runs; or ``database.pgdump``, ``pg_dump --format=custom``) and ``media.tar.gz``. It is written
under a ``.partial`` name and renamed when complete, so a broken run never looks like a backup.
"""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "planwerk.backup/1"
PREFIX = "planwerk-"
MANIFEST = "manifest.json"
MEDIA = "media.tar.gz"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _pg_env() -> dict:
    """libpq's environment for the default database (no password on a command line)."""
    db = connection.settings_dict
    env = dict(os.environ)
    for key, name in [
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ]:
        if db.get(name):
            env[key] = str(db[name])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env


def _pg_program(name: str) -> str:
    program = shutil.which(name)
    if program is None:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client programs "
            "(the same major version as the server or newer)."
        )
    return program


def _run(argv: list[str], **kwargs) -> None:
    done = subprocess.run(argv, env=_pg_env(), capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {done.stderr.strip()}")


def _latest_migrations() -> dict:
    applied = MigrationRecorder(connection).applied_migrations()
    latest = {}
    for app, name in sorted(applied):
        latest[app] = name
    return latest


def backup_create(destination, *, keep: int | None = None, now=None) -> Path:
    """Write a backup into the folder ``destination``; with ``keep``, delete all but the
    ``keep`` newest backups there afterwards. Returns the new backup's folder."""
    engine = _engine()
    now = now or timezone.now()
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    name = PREFIX + now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    partial = destination / (name + ".partial")
    partial.mkdir()
    try:
        database = partial / DATABASE_FILES[engine]
        if engine == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(database) as target:
                connection.connection.backup(target)
            target.close()
        else:
            _run([_pg_program("pg_dump"), "--format=custom", "--no-owner", f"--file={database}"])
        media = Path(settings.MEDIA_ROOT)
        if media.is_dir():
            with tarfile.open(partial / MEDIA, "w:gz") as archive:
                archive.add(media, arcname=".")
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "engine": engine,
            "database": database.name,
            "media": (partial / MEDIA).exists(),
            "migrations": _latest_migrations(),
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        final = destination / name
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if keep is not None:
        backups_prune(destination, keep=keep)
    return final


def backups_list(destination) -> list[Path]:
    """The complete backups in ``destination``, oldest first."""
    root = Path(destination)
    if not root.is_dir():
        return []
    return sorted(
        path
        for path in root.iterdir()
        if path.is_dir() and path.name.startswith(PREFIX) and (path / MANIFEST).exists()
    )


def backups_prune(destination, *, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups in ``destination``; the deleted folders."""
    if keep < 1:
        raise BackupError("Keep at least one backup.")
    doomed = backups_list(destination)[:-keep]
    for path in doomed:
        shutil.rmtree(path)
    return doomed


def read_manifest(source) -> dict:
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError as error:
        raise BackupError(f"{source} is not a backup: {MANIFEST} is missing.") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: unknown backup format {manifest.get('format')!r}.")
    return manifest


def backup_restore(source) -> dict:
    """Replace the database and add the media files with those of the backup in ``source``.

    The database is replaced as a whole (same rows, same IDs). Stop the web server and the
    workers first; run ``manage.py migrate`` afterwards when the code is newer than the backup.
    The cache is cleared: it may hold pages of the database that was replaced.
    """
    source = Path(source)
    manifest = read_manifest(source)
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(
            f"The backup is of a {manifest['engine']} database, this installation uses {engine}."
        )
    database = source / manifest["database"]
    connection.close()
    if engine == "sqlite":
        target_name = connection.settings_dict["NAME"]
        backup = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            with sqlite3.connect(target_name) as target:
                backup.backup(target)
            target.close()
        finally:
            backup.close()
    else:
        _run(
            [
                _pg_program("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={_pg_env()['PGDATABASE']}",
                str(database),
            ]
        )
    if manifest["media"]:
        media = Path(settings.MEDIA_ROOT)
        media.mkdir(parents=True, exist_ok=True)
        with tarfile.open(source / MEDIA, "r:gz") as archive:
            archive.extractall(media, filter="data")
    cache.clear()
    return manifest
