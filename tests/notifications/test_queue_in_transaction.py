"""On the database task queue (django_tasks_db), notify() writes the delivery tasks in the
caller's transaction, in one INSERT: they commit with the change or not at all. On any
other queue they are queued when the transaction commits (test_delivery.py)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from yancheng.core.models import User
from yancheng.core.notifications.models import Delivery, Notification
from yancheng.core.notifications.services import notify, notify_audience

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def tell(world, recipients, **kw):
    return notify(recipients=recipients, verb="case.assigned", title="新交办事项", body="请受理。", url="/cases/42/",
                  actor=world.dispatcher, **kw)


def test_the_tasks_are_written_with_the_deliveries_in_one_insert(world, reachable, django_capture_on_commit_callbacks):
    with (
        override_settings(TASKS=DB_TASKS), django_capture_on_commit_callbacks() as callbacks,
        CaptureQueriesContext(connection) as captured, transaction.atomic(),
    ):
        tell(world, reachable)
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('INSERT INTO "django_tasks_database')]
    assert len(inserts) == 1 and callbacks == []
    ids = sorted(Delivery.objects.values_list("pk", flat=True))
    assert len(ids) == 2
    assert sorted(t.args_kwargs["args"][0] for t in DBTaskResult.objects.all()) == ids


def test_a_rolled_back_change_leaves_no_task_on_the_database_queue(world, reachable):
    with override_settings(TASKS=DB_TASKS), pytest.raises(RuntimeError), transaction.atomic():
        tell(world, reachable)
        raise RuntimeError("the business change failed")
    assert not DBTaskResult.objects.exists() and not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_what_was_queued_in_the_transaction(world, reachable):
    from django.core import mail

    with override_settings(TASKS=DB_TASKS):
        tell(world, reachable)
        call_command("worker", "--batch")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in reachable)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_queryset_of_recipients_is_read_once_and_only_its_active_users_are_told(world, reachable):
    User.objects.filter(pk=reachable[1].pk).update(is_active=False)
    people = User.objects.filter(organisation=world.qidong_park, role="handler")
    with CaptureQueriesContext(connection) as captured:
        audience = notify_audience(recipients=people, organisations=[world.qidong_park])
    assert [u.pk for u in audience.users] == [reachable[0].pk]
    assert len(captured.captured_queries) == 2  # the users, the group robots
    with CaptureQueriesContext(connection) as captured:
        created = tell(world, (), audience=audience)
    assert [n.recipient_id for n in created] == [reachable[0].pk]
    assert not any('FROM "core_user"' in q["sql"] for q in captured.captured_queries)
    assert Notification.objects.filter(recipient=reachable[1]).count() == 0
