"""urge and note are guarded by the version like every other step, and resolving with
evidence files is one all-or-nothing service call (issue 11 §3). Written from the side
of the stale page and of the refused file: nothing may be written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yancheng.cases import services as svc
from yancheng.cases.attachments import register
from yancheng.cases.models import Case, CaseEvent, Status
from yancheng.core.attachments.models import Attachment
from yancheng.core.attachments.services import attachments_for
from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.notifications.models import Notification

from ..attachments import samples


@pytest.fixture(autouse=True)
def _cases_are_attachable():
    register()


def written(case):
    """Everything a step could leave behind."""
    row = Case.objects.get(pk=case.pk)
    return (row.status, row.version, row.last_urged_at, row.resolved_at, row.resolution,
            CaseEvent.objects.filter(case_id=case.pk).count(), AuditEvent.objects.count(),
            Notification.objects.count(), Attachment.objects.count())


def stored_files(settings):
    root = settings.YANCHENG_ATTACHMENT_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- urge and note take the version --------------------------------------------------------------


@pytest.mark.parametrize("step", ["urge", "note"])
def test_a_stale_urge_or_note_is_refused_and_writes_nothing(world, accepted, step):
    before = written(accepted)
    call = {
        "urge": lambda v: svc.case_urge(accepted, actor=world.enterprise_a_user, note="请加快", expected_version=v),
        "note": lambda v: svc.case_add_note(accepted, actor=world.enterprise_a_user, note="补充", expected_version=v),
    }[step]
    with pytest.raises(ConflictError) as refused:
        call(accepted.version - 1)
    assert refused.value.code == "stale_version"
    assert written(accepted) == before
    call(accepted.version)  # the current version goes through
    assert CaseEvent.objects.filter(case_id=accepted.pk, action=step).count() == 1


@pytest.mark.parametrize("step, data", [("urge", {"note": "请加快"}), ("note", {"note": "补充"})])
def test_a_stale_page_cannot_urge_or_add_a_note(client, world, accepted, step, data):
    client.force_login(world.enterprise_a_user)
    before = written(accepted)
    payload = {f"{step}-version": accepted.version - 1} | {f"{step}-{k}": v for k, v in data.items()}
    response = client.post(reverse("cases:case_act", args=[accepted.pk, step]), payload)
    assert response.status_code == 302
    assert "该事项已被他人更新" in client.get(response["Location"]).content.decode()
    assert written(accepted) == before


# --- resolving with evidence is all or nothing ---------------------------------------------------


def _files():
    good = SimpleUploadedFile("送电.png", samples.png(), content_type="image/png")
    bad = SimpleUploadedFile("伪装.png", b"MZ\x90\x00 not an image", content_type="image/png")
    return good, bad


def test_a_refused_file_leaves_the_case_unresolved_and_no_file_behind(world, accepted, settings):
    before, files_before = written(accepted), stored_files(settings)
    with pytest.raises(ValidationFailed) as refused:
        svc.case_resolve(accepted, actor=world.handler_power, resolution="已接入送电", attachments=list(_files()))
    assert refused.value.field == "attachments" and "伪装.png" in str(refused.value.message)
    assert written(accepted) == before
    assert stored_files(settings) == files_before


def test_resolving_with_good_files_stores_them_with_the_case(world, accepted):
    good, _ = _files()
    svc.case_resolve(accepted, actor=world.handler_power, resolution="已接入送电", attachments=[good],
                     expected_version=accepted.version)
    accepted.refresh_from_db()
    assert accepted.status == Status.RESOLVED
    assert [a.original_name for a in attachments_for(accepted)] == ["送电.png"]


def test_the_page_shows_the_refused_file_and_the_case_stays_as_it_was(client, world, accepted, settings):
    client.force_login(world.handler_power)
    before, files_before = written(accepted), stored_files(settings)
    response = client.post(reverse("cases:case_act", args=[accepted.pk, "resolve"]), {
        "resolve-version": accepted.version, "resolve-resolution": "已接入送电", "resolve-attachments": list(_files()),
    })
    assert response.status_code == 422
    forms = {a["action"]: a["form"] for a in response.context["action_forms"]}
    assert "伪装.png" in str(forms["resolve"].errors["attachments"])
    assert written(accepted) == before
    assert stored_files(settings) == files_before
