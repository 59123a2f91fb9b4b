import pytest
from django.core.cache import cache

from yancheng.testing.world import World, build_world


@pytest.fixture
def world(db) -> World:
    """The named world (city, districts, park, departments, two enterprises, personas)."""
    return build_world()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, request):
    """Argon2 is deliberately slow; tests that are about hashing mark themselves."""
    if "real_password_hashing" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _attachment_root(settings, tmp_path):
    """Uploads of a test go to its own temporary folder, never into ./var."""
    settings.YANCHENG_ATTACHMENT_ROOT = tmp_path / "attachments"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The API's rate-limit counters live in the cache, and user ids repeat across tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def as_user(world: World):
    """``as_user("dispatcher")``: an API client with a token of that persona; ``as_user(None)``: anonymous."""
    from yancheng.api.testing import api_client_for

    def make(name: str | None):
        return api_client_for(world.users[name] if name else None)

    return make
