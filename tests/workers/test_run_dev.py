"""`make run` starts the server and a task worker (issue 19, item 10): a PDF over the inline
limit, which only a worker renders, completes; Ctrl-C ends server, worker and everything they
started.

Runs scripts/run-dev.sh (the end of `make run`) on a SQLite database of its own, so it runs in
the SQLite pass only: the PostgreSQL pass would repeat the same processes. That database is a
copy of the migrated test database with the demo data (the sqlite3 backup API, as in
tests/documents/test_two_processes.py) instead of a `migrate` in a child process, which cost
about half of the test's time.
"""

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection

from tests.requirements import require_weasyprint
from tests.shared_data import sqlite_file_copy

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PATIENCE = 120  # seconds: an upper bound for waiting, not a timing


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _get(url: str):
    """(status, headers, body) without following redirects; raises URLError when nobody
    listens."""
    try:
        with _opener.open(url, timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _children_groups(pid: int) -> set[int]:
    groups = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # ppid
            groups.add(int(fields[2]))  # pgrp
    return groups


def _sigint_as_in_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _signal_masks(pid: int) -> str:
    try:
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return "(gone)"
    return "\n".join(line for line in status if line.startswith(("SigBlk", "SigIgn", "SigCgt")))


def _processes_of(groups: set[int], pid: int) -> str:
    """``ps`` lines of a process and of the processes in these groups (for a failure message)."""
    lines = subprocess.run(
        ["ps", "-eo", "pid,ppid,pgid,stat,etime,args"], capture_output=True, text=True
    ).stdout.splitlines()
    kept = [
        line for line in lines[1:] if int(line.split()[0]) == pid or int(line.split()[2]) in groups
    ]
    return "\n".join(kept) or "(none)"


def _copy_of_the_test_database(path: Path) -> None:
    """The migrated test database with the demo data, as `make run` has it before run-dev.sh:
    committed (transactional test) and copied to a file the child processes open."""
    # The legal pages come from a data migration; a transactional test that ran before on
    # this worker flushed them with everything else.
    import_module("legal.migrations.0002_template_pages").create_pages(django_apps, None)
    call_command("load_demo_data", stdout=io.StringIO())
    sqlite_file_copy(path)


@pytest.fixture
def dev_env(tmp_path, transactional_db):
    if connection.vendor != "sqlite":
        pytest.skip("runs once, in the SQLite pass (its own SQLite database)")
    require_weasyprint()
    _copy_of_the_test_database(tmp_path / "dev.sqlite3")
    env = {
        **os.environ,
        "PLANWERK_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        "PLANWERK_VAR_DIR": str(tmp_path / "var"),
        "PLANWERK_PDF_INLINE_MAX_MEASURES": "0",  # every plan PDF goes to the worker
        "PYTHON": sys.executable,
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    env.pop("REDIS_URL", None)
    return env


def test_make_run_starts_a_worker_and_ctrl_c_ends_everything(dev_env, tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "run-dev.log", "w")  # noqa: SIM115 - closed below
    script = subprocess.Popen(
        ["scripts/run-dev.sh", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=dev_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        # as in a terminal: a child inherits an ignored SIGINT, and bash cannot trap a signal
        # that was ignored when it started (a test before may have left it ignored here)
        preexec_fn=_sigint_as_in_a_terminal,
    )
    groups = set()
    try:
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            try:
                if _get(f"{base}/")[0] == 200:
                    break
            except urllib.error.URLError:
                time.sleep(0.5)
        else:
            pytest.fail("the development server did not answer")
        groups = _children_groups(script.pid)
        assert len(groups) == 2, "server and worker, each in a group of its own"

        slug = "leipzig-2011"
        status, headers, _ = _get(f"{base}/plaene/{slug}/pdf/")
        assert status == 302, "over the inline limit: handed to the worker"
        download = base + headers["Location"].rstrip("/") + "/download/"
        while time.monotonic() < deadline:
            status, headers, body = _get(download)
            if status == 200:
                break
            time.sleep(1)
        else:
            pytest.fail("the worker did not render the PDF")
        assert headers["Content-Type"] == "application/pdf"
        assert body.startswith(b"%PDF")

        script.send_signal(signal.SIGINT)  # what Ctrl-C sends to the foreground process
        try:
            script.wait(timeout=30)
        except subprocess.TimeoutExpired:
            log.flush()
            pytest.fail(
                "run-dev.sh still runs 30 s after Ctrl-C; its signal masks:\n"
                + _signal_masks(script.pid)
                + "\nits processes:\n"
                + _processes_of(groups, script.pid)
                + "\nthe end of its log:\n"
                + "\n".join((tmp_path / "run-dev.log").read_text().splitlines()[-15:])
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_group_alive(g) for g in groups):
            time.sleep(0.2)
        assert not any(_group_alive(g) for g in groups), "nothing outlives Ctrl-C"
        with pytest.raises(urllib.error.URLError):
            _get(f"{base}/")
    finally:
        if script.poll() is None:
            script.kill()
        for group in groups:  # nothing of a failed run goes on using the machine
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        log.close()
