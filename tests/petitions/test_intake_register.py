"""登记与溯源 through the pages: registering (zh and en), the ID number refused on its field
with nothing saved, the 查询码 shown once, the SMS with the code (nothing in the logs), the
linking / 重复信访 / 终结后再次反映 flags, 不再受理, classification and 不予受理."""

from __future__ import annotations

import logging
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from yancheng.core.audit.models import AuditEvent
from yancheng.petitions import querycode
from yancheng.petitions.intake import PetitionerInput, petition_not_accept, petition_refuse_again
from yancheng.petitions.models import DocumentKind, Petition, PetitionDocument, Stage, Topic
from yancheng.testing.petitions import ID_NUMBERS, register

pytestmark = pytest.mark.django_db


class RecordingGateway:
    """The city's SMS gateway, as the tests see it."""

    sent: list[tuple[str, str]] = []

    def send(self, *, phone: str, message: str) -> None:
        self.sent.append((phone, message))


@pytest.fixture
def gateway(settings):
    settings.YANCHENG_SMS_BACKEND = "tests.petitions.test_intake_register.RecordingGateway"
    RecordingGateway.sent = []
    return RecordingGateway


def form_data(pw, **overrides):
    data = {
        "channel": "letter",
        "received_on": timezone.localdate().isoformat(),
        "region": str(pw.world.city.pk),
        "topic": str(Topic.objects.get(code="urban_construction").pk),
        "title": "小区电梯长期停运",
        "request": "请求督促物业公司尽快修复电梯。",
        "facts": "电梯自今年三月起停运。",
        "petition_type": "claim",
        "claim_route": "petition",
        "rows": "5",
        "p0-name": "张三",
        "p0-id_number": ID_NUMBERS[0],
        "p0-phone": "13807340001",
        "p0-address": "衡阳市石鼓区人民路1号",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_register_through_the_page_shows_the_code_once(client, pw, gateway, language, django_capture_on_commit_callbacks):
    client.force_login(pw.xinfang)
    client.cookies["django_language"] = language
    page = client.get(reverse("petitions:petition_register"))
    assert page.status_code == 200
    assert page.content.count(b'name="p4-name"') == 1  # five blank rows without JavaScript
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("petitions:petition_register"), form_data(pw))
    petition = Petition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:petition_registered", args=[petition.pk])
    result = client.get(response["Location"])
    text = result.content.decode()
    code_line = text.split("data-query-code>")[1].split("<")[0]
    assert len(code_line) == 14 and code_line.count("-") == 2  # ABCD-EFGH-JKMN
    assert petition.query_code_digest == querycode.digest(code_line)
    assert "/petitions/query/" in text and petition.number in text
    again = client.get(response["Location"]).content.decode()
    assert code_line not in again  # shown once: a reload no longer has it
    assert "data-code-gone" in again
    # The SMS went to the petitioner's phone with the code.
    assert len(gateway.sent) == 1
    phone, message = gateway.sent[0]
    assert phone == "13807340001" and code_line in message and petition.number in message


def test_the_sms_and_the_logs_keep_the_code_and_phone_out(client, pw, settings, caplog, django_capture_on_commit_callbacks):
    settings.YANCHENG_SMS_BACKEND = ""  # the default backend logs a masked number
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        registered = register(pw)
    assert "138****0001" in caplog.text  # the logging backend ran
    assert "13807340001" not in caplog.text
    assert registered.query_code not in caplog.text
    assert querycode.display(registered.query_code) not in caplog.text
    audit_text = " ".join(str(e.after) for e in AuditEvent.objects.all())
    assert registered.query_code not in audit_text and querycode.display(registered.query_code) not in audit_text


def test_a_failing_gateway_does_not_undo_the_registration_nor_log_the_code(pw, settings, caplog,
                                                                         django_capture_on_commit_callbacks):
    settings.YANCHENG_SMS_BACKEND = "tests.petitions.test_intake_register.BrokenGateway"
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        registered = register(pw)
    assert Petition.objects.filter(pk=registered.petition.pk).exists()
    assert "not sent" in caplog.text
    assert registered.query_code not in caplog.text and "13807340001" not in caplog.text


class BrokenGateway:
    def send(self, *, phone: str, message: str) -> None:
        raise RuntimeError(f"gateway refused {phone}: {message}")


