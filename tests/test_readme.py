"""The README is the front door (issue 19, item 12): short, and the one figure it promises —
how soon a job of a dead worker is picked up again — is the one the settings give."""

import re
from pathlib import Path

from django.conf import settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_is_a_front_door_not_a_manual():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150
    for doc in ("configuration", "production", "roles", "api", "round-trip"):
        assert f"(docs/{doc}.md)" in README.read_text(encoding="utf-8")


def test_readme_states_the_job_pickup_time_the_settings_give():
    text = README.read_text(encoding="utf-8")
    stated = re.findall(r"taken up again within \*\*(\d+) seconds\*\*", text)
    assert len(stated) == 1, "stated once"
    expected = settings.PLANWERK_TASK_STALE_SECONDS + settings.PLANWERK_TASK_HEARTBEAT_SECONDS
    assert int(stated[0]) == expected
