"""The set-up tooling: ensure_local_admin, scripts/ (venv, PostgreSQL, test runner) and
tests/requirements.py."""

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
from io import StringIO
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from scripts import compile_messages_if_needed as i18n
from scripts import test_summary
from tests.factories import StaffUserFactory, UserFactory
from tests.requirements import require_binary, require_poppler

ROOT = Path(__file__).resolve().parent.parent
PASSWORD_LINE = re.compile(
    r"Admin-Zugang: http://127\.0\.0\.1:8000/admin/ Benutzer: admin Passwort: (\S+)"
)


def run_admin_command(*args):
    out, err = StringIO(), StringIO()
    call_command("ensure_local_admin", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def script_env(**extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PLANWERK_") and key != "DATABASE_URL"
    }
    env["PYTHON"] = sys.executable
    env.update(extra)
    return env


# ensure_local_admin


@pytest.mark.django_db
def test_ensure_local_admin_creates_superuser_and_prints_password_once(client):
    user_model = get_user_model()
    assert not user_model.objects.filter(is_superuser=True).exists()

    first_out, _ = run_admin_command()
    password = PASSWORD_LINE.search(first_out).group(1)
    admin = user_model.objects.get(username="admin")
    hash_after_first_run = admin.password

    second_out, _ = run_admin_command()

    assert admin.is_superuser and admin.is_staff and admin.is_active
    assert len(password) >= 20
    assert admin.check_password(password)
    assert password not in second_out
    assert "Passwort:" not in second_out
    assert "existiert bereits" in second_out
    assert "python manage.py changepassword admin" in second_out
    admin.refresh_from_db()
    assert admin.password == hash_after_first_run
    assert user_model.objects.filter(is_superuser=True).count() == 1
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": password}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


@pytest.mark.django_db
def test_ensure_local_admin_generates_a_new_password_each_time():
    passwords = set()
    for _ in range(2):
        out, _ = run_admin_command()
        passwords.add(PASSWORD_LINE.search(out).group(1))
        get_user_model().objects.filter(username="admin").delete()

    assert len(passwords) == 2


@pytest.mark.django_db
def test_ensure_local_admin_leaves_existing_superuser_alone():
    StaffUserFactory(username="chefin")

    out, _ = run_admin_command()

    assert not get_user_model().objects.filter(username="admin").exists()
    assert "chefin" in out
    assert "changepassword chefin" in out


@pytest.mark.django_db
def test_ensure_local_admin_does_not_promote_plain_user_named_admin():
    user = UserFactory(username="admin")
    password_hash = user.password

    out, err = run_admin_command()

    user.refresh_from_db()
    assert (user.is_superuser, user.is_staff, user.password) == (False, False, password_hash)
    assert "createsuperuser" in err
    assert "Passwort:" not in out


@pytest.mark.django_db
def test_ensure_local_admin_link_follows_base_url():
    out, _ = run_admin_command("--base-url", "http://localhost:8123/")

    assert "Admin-Zugang: http://localhost:8123/admin/ Benutzer: admin Passwort: " in out


# tests/requirements.py


def test_require_binary_returns_path_of_existing_program():
    assert require_binary("sh", "dash", "PLANWERK_REQUIRE_NOTHING") == shutil.which("sh")
    assert require_binary(sys.executable, "python3", "PLANWERK_REQUIRE_NOTHING") == sys.executable


def test_require_binary_skips_with_install_hint_when_missing(monkeypatch):
    monkeypatch.delenv("PLANWERK_REQUIRE_DEMO", raising=False)

    with pytest.raises(pytest.skip.Exception, match="apt-get install demo-tools"):
        require_binary("planwerk-no-such-program", "demo-tools", "PLANWERK_REQUIRE_DEMO")
    with pytest.raises(pytest.skip.Exception):
        require_binary("/nonexistent/chromium", "chromium", "PLANWERK_REQUIRE_DEMO")


def test_require_binary_fails_when_required(monkeypatch):
    monkeypatch.setenv("PLANWERK_REQUIRE_DEMO", "1")

    with pytest.raises(pytest.fail.Exception, match="PLANWERK_REQUIRE_DEMO=1"):
        require_binary("planwerk-no-such-program", "demo-tools", "PLANWERK_REQUIRE_DEMO")


MINIMAL_PDF_OBJECTS = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R"
    b" /Resources << /Font << /F1 5 0 R >> >> >>",
    None,  # content stream, filled in below
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
]


