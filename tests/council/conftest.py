"""The recorded OParl endpoint (fixtures/oparl-leipzig) served in place of the network."""

import json
from pathlib import Path

import pytest

from council import oparl

FIXTURES = Path(__file__).parent / "fixtures" / "oparl-leipzig"
SYSTEM = "https://ratsinformation.leipzig.de/allris_leipzig_public/oparl/system"


class RecordedEndpoint:
    """``council.oparl.transport`` answering from the files; ``fail`` makes it fail."""

    def __init__(self):
        self.urls = json.loads((FIXTURES / "urls.json").read_text())
        self.requested: list[str] = []
        self.fail: Exception | bytes | None = None

    def __call__(self, url, *, timeout, max_bytes):
        assert timeout > 0 and max_bytes > 0
        self.requested.append(url)
        if isinstance(self.fail, Exception):
            raise self.fail
        if isinstance(self.fail, bytes):
            return self.fail
        if url not in self.urls:
            raise oparl.OParlError(f"HTTP 404 from {url}")
        return (FIXTURES / self.urls[url]).read_bytes()


@pytest.fixture
def endpoint(monkeypatch, settings):
    settings.PLANWERK_OPARL_ENDPOINTS = {"Leipzig": SYSTEM}
    recorded = RecordedEndpoint()
    monkeypatch.setattr(oparl, "transport", recorded)
    return recorded


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """No test here reaches the network: the real transport's opener is replaced."""

    def refuse(*args, **kwargs):
        raise AssertionError("network access in a test")

    monkeypatch.setattr("urllib.request.OpenerDirector.open", refuse)
