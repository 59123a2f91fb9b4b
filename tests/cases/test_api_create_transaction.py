"""Creating a case through the API is one transaction (issue 6): the idempotency record,
the case with its event, inbox rows, deliveries, their tasks (on the database queue) and
the audit records commit together — or, when anything fails, none of them does."""

import datetime as dt
import uuid
from contextlib import contextmanager

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from yancheng.api.models import IdempotencyRecord
from yancheng.cases.models import Case
from yancheng.core.audit.models import AuditEvent
from yancheng.core.audit.verify import verify_chain
from yancheng.core.notifications.models import Delivery, Notification
from yancheng.core.services import user_create
from yancheng.testing.world import PERSONA_PASSWORD

SH = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)
LIST = "/api/v1/cases"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
BODY = {"title": "高压专线未接入", "description": "厂房已建成，10kV 高压专线尚未接入。", "subject": "纸箱包装生产线项目"}


@pytest.fixture
def park_dispatchers(world):
    """Two more dispatchers of the park, with email addresses (the persona has none)."""
    return [
        user_create(
            username=f"park_dispatcher_{n}", password=PERSONA_PASSWORD, role="dispatcher",
            organisation=world.qidong_park, full_name=f"园区调度员{n}", email=f"park_dispatcher_{n}@qidong.example.cn",
            must_change_password=False, actor=None,
        )
        for n in (1, 2)
    ]