def minimal_pdf(text: str) -> bytes:
    stream = f"BT /F1 18 Tf 20 50 Td ({text}) Tj ET".encode("latin-1")
    objects = list(MINIMAL_PDF_OBJECTS)
    objects[3] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_poppler_reads_text_and_renders_pages(tmp_path):
    tools = require_poppler()
    pdf = tmp_path / "probe.pdf"
    pdf.write_bytes(minimal_pdf("Planwerk Leipzig 2011"))

    text = subprocess.run(
        [tools["pdftotext"], str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    subprocess.run(
        [tools["pdftoppm"], "-png", "-r", "30", str(pdf), str(tmp_path / "page")], check=True
    )

    assert "Planwerk Leipzig 2011" in text
    assert (tmp_path / "page-1.png").read_bytes().startswith(b"\x89PNG")


# scripts/compile_messages_if_needed.py


def test_committed_translations_are_compiled():
    stale = i18n.stale_catalogs()

    assert stale == [], "run `make messages` (or manage.py compilemessages) and commit the .mo"


PO_SAMPLE = r"""# header
#, fuzzy
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"POT-Creation-Date: 2026-11-22 02:20+0100\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: a.py:1
msgid "plan"
msgstr "Plan"

#, fuzzy
msgid "draft"
msgstr "Entwurf"

msgctxt "month"
msgid "May"
msgstr ""
"Ma"
"i"

msgid "measure"
msgid_plural "measures"
msgstr[0] "Maßnahme"
msgstr[1] "Maßnahmen"

msgid "untranslated"
msgstr ""

msgid "quote \"x\"\n"
msgstr "Zitat „x“\n"

#~ msgid "obsolete"
#~ msgstr "veraltet"
"""


def test_read_po_matches_what_msgfmt_compiles(tmp_path):
    msgfmt = require_binary("msgfmt", "gettext", "PLANWERK_REQUIRE_GETTEXT")
    catalog = tmp_path / "de" / "LC_MESSAGES"
    catalog.mkdir(parents=True)
    (catalog / "django.po").write_text(PO_SAMPLE, encoding="utf-8")
    subprocess.run([msgfmt, "-o", "django.mo", "django.po"], cwd=catalog, check=True)

    from_po = i18n.read_po(catalog / "django.po")

    assert from_po == i18n.read_mo(catalog / "django.mo")
    assert from_po["plan"] == "Plan"
    assert from_po["month\x04May"] == "Mai"
    assert from_po["measure\x00measures"] == "Maßnahme\x00Maßnahmen"
    assert "draft" not in from_po and "untranslated" not in from_po
    assert i18n.stale_catalogs(tmp_path) == []

    with (catalog / "django.po").open("a", encoding="utf-8") as po:
        po.write('\nmsgid "field of action"\nmsgstr "Handlungsfeld"\n')
    assert i18n.stale_catalogs(tmp_path) == [catalog / "django.po"]


# scripts/test_summary.py


def write_junit(path, *, tests, failures=0, errors=0, skipped=0):
    suite = ET.Element(
        "testsuite",
        tests=str(tests),
        failures=str(failures),
        errors=str(errors),
        skipped=str(skipped),
    )
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path)


def test_test_summary_adds_up_passes(tmp_path, capsys):
    write_junit(tmp_path / "a.xml", tests=10, failures=1, errors=1, skipped=2)
    write_junit(tmp_path / "b.xml", tests=10, skipped=2)

    test_summary.main(
        [f"SQLite={tmp_path / 'a.xml'}", f"PostgreSQL={tmp_path / 'b.xml'}", "X=/nonexistent"]
    )

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["SQLite:", "6", "passed,", "2", "failed,", "2", "skipped"]
    assert lines[1].split() == ["PostgreSQL:", "8", "passed,", "0", "failed,", "2", "skipped"]
    assert "did not run" in lines[2]
    assert lines[-1] == "total: 14 passed, 2 failed, 4 skipped"


# scripts/bootstrap-venv.sh


def fake_venv(tmp_path, pip_status=0):
    """A venv whose python answers version checks and logs instead of running pip."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "-m" ]; then echo "$@" >> {tmp_path}/pip.log; exit {pip_status}; fi\n'
        f'exec {sys.executable} "$@"\n'
    )
    python.chmod(0o755)
    return venv


def bootstrap(tmp_path, python=sys.executable):
    venv = tmp_path / "venv"
    return subprocess.run(
        [
            str(ROOT / "scripts" / "bootstrap-venv.sh"),
            python,
            str(venv),
            str(tmp_path / "requirements.lock"),
            str(venv / ".stamp"),
        ],
        capture_output=True,
        text=True,
    )


def test_bootstrap_venv_installs_only_when_lock_content_changes(tmp_path):
    venv = fake_venv(tmp_path)
    lock = tmp_path / "requirements.lock"
    lock.write_text("django==5.2.19\n")
    pip_log = tmp_path / "pip.log"

    first = bootstrap(tmp_path)
    assert first.returncode == 0, first.stderr
    assert pip_log.read_text().splitlines() == [
        f"-m pip install --no-input --disable-pip-version-check -q -r {lock}"
    ]
    assert (venv / ".stamp").read_text().strip() == hashlib.sha256(lock.read_bytes()).hexdigest()

    lock.touch()
    assert bootstrap(tmp_path).returncode == 0
    assert len(pip_log.read_text().splitlines()) == 1

    lock.write_text("django==5.2.20\n")
    assert bootstrap(tmp_path).returncode == 0
    assert len(pip_log.read_text().splitlines()) == 2


def test_bootstrap_venv_failed_install_writes_no_stamp(tmp_path):
    venv = fake_venv(tmp_path, pip_status=1)
    (tmp_path / "requirements.lock").write_text("django==5.2.19\n")

    result = bootstrap(tmp_path)

    assert result.returncode == 1
    assert "fehlgeschlagen" in result.stderr
    assert not (venv / ".stamp").exists()


def test_bootstrap_venv_stops_clearly_without_python_311(tmp_path):
    (tmp_path / "requirements.lock").write_text("")

    result = bootstrap(tmp_path, python="planwerk-no-such-python3.11")

    assert result.returncode == 1
    assert "Planwerk braucht Python 3.11" in result.stderr
    assert "apt-get install python3.11" in result.stderr
    assert not (tmp_path / "venv").exists()


# scripts/with-postgres.sh


def with_postgres(*command, **env):
    return subprocess.run(
        [str(ROOT / "scripts" / "with-postgres.sh"), *command],
        capture_output=True,
        text=True,
        env=script_env(**env),
        timeout=180,
    )


def pg_bindir_or_skip():
    dirs = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    initdb = dirs[0] if dirs else shutil.which("initdb")
    if initdb is None:
        require_binary("initdb", "postgresql", "PLANWERK_REQUIRE_POSTGRES")
    return Path(initdb).resolve().parent


PROBE = """
import os, psycopg
url = os.environ["DATABASE_URL"]
with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres") as conn:
    print("SERVER", conn.execute("show server_version").fetchone()[0])
    print("DATADIR", conn.execute("show data_directory").fetchone()[0])
raise SystemExit(3)
"""


def test_with_postgres_starts_and_removes_a_throwaway_cluster():
    pg_bindir_or_skip()

    result = with_postgres(sys.executable, "-c", PROBE, PLANWERK_PG_FORCE_TEMP="1")

    assert result.returncode == 3, result.stdout + result.stderr  # the command's own status
    assert "Wegwerf-Cluster" in result.stdout
    data_dir = Path(re.search(r"^DATADIR (.+)$", result.stdout, re.M).group(1))
    assert data_dir.name == "data" and data_dir.parent.name.startswith("planwerk-pg.")
    assert re.search(r"^SERVER \d+", result.stdout, re.M)
    assert not data_dir.parent.exists()


def test_with_postgres_skips_plainly_without_server_or_programs():
    env = {"PLANWERK_PG_PORT": str(closed_port()), "PLANWERK_PG_BINDIRS": "/nonexistent"}

    skipped = with_postgres("true", **env)
    required = with_postgres("true", PLANWERK_REQUIRE_POSTGRES="1", **env)

    assert skipped.returncode == 77
    assert "PostgreSQL-Durchlauf übersprungen: kein Server auf 127.0.0.1:" in skipped.stdout
    assert "Installieren: apt-get install postgresql" in skipped.stdout
    assert "PostgreSQL pass skipped" in skipped.stdout
    assert required.returncode == 1
    assert "PLANWERK_REQUIRE_POSTGRES=1" in required.stderr


# scripts/run-tests.sh


def test_run_tests_fails_when_pytest_runs_no_tests():
    env = script_env(
        PLANWERK_PG_PORT=str(closed_port()),
        PLANWERK_PG_BINDIRS="/nonexistent",
        # no worker processes: what is tested is the script's verdict, not xdist (saves
        # starting Django in two workers per pass)
        PLANWERK_TEST_WORKERS="0",
    )

    result = subprocess.run(
        [str(ROOT / "scripts" / "run-tests.sh"), "-q", "tests/test_settings.py", "-k", "no_such"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )

    assert result.returncode == 1
    assert "== Testlauf 1/2: SQLite ==" in result.stdout
    assert "== Testlauf 2/2: PostgreSQL ==" in result.stdout
    assert "keine Tests ausgeführt (pytest exit 5)" in result.stdout
    assert "PostgreSQL-Durchlauf übersprungen" in result.stdout
