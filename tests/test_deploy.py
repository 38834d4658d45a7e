"""`manage.py check --deploy` with exactly the production environment docs/production.md
documents."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _documented_production_env() -> dict[str, str]:
    """The `export NAME=value` lines of the "Running in production" example in
    docs/production.md."""
    text = (ROOT / "docs" / "production.md").read_text()
    section = text.split("# Running in production", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    env = {}
    for line in block.splitlines():
        if line.startswith("export "):
            for pair in line.removeprefix("export ").split():
                name, _, value = pair.partition("=")
                env[name] = value
    return env


def test_readme_documents_the_production_environment():
    env = _documented_production_env()

    assert "PLANWERK_ENV" not in env  # production is the default
    assert {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"} <= set(env)
    assert env["DJANGO_PROXY_SSL_HEADER"] == "HTTP_X_FORWARDED_PROTO"


def test_check_deploy_with_the_documented_environment_has_no_warnings(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        **_documented_production_env(),
        # a secret as production would have it (the README shows a placeholder)
        "DJANGO_SECRET_KEY": "Xq3-" + "k7Vb9Rt2Wz8Lp4Ns6Hd1Jf5Mc0Gy" * 2,
        "PLANWERK_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "System check identified no issues" in output


def test_check_deploy_without_the_secret_key_refuses_to_start(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        **_documented_production_env(),
        "PLANWERK_VAR_DIR": str(tmp_path / "var"),
    }
    del env["DJANGO_SECRET_KEY"]

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