@contextmanager
def refusing_inserts(table):
    """The database refuses rows of ``table`` (as a full disk or a lost connection would,
    part-way through a transaction): a trigger, dropped at the end of the block."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                           "$$ BEGIN RAISE EXCEPTION 'test: the database refuses'; END $$")
            cursor.execute(f"CREATE TRIGGER test_refuse BEFORE INSERT ON {table} "
                           "FOR EACH ROW EXECUTE FUNCTION test_refuse()")
        else:
            cursor.execute(f"CREATE TRIGGER test_refuse BEFORE INSERT ON {table} "
                           "BEGIN SELECT RAISE(ABORT, 'test: the database refuses'); END")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER test_refuse ON {table}" if postgres else "DROP TRIGGER test_refuse")
            if postgres:
                cursor.execute("DROP FUNCTION test_refuse()")


def test_the_answer_to_a_creation_is_what_reading_the_case_back_answers(world, as_user):
    client = as_user("enterprise_a")
    with time_machine.travel(MONDAY, tick=False):
        created = client.post(LIST, BODY, headers={"Idempotency-Key": str(uuid.uuid4())})
        assert created.status_code == 201, created.content
        read = client.get(created["Location"])
    assert created.json() == read.json()
    assert created["ETag"] == read["ETag"]
    assert created.json()["light"] == "waiting" and created.json()["tasks"] == created.json()["extensions"] == []


def test_on_the_database_queue_the_delivery_tasks_commit_with_the_case(
    world, as_user, park_dispatchers, django_capture_on_commit_callbacks
):
    client = as_user("enterprise_a")
    key = str(uuid.uuid4())
    with override_settings(TASKS=DB_TASKS), django_capture_on_commit_callbacks() as callbacks:
        created = client.post(LIST, BODY, headers={"Idempotency-Key": key})
    assert created.status_code == 201, created.content
    case = Case.objects.get(pk=created.json()["id"])
    emails = Delivery.objects.filter(channel="email", notification__object_id=str(case.pk))
    assert sorted(emails.values_list("target", flat=True)) == [
        "park_dispatcher_1@qidong.example.cn", "park_dispatcher_2@qidong.example.cn"
    ]
    # One task per delivery, written in the request's transaction: nothing is left to do on commit.
    tasks = DBTaskResult.objects.filter(task_path="yancheng.core.notifications.tasks.deliver")
    assert sorted(t.args_kwargs["args"][0] for t in tasks) == sorted(emails.values_list("pk", flat=True))
    assert {t.status for t in tasks} == {"READY"}
    assert callbacks == []
    assert IdempotencyRecord.objects.get(key=key).status == 201
    assert verify_chain().ok


def test_a_failure_after_the_case_is_written_leaves_no_case_no_key_no_task(
    world, as_user, park_dispatchers, django_capture_on_commit_callbacks
):
    client = as_user("enterprise_a")
    key = str(uuid.uuid4())
    audit_head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    # The audit append is the last write of the service, after the case, its event, the
    # inbox rows, the deliveries and their tasks.
    with (
        override_settings(TASKS=DB_TASKS), django_capture_on_commit_callbacks() as callbacks,
        refusing_inserts("audit_auditevent"),
    ):
        failed = client.post(LIST, BODY, headers={"Idempotency-Key": key})
    assert failed.status_code == 500
    assert failed.json()["error"]["code"] == "server_error"
    assert not Case.objects.exists()
    assert not IdempotencyRecord.objects.filter(key=key).exists()
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert not DBTaskResult.objects.exists() and callbacks == []
    assert AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() == audit_head


def test_after_a_failure_the_same_key_creates_the_case_once(world, as_user, park_dispatchers):
    client = as_user("enterprise_a")
    key = str(uuid.uuid4())
    with refusing_inserts("cases_caseevent"):  # right after the case row
        assert client.post(LIST, BODY, headers={"Idempotency-Key": key}).status_code == 500
    retried = client.post(LIST, BODY, headers={"Idempotency-Key": key})
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
    again = client.post(LIST, BODY, headers={"Idempotency-Key": key})
    assert again["Idempotent-Replayed"] == "true" and again.content == retried.content
    assert Case.objects.count() == 1
    # The failed attempt took no number: the numbering has no gap.
    assert Case.objects.get().number.endswith("-000001")


def test_a_case_registered_by_staff_who_cannot_see_it_answers_404_and_is_kept(world, as_user):
    # A handler of the power company registers a problem for an enterprise of the park: it
    # goes to the park's dispatchers; the handler is not (yet) a party to it.
    response = as_user("handler_power").post(LIST, {**BODY, "enterprise": world.enterprise_a.pk},
                                             headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 404
    case = Case.objects.get()
    assert case.reporter == world.handler_power and case.dispatch_org == world.qidong_park


def test_creating_a_case_runs_a_pinned_number_of_statements_in_one_transaction(world, as_user, park_dispatchers):
    client = as_user("enterprise_a")
    client.post(LIST, {**BODY, "title": "预热"}, headers={"Idempotency-Key": str(uuid.uuid4())})  # token's last_used_at
    with override_settings(TASKS=DB_TASKS), CaptureQueriesContext(connection) as captured:
        created = client.post(LIST, BODY, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201
    statements = [q["sql"] for q in captured.captured_queries]
    # Token; (the test's savepoint) reservation; enterprise; dispatchers; robots; number;
    # case; event; inbox rows; deliveries; their tasks; chain lock and head (one round trip
    # on PostgreSQL); both audit records in one insert; the answer; (release). No read-back.
    assert len(statements) == 16, "\n".join(s[:120] for s in statements)
    assert sum(s.startswith("INSERT INTO \"audit_auditevent\"") for s in statements) == 1
    assert not any(s.startswith("SELECT") and "FROM \"cases_case\"" in s for s in statements)


def test_the_first_case_of_a_year_makes_its_counter_and_a_rolled_back_case_gives_its_number_back(world):
    from django.db import transaction

    from yancheng.cases.models import CaseCounter
    from yancheng.cases.services import case_submit

    def submit(title):
        return case_submit(actor=world.enterprise_a_user, title=title, description="说明")

    with time_machine.travel(dt.datetime(2027, 1, 4, 9, 0, tzinfo=SH), tick=False):
        assert not CaseCounter.objects.filter(year=2027).exists()
        assert submit("新年第一件").number == "WT2027-000001"
        with pytest.raises(RuntimeError), transaction.atomic():
            assert submit("回滚的一件").number == "WT2027-000002"
            raise RuntimeError("the caller's transaction fails")
        assert submit("第二件").number == "WT2027-000002"
    assert CaseCounter.objects.get(year=2027).last == 2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_retry_sent_while_the_first_request_runs_waits_for_it_and_gets_its_answer(world, as_user):
    import threading
    import time

    from django.db import connections, transaction

    from yancheng.cases.models import CaseCounter
    from yancheng.cases.services import case_submit

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has a single writer (BEGIN IMMEDIATE): concurrency is tested on PostgreSQL")
    case_submit(actor=world.enterprise_a_user, title="今年第一件", description="说明")  # the year's counter exists
    client = as_user("enterprise_a")
    client.post(LIST, {**BODY, "title": "预热"}, headers={"Idempotency-Key": str(uuid.uuid4())})
    key = str(uuid.uuid4())
    answers: dict[str, object] = {}

    def send(name: str) -> None:
        try:
            answers[name] = client.post(LIST, BODY, headers={"Idempotency-Key": key})
        except BaseException as exc:  # reported below, in the test's thread
            answers[name] = exc
        finally:
            connections.close_all()

    first, retry = threading.Thread(target=send, args=("first",)), threading.Thread(target=send, args=("retry",))
    with transaction.atomic():
        # Hold the year's counter: the first request reserves its key, then waits here.
        CaseCounter.objects.select_for_update().get(year=timezone_year())
        first.start()
        time.sleep(0.5)
        retry.start()  # waits on the first one's reservation, which is not committed yet
        time.sleep(0.5)
    first.join(30)
    retry.join(30)
    created, replayed = answers["first"], answers["retry"]
    assert created.status_code == 201, created  # type: ignore[union-attr]
    assert replayed.status_code == 201 and replayed["Idempotent-Replayed"] == "true"  # type: ignore[union-attr,index]
    assert replayed.content == created.content  # type: ignore[union-attr]
    assert Case.objects.filter(title=BODY["title"]).count() == 1


def timezone_year() -> int:
    from django.utils import timezone

    from yancheng.cases.clocks import local_date

    return local_date(timezone.now()).year
