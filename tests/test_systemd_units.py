"""The systemd units in docs/systemd (issue 19, items 5, 8 and 9): each starts a command that
exists, the long-running ones are restarted when they end, the timers fire when documented."""

import configparser
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands

UNITS = Path(__file__).resolve().parents[1] / "docs" / "systemd"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(UNITS / name)
    return parser


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("planwerk-worker@.service", "task_worker"),
        ("planwerk-reminders.service", "send_reminders"),
        ("planwerk-purge.service", "purge_documents"),
        ("planwerk-backup.service", "backup"),
    ],
)
def test_units_run_existing_management_commands(name, command):
    argv = shlex.split(_unit(name)["Service"]["ExecStart"])
    assert argv[1:3] == ["manage.py", command]
    assert command in get_commands()


def test_web_runs_the_wsgi_application_and_services_restart():
    web = _unit("planwerk-web.service")["Service"]
    assert "config.wsgi" in shlex.split(web["ExecStart"])
    for name in ("planwerk-web.service", "planwerk-worker@.service"):
        service = _unit(name)["Service"]
        assert service["Restart"] == "always", name
        assert service["EnvironmentFile"] == "/etc/planwerk/env", name
    assert _unit("planwerk-worker@.service")["Service"]["KillMode"] == "control-group"
    assert _unit("planwerk-reminders.timer")["Timer"]["OnCalendar"] == "Mon 07:00"
    assert _unit("planwerk-purge.timer")["Timer"]["OnCalendar"] == "*-*-* 03:30"
    assert _unit("planwerk-backup.timer")["Timer"]["OnCalendar"] == "*-*-* 02:30"
    for name in ("planwerk-reminders.service", "planwerk-purge.service", "planwerk-backup.service"):
        assert _unit(name)["Service"]["Type"] == "oneshot", name
