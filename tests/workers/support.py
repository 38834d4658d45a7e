"""Waiting for real worker processes."""

import time

import pytest

# Upper bounds for waiting on the workers, not timings: the test fails only if they never finish.
PATIENCE = 180


def wait_for(condition, what: str):
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"gave up waiting: {what() if callable(what) else what}")
