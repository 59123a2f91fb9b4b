import importlib
import time
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_migrate
from django.test import override_settings
from django.utils import translation

from yancheng.testing.world import World, build_world


@pytest.fixture
def world(db) -> World:
    """The named world (city, districts, park, departments, two enterprises, personas)."""
    return build_world()


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """The named world built once for a module, inside a transaction rolled back after its
    last test; each test runs in a savepoint of its own, so what a test writes is gone for
    the next. For modules whose tests only read the world (they opt in through
    ``shared_world``, below). The personas' passwords are hashed the way the
    function-scoped tests check them (fast MD5)."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast:
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def shared_world(module_world: World, db) -> World:
    """The module's world, for one test. A module whose tests only read the world opts in
    with ``@pytest.fixture`` ``def world(shared_world): return shared_world``."""
    return module_world


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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, which on PostgreSQL is dropped only once no other
    session uses it: the live server's request threads close their connections when the
    browser closes its sockets, a moment after the last browser test, and a DROP in that
    moment fails ("is being accessed by other users") and leaves the database behind."""
    yield
    with django_db_blocker.unblock():
        _wait_for_the_other_sessions_to_close(seconds=10)


def _wait_for_the_other_sessions_to_close(seconds: float) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + seconds
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            others = cursor.fetchone()[0]
        if others == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    connection.close()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in English activates English for
    the thread, and the test after it (in whatever order a run or a worker takes them)
    must not inherit it."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


# Rows the data migrations put in (the default 时限 rules, the ranking formula, the
# inspection policy). A
# transactional test ends by emptying every table; Django then sends post_migrate, and
# this puts the rows back, so the tests after it find the database as migrated.
_SEEDING_MIGRATIONS = {
    "cases": [
        ("yancheng.cases.migrations.0002_default_sla_policies", "create_defaults"),
        ("yancheng.cases.migrations.0007_petition_policies", "set_petition_policies"),
        ("yancheng.cases.migrations.0009_chain_problem_policies", "create_chain_problem_policies"),
    ],
    "dashboard": [("yancheng.dashboard.migrations.0002_snapshot_append_only_and_default_formula", "default_formula")],
    "inspections": [("yancheng.inspections.migrations.0003_default_inspection_policy", "create_default_policy")],
    "petitions": [("yancheng.petitions.migrations.0002_topics", "seed")],
}


def _reseed_after_flush(sender, using="default", **kwargs):
    for module, function in _SEEDING_MIGRATIONS.get(sender.label, []):
        getattr(importlib.import_module(module), function)(apps, None)


post_migrate.connect(_reseed_after_flush, weak=False, dispatch_uid="yancheng-tests-reseed-after-flush")


@pytest.fixture
def as_user(world: World):
    """``as_user("dispatcher")``: an API client with a token of that persona; ``as_user(None)``: anonymous."""
    from yancheng.api.testing import api_client_for

    def make(name: str | None):
        return api_client_for(world.users[name] if name else None)

    return make
