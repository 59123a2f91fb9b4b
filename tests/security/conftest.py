from __future__ import annotations

import pytest
from django.test import Client

from ._helpers import post_login


@pytest.fixture
def logged_in(world):
    """Make a client logged in through the real login page as the named persona."""

    def make(name: str, **extra) -> Client:
        client = Client(**extra)
        response = post_login(client, name)
        assert response.status_code == 302, response.content[:500]
        return client

    return make


SLEPT: list[float] = []


def record_sleep(seconds: float) -> None:
    """Stands in for time.sleep in the login slowdown: tests read the waits, never wait."""
    SLEPT.append(seconds)


@pytest.fixture(autouse=True)
def _login_waits_are_recorded_not_slept(settings):
    settings.YANCHENG_LOGIN_SLEEP = "tests.security.conftest.record_sleep"
    SLEPT.clear()
    yield SLEPT
    SLEPT.clear()
