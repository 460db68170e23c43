"""A fixture that fails a test still running after 20 s (SIGALRM), for no-hang tests."""

from __future__ import annotations

import signal

import pytest


@pytest.fixture
def alarm():
    def fail(*_):
        raise TimeoutError("no answer within 20 s")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)
