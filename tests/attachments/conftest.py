import pytest
from django.core.cache import cache

from yancheng.api.testing import ApiClient, api_client_for
from yancheng.testing.world import World


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The API's rate-limit counters live in the cache, and user ids repeat across tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _attachment_root(settings, tmp_path):
    settings.YANCHENG_ATTACHMENT_ROOT = tmp_path / "attachments"


@pytest.fixture
def as_user(world: World):
    """``as_user("dispatcher")``: an ApiClient with a token of that persona; ``as_user(None)``: anonymous."""

    def make(name: str | None) -> ApiClient:
        return api_client_for(world.users[name] if name else None)

    return make