def test_no_sms_without_a_phone_or_for_a_duplicate(pw, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(pw, petitioners=[PetitionerInput("李四", ID_NUMBERS[1])])
    assert gateway.sent == []
    with django_capture_on_commit_callbacks(execute=True):
        register(pw)
        register(pw)  # the same person, the same topic, still running: 重复信访
    assert len(gateway.sent) == 1


def test_a_wrong_id_number_is_refused_on_its_field_and_nothing_is_saved(client, pw):
    client.force_login(pw.xinfang)
    wrong = ID_NUMBERS[0][:-1] + ("1" if ID_NUMBERS[0][-1] != "1" else "2")
    response = client.post(reverse("petitions:petition_register"), form_data(pw, **{"p0-id_number": wrong}))
    assert response.status_code == 200
    assert not Petition.objects.exists()
    row = response.context["rows"][0]
    assert row.errors["id_number"]  # on the field, with the reason
    assert "校验" in row.errors["id_number"][0] or "身份" in row.errors["id_number"][0]
    text = response.content.decode()
    assert 'value="小区电梯长期停运"' in text and 'value="13807340001"' in text  # nothing lost


def test_a_service_refusal_keeps_the_values(client, pw):
    client.force_login(pw.xinfang)
    response = client.post(reverse("petitions:petition_register"),
                           form_data(pw, **{"p0-name": "", "p0-id_number": "", "p0-phone": "", "p0-address": ""}))
    assert response.status_code == 200
    assert not Petition.objects.exists()
    assert "只有检举控告类信访可以匿名" in response.context["people_error"]
    assert "小区电梯长期停运" in response.content.decode()


def test_more_rows_without_javascript(client, pw):
    client.force_login(pw.xinfang)
    response = client.post(reverse("petitions:petition_register"), form_data(pw, more_rows="1"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 10
    assert not Petition.objects.exists()
    assert 'value="张三"' in response.content.decode()


def test_the_flags_are_shown_after_registering(client, pw):
    client.force_login(pw.xinfang)
    first = register(pw, topic=Topic.objects.get(code="health")).petition
    Petition.objects.filter(pk=first.pk).update(stage=Stage.CLOSED)
    client.post(reverse("petitions:petition_register"), form_data(pw))
    linked = Petition.objects.exclude(pk=first.pk).get()
    page = client.get(reverse("petitions:petition_registered", args=[linked.pk])).content.decode()
    assert 'data-flag="earlier"' in page and first.number in page
    assert reverse("petitions:petition_detail", args=[first.pk]) in page
    # The same person and topic while that matter runs: 重复信访, not a new matter.
    Petition.objects.filter(pk=linked.pk).update(handling_org=pw.housing, stage=Stage.TRANSFERRED)
    client.post(reverse("petitions:petition_register"), form_data(pw))
    duplicate = Petition.objects.order_by("-pk").first()
    assert duplicate.duplicate_of_id == linked.pk and duplicate.stage == Stage.NOT_ACCEPTED
    page = client.get(reverse("petitions:petition_registered", args=[duplicate.pk])).content.decode()
    assert 'data-flag="duplicate"' in page and linked.number in page and pw.housing.name in page
    assert "data-query-code" not in page


def test_after_final_offers_the_no_longer_notice(client, pw):
    client.force_login(pw.xinfang)
    first = register(pw).petition
    Petition.objects.filter(pk=first.pk).update(stage=Stage.FINAL)
    client.post(reverse("petitions:petition_register"), form_data(pw))
    again = Petition.objects.order_by("-pk").first()
    page = client.get(reverse("petitions:petition_registered", args=[again.pk])).content.decode()
    assert 'data-flag="after_final"' in page
    url = reverse("petitions:petition_refuse_again", args=[again.pk])
    assert url in page
    assert client.get(url).status_code == 405
    response = client.post(url, {"expected_version": again.version})
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.stage == Stage.NOT_ACCEPTED
    document = PetitionDocument.objects.get(petition=again)
    assert document.kind == DocumentKind.NO_LONGER_ACCEPTED and "第三十六条" in document.body


def test_refuse_again_only_for_a_filing_after_final_and_only_by_the_office(pw):
    from yancheng.core.errors import ConflictError, PermissionDeniedError

    plain = register(pw).petition
    with pytest.raises(ConflictError):
        petition_refuse_again(plain, actor=pw.xinfang)
    Petition.objects.filter(pk=plain.pk).update(after_final=True)
    plain.refresh_from_db()
    with pytest.raises(PermissionDeniedError):
        petition_refuse_again(plain, actor=pw.handler_housing)
    assert not PetitionDocument.objects.exists()


def test_classification_page_and_the_not_accept_notice_naming_the_channel(client, pw):
    petition = register(pw, petition_type="", claim_route="").petition
    client.force_login(pw.xinfang)
    url = reverse("petitions:petition_classify", args=[petition.pk])
    page = client.get(url).content.decode()
    assert "（二）仲裁" in page
    response = client.post(url, {"petition_type": "claim", "claim_route": "", "expected_version": petition.version})
    assert response.status_code == 200 and "第三十一条" in str(response.context["form"].errors)
    client.post(url, {"petition_type": "claim", "claim_route": "arbitration", "expected_version": petition.version})
    petition.refresh_from_db()
    assert petition.claim_route == "arbitration"
    page = client.get(url).content.decode()
    assert "申请仲裁" in page  # the channel text, prefilled and editable
    response = client.post(reverse("petitions:petition_not_accept", args=[petition.pk]), {
        "reason": "属于劳动争议。", "channel_text": "请向衡阳市劳动人事争议仲裁委员会申请仲裁。",
        "expected_version": petition.version,
    })
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.stage == Stage.NOT_ACCEPTED
    document = PetitionDocument.objects.get(petition=petition)
    assert document.kind == DocumentKind.NON_ACCEPTANCE
    assert "劳动人事争议仲裁委员会" in document.body and "第三十一条第（二）项" in document.body


def test_not_accept_refuses_a_matter_of_the_petition_route_and_other_roles(pw):
    from yancheng.core.errors import ConflictError, PermissionDeniedError

    route_six = register(pw).petition
    with pytest.raises(ConflictError):
        petition_not_accept(route_six, actor=pw.xinfang, reason="x")
    litigation = register(pw, claim_route="litigation", petitioners=[PetitionerInput("王五", ID_NUMBERS[1])]).petition
    with pytest.raises(PermissionDeniedError):
        petition_not_accept(litigation, actor=pw.handler_housing, reason="x")
    document = petition_not_accept(litigation, actor=pw.xinfang, reason="已进入诉讼程序。")
    assert "人民法院" in document.body
    assert not PetitionDocument.objects.exclude(pk=document.pk).exists()


def test_a_handler_cannot_open_the_register_or_classify_pages(client, pw):
    petition = register(pw, petition_type="", claim_route="").petition
    Petition.objects.filter(pk=petition.pk).update(handling_org=pw.housing)
    client.force_login(pw.handler_housing)
    assert client.get(reverse("petitions:petition_register")).status_code == 403
    assert client.post(reverse("petitions:petition_register"), form_data(pw)).status_code == 403
    response = client.post(reverse("petitions:petition_classify", args=[petition.pk]),
                           {"petition_type": "suggestion", "expected_version": petition.version})
    assert response.status_code == 403
    petition.refresh_from_db()
    assert petition.petition_type == ""


def test_a_lost_code_is_reissued_once_and_the_old_one_stops_working(client, pw):
    from yancheng.petitions.public import petition_for_code

    registered = register(pw)
    petition = registered.petition
    client.force_login(pw.handler_housing)
    assert client.post(f"/petitions/{petition.pk}/reissue-code/").status_code == 404  # cannot see it
    client.force_login(pw.xinfang)
    slip = client.post(f"/petitions/{petition.pk}/reissue-code/", follow=True).content.decode()
    letters = querycode.ALPHABET  # the slip shows the new code as ABCD-EFGH-JKMN
    new = re.search(rf"[{letters}]{{4}}-[{letters}]{{4}}-[{letters}]{{4}}", slip).group(0)
    assert petition_for_code(new) is not None
    assert petition_for_code(registered.query_code) is None
    again = client.get(f"/petitions/{petition.pk}/registered/").content.decode()
    assert new not in again  # shown once
