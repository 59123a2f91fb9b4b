"""The registry family's writes: the development path's numbered versions and who runs a chain,
from the office's side and from the side that must be refused."""

import threading

import pytest

from yancheng.chains.models import ChainPath
from yancheng.chains.services.registry import path_add, profile_update
from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed

pytestmark = pytest.mark.django_db


def test_versions_are_numbered_per_chain_from_one(cw):
    first = path_add(cw.nonferrous, actor=cw.lianban, text="做强冶炼")
    second = path_add(cw.nonferrous, actor=cw.lianban, text="做强冶炼\r\n延伸精深加工", expected_version=1)
    other = path_add(cw.electronics, actor=cw.lianban_dz, text="补齐芯片封测")
    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert second.text == "做强冶炼\n延伸精深加工" and second.author == cw.lianban
    assert AuditEvent.objects.filter(action="chain.path_add").count() == 3


def test_a_version_written_on_a_stale_page_or_unchanged_is_refused(cw):
    path_add(cw.nonferrous, actor=cw.lianban, text="第一版")
    path_add(cw.nonferrous, actor=cw.lianban, text="第二版", expected_version=1)
    with pytest.raises(ConflictError):
        path_add(cw.nonferrous, actor=cw.lianban, text="在第一版上改的", expected_version=1)
    with pytest.raises(ValidationFailed) as same:
        path_add(cw.nonferrous, actor=cw.lianban, text="  第二版 ")
    assert same.value.field == "text"
    with pytest.raises(ValidationFailed):
        path_add(cw.nonferrous, actor=cw.lianban, text="   ")
    assert list(ChainPath.objects.filter(chain=cw.nonferrous).values_list("number", flat=True)) == [2, 1]


@pytest.mark.parametrize("persona", ["lianban_dz", "lianban_qd", "chain_leader", "handler_ndrc", "enterprise_b_user"])
def test_only_the_chains_own_office_writes_its_path(cw, persona):
    with pytest.raises(PermissionDeniedError):
        path_add(cw.nonferrous, actor=getattr(cw, persona), text="越权")
    assert not ChainPath.objects.exists()
    assert AuditEvent.objects.filter(action="permission_denied").exists()


def test_a_stale_profile_edit_is_refused_and_changes_nothing(cw):
    profile = profile_update(cw.nonferrous, actor=cw.lianban, industry_group="三色金属")
    with pytest.raises(ConflictError):
        profile_update(cw.nonferrous, actor=cw.lianban, expected_version=profile.version - 1, industry_group="旧")
    profile.refresh_from_db()
    assert profile.industry_group == "三色金属"
    with pytest.raises(PermissionDeniedError):
        profile_update(cw.nonferrous, actor=cw.lianban_dz, industry_group="电子")


@pytest.mark.django_db(transaction=True)
def test_two_authors_at_once_get_two_numbers(world):
    """Two threads add a version at the same moment: the profile's row lock makes the second
    wait for the first, so the numbers are 1 and 2, never 1 twice."""
    from django.db import connection

    from yancheng.testing.chains import build_chain_world

    cw = build_chain_world(world)
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises every write transaction; the lock matters on PostgreSQL")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def add(text: str) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            path_add(cw.nonferrous, actor=cw.lianban, text=text)
        except BaseException as exc:
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=add, args=(t,)) for t in ("甲稿", "乙稿")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(ChainPath.objects.filter(chain=cw.nonferrous).values_list("number", flat=True)) == [1, 2]
