"""Real ``manage.py task_worker`` processes against the test's PostgreSQL database."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_env(db):
    if connection.vendor != "postgresql":
        pytest.skip(
            "several workers need PostgreSQL (row locks, SKIP LOCKED); "
            "run with scripts/with-postgres.sh"
        )
    s = connection.settings_dict
    url = (
        f"postgres://{quote(s['USER'] or '')}:{quote(s['PASSWORD'] or '')}"
        f"@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"
    )
    return {
        **os.environ,
        "DATABASE_URL": url,
        "PLANWERK_ENV": "development",
        "PLANWERK_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "PLANWERK_TASK_HEARTBEAT_SECONDS": "0.5",
        "PLANWERK_TASK_STALE_SECONDS": "3",
        "PLANWERK_TASK_TIMEOUT_SECONDS": "60",
        "DJANGO_LOG_LEVEL": "ERROR",
    }


@pytest.fixture
def start_worker(worker_env, tmp_path):
    processes = []

    def start(worker_id: str, **env) -> subprocess.Popen:
        log = open(tmp_path / f"{worker_id}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "task_worker",
                "--worker-id",
                worker_id,
                "--interval",
                "0.1",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=ROOT,
            env={**worker_env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append((process, log))
        return process

    yield start
    for process, log in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
