"""The 信访人's personal data (name, ID number, phone, address) stays in the encrypted record:
never in list pages, exports without reveal, API answers, notifications and SMS to organs,
audit records, logs, the handling case, the dashboard, nor — beyond the name the 条例 needs —
in the 转送函 an organ receives. A reveal is explicit and audited by ids only."""

from __future__ import annotations

import json
import logging

import pytest
from django.urls import reverse

from yancheng.api.testing import api_client_for
from yancheng.core.audit.models import AuditEvent
from yancheng.core.notifications.models import Delivery, Notification
from yancheng.petitions import documents
from yancheng.petitions.intake import petitioner_reveal
from yancheng.petitions.models import DocumentKind

from .test_leaks_accusation import ACCUSER, CLAIMANT, accusation_story, body_of, twin_story

pytestmark = pytest.mark.django_db

PEOPLE = (CLAIMANT, ACCUSER)
NOT_NAMES = [value for person in PEOPLE for value in person[1:]]  # ID numbers, phones, addresses
EVERYTHING = [value for person in PEOPLE for value in person]


@pytest.fixture
def story(pw, client, caplog):
    caplog.set_level(logging.DEBUG)
    twin_story(pw)
    accusation_story(pw, client)
    pw.log_text = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    return pw


def assert_clean(text: str, where: object, words=EVERYTHING) -> None:
    for word in words:
        assert word not in text, (where, word)


def test_lists_exports_api_and_dashboard_show_masks_only(story, client):
    pw = story
    pages = [reverse("petitions:petition_list"), f"{reverse('petitions:petition_list')}?format=xlsx",
             reverse("petitions:hotspots"), reverse("petitions:annual_report"), reverse("petitions:follow_up_list"),
             reverse("core:home")]
    for user in (pw.xinfang, pw.handler_housing, pw.handler_discipline, pw.world.supervisor):
        client.force_login(user)
        for url in [*pages, reverse("dashboard:index")]:
            response = client.get(url)
            assert_clean(body_of(response), (user.username, url))
        api = api_client_for(user)
        for url in ["/api/v1/petitions", f"/api/v1/petitions/{pw.twin.pk}", f"/api/v1/petitions/{pw.accusation.pk}"]:
            assert_clean(body_of(api.get(url)), (user.username, url))
    client.force_login(pw.xinfang)
    page = body_of(client.get(reverse("petitions:petition_list")))
    assert pw.twin.number in page and pw.accusation.number in page  # the rows are there, masked


def test_the_handling_case_names_nobody(story):
    pw = story
    for petition in (pw.twin, pw.accusation):
        case = petition.case
        assert_clean(f"{case.title} {case.description}", petition.number)
        assert_clean(" ".join(case.events.values_list("note", flat=True)) if hasattr(case, "events") else "",
                     petition.number)


def test_notifications_and_messages_name_nobody(story):
    rows = [(n.recipient.username, f"{n.title} {n.body} {n.url}") for n in Notification.objects.all()]
    rows += [(d.channel, f"{d.title} {d.body} {d.url} {d.target}") for d in Delivery.objects.all()]
    assert rows
    for where, text in rows:
        assert_clean(text, where)


def test_audit_records_and_logs_name_nobody(story, client):
    pw = story
    for event in AuditEvent.objects.all():
        assert_clean(json.dumps([event.object_repr, event.before, event.after], ensure_ascii=False), event.action)
        if event.object_type == "petitions.petition" and event.object_repr:
            assert event.object_repr in (pw.twin.number, pw.accusation.number), event.object_repr
    assert_clean(pw.log_text, "logs")


def test_the_letters_to_organs_carry_no_id_number_phone_or_address(story):
    pw = story
    letters = [d for p in (pw.twin, pw.accusation) for d in p.documents.all()
               if d.kind in (DocumentKind.FORWARD, DocumentKind.ASSIGNMENT, DocumentKind.COMPLETION_REPORT)]
    assert len(letters) == 2
    for letter in letters:
        text = body_of(type("R", (), {"content": documents.render(letter), "get": lambda *a: ""})())
        assert_clean(text, letter.number, NOT_NAMES)
        assert ACCUSER[0] not in text  # the accuser is named to no organ (第三十条)
    twin_letter = next(d for d in letters if d.petition_id == pw.twin.pk)
    assert CLAIMANT[0] in body_of(type("R", (), {"content": documents.render(twin_letter), "get": lambda *a: ""})())


def test_a_reveal_is_audited_by_ids_only(story):
    pw = story
    person = pw.twin.petitioners.get()
    revealed = petitioner_reveal(person, actor=pw.xinfang)
    assert (revealed.name, revealed.id_number, revealed.phone) == CLAIMANT[:3]
    event = AuditEvent.objects.filter(action="petition.personal_reveal").latest("seq")
    assert event.after == {"petitioner": person.pk} and event.object_id == str(pw.twin.pk)
    assert_clean(json.dumps([event.object_repr, event.before, event.after], ensure_ascii=False), "reveal")
