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
