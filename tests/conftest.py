import pytest

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
