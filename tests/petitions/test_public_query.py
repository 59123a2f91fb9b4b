"""The public query page (查询码): no oracle between a wrong and a missing code, the throttle,
the session that holds only the matter's id, exactly the allowed fields, the session-bound
downloads, a 检举控告 without its respondent, and the page in English."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from yancheng.cases.models import CaseKind
from yancheng.cases.services import case_assign, case_submit
from yancheng.core.audit.models import AuditEvent
from yancheng.petitions import querycode
from yancheng.petitions.documents import document_issue, document_serve
from yancheng.petitions.events import record
from yancheng.petitions.intake import PetitionerInput
from yancheng.petitions.models import Petition, Stage
from yancheng.petitions.views_public import SESSION_KEY
from yancheng.testing.petitions import ID_NUMBERS, register

QUERY = "/petitions/query/"
NOTE = "内部意见：该户多次缠访，注意稳控"
DRAFT = "草稿：拟不予支持"


def transfer(pw, petition, organ):
    """What the 转送 step leaves behind (the handling part's service does it for real): the
    handling case on the engine, the matter's fields and a public event with an internal note."""
    case = case_submit(actor=None, reporter_org=pw.city_bureau, dispatch_org=pw.city_bureau,
                       kind=CaseKind.PETITION, title=f"信访事项 {petition.number}", description="见信访事项")
    case_assign(case, actor=pw.xinfang, lead_org=organ)
    Petition.objects.filter(pk=petition.pk).update(
        case=case, handling_org=organ, stage=Stage.TRANSFERRED, transferred_at=timezone.now(), transfer_mode="assign"
    )
    petition.refresh_from_db()
    record(petition, "transfer", actor=pw.xinfang, public=True, note=NOTE, data={"organ": organ.pk})
    return petition


def served(pw, petition, kind, *, issuer=None, actor=None, body=""):
    document = document_issue(petition, kind, actor=actor or pw.xinfang, issuer=issuer or pw.city_bureau, body=body)
    return document_serve(document, actor=actor or pw.xinfang, served_on=timezone.localdate(), how="post")


@pytest.fixture
def matter(pw):
    """A group visit of two named petitioners, transferred to the 住建局, with a served 受理告知书,
    an unserved 意见书 draft and an internal 交办单."""
    got = register(
        pw, is_group=True, head_count=12, respondent_person="王五科长",
        petitioners=[
            PetitionerInput("张三", ID_NUMBERS[0], "13807340001", "衡阳市石鼓区人民路1号", is_representative=True),
            PetitionerInput("李四", ID_NUMBERS[1], "13807340002", "衡阳市雁峰区先锋路2号", is_representative=True),
        ],
    )
    petition = transfer(pw, got.petition, pw.housing)
    served(pw, petition, "acceptance", issuer=pw.housing, actor=pw.handler_housing)
    document_issue(petition, "opinion", actor=pw.handler_housing, issuer=pw.housing, body=DRAFT)
    document_issue(petition, "assignment", actor=pw.xinfang, issuer=pw.city_bureau, body="交办要求：请于期限内报送办结报告")
    return petition, got.query_code


def open_matter(client, code):
    return client.post(QUERY, {"code": code})


def test_the_form_is_public_and_the_code_never_in_a_url(client, db):
    response = client.get(QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'method="post"' in html and 'name="code"' in html
    assert "<script>" not in html and "style=" not in html


def test_a_wrong_and_a_missing_code_answer_identically(client, pw, matter):
    petition, code = matter
    wrong = client.post(QUERY, {"code": "23456789ABCD"})  # well-formed, no such matter
    malformed = client.post(QUERY, {"code": "not a code!"})
    empty = client.post(QUERY, {"code": ""})
    absent = client.post(QUERY, {})
    near = client.post(QUERY, {"code": code[:-1] + ("2" if code[-1] != "2" else "3")})  # one character off

    def body(response):
        # the only difference allowed is the CSRF token
        import re
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    answers = [wrong, malformed, empty, absent, near]
    assert {r.status_code for r in answers} == {200}
    assert len({body(r) for r in answers}) == 1
    assert "查询码不正确或不存在" in body(wrong)
    assert petition.number not in body(near)
    assert SESSION_KEY not in client.session


def test_a_right_code_in_any_spelling_opens_the_matter(client, pw, matter):
    petition, code = matter
    typed = " " + querycode.display(code).lower().replace("-", " - ") + " "
    response = open_matter(client, typed)
    assert response.status_code == 302 and response["Location"] == QUERY
    page = client.get(QUERY)
    assert page.status_code == 200
    assert petition.number in page.content.decode()


def test_the_session_holds_the_id_and_nothing_of_the_code(client, pw, matter):
    petition, code = matter
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    open_matter(client, code)
    session = client.session
    assert session[SESSION_KEY]["id"] == petition.pk
    dumped = json.dumps(dict(session.items()))
    assert code not in dumped and querycode.display(code) not in dumped
    assert petition.query_code_digest not in dumped
    assert set(session[SESSION_KEY]) == {"id", "at"}
    assert client.cookies["sessionid"].value != before  # the session key is renewed


def test_the_page_shows_exactly_the_allowed_fields(client, pw, matter):
    petition, code = matter
    open_matter(client, code)
    html = client.get(QUERY).content.decode()
    acceptance = petition.documents.get(kind="acceptance")
    # shown: the dates, the served public notice, the stage, the deadline and its light, the head count
    assert timezone.localdate(petition.registered_at).isoformat() in html
    assert "转送（交办）办理机关" in html
    assert acceptance.number in html and "受理告知书" in html
    assert "已转送交办·待受理告知" in html
    assert "受理告知期限" in html and "绿灯·正常" in html and "light-green" in html
    assert "12 人" in html
    # never: people, the request, notes, drafts, internal notices, the respondent, handlers
    for secret in ["张三", "李四", ID_NUMBERS[0], ID_NUMBERS[1], "13807340001", "人民路", "先锋路",
                   "王五科长", NOTE, DRAFT, "交办要求", "交办单", "信访处理意见书",
                   petition.request, petition.facts, pw.handler_housing.full_name, pw.xinfang.full_name,
                   pw.handler_housing.username, petition.case.number]:
        assert secret not in html, secret
    opinion = petition.documents.get(kind="opinion")
    assert opinion.number not in html


def test_the_deadline_is_the_day_and_turns_red_in_words(client, pw, matter):
    petition, code = matter
    case = petition.case
    from yancheng.lib.deadlines import due_day

    with time_machine.travel(case.accept_due_at + dt.timedelta(hours=1)):
        open_matter(client, code)
        html = client.get(QUERY).content.decode()
    assert due_day(case.accept_due_at).isoformat() in html
    assert "红灯·逾期" in html


def test_downloads_are_bound_to_the_session(client, pw, matter, django_user_model):
    from django.test import Client

    _petition, code = matter
    open_matter(client, code)
    html = client.get(QUERY).content.decode()
    import re

    links = re.findall(r'href="(/petitions/query/document/[0-9a-f]+/)"', html)
    assert len(links) == 1  # the served 受理告知书 only
    assert re.fullmatch(r"/petitions/query/document/[0-9a-f]{32}/", links[0])  # names no matter, no notice
    response = client.get(links[0])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    audit = AuditEvent.objects.filter(action="petition.public_document_download").get()
    assert audit.actor_id is None and audit.ip == ""
    # another browser, or the same after 退出查询, gets nothing from the link
    assert Client().get(links[0]).status_code == 404
    other = Client()
    open_matter(other, code)
    assert other.get(links[0]).status_code == 404  # a link of another session
    client.post(reverse("petitions:query_leave"))
    assert client.get(links[0]).status_code == 404
    assert SESSION_KEY not in client.session
    assert "name=\"code\"" in client.get(QUERY).content.decode()


def test_the_session_forgets_the_matter_after_30_minutes(client, pw, matter):
    petition, code = matter
    open_matter(client, code)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        html = client.get(QUERY).content.decode()
    assert petition.number not in html and 'name="code"' in html


def test_the_throttle_refuses_past_the_limit_and_resets(client, pw, matter, settings):
    _petition, code = matter
    settings.YANCHENG_PETITION_QUERY_IP_LIMIT = 3
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _attempt in range(3):
            assert client.post(QUERY, {"code": "23456789ABCD"}).status_code == 200
        refused = open_matter(client, code)  # even the right code: the count says nothing of the answer
        assert refused.status_code == 429
        assert "请稍后再试" in refused.content.decode() and int(refused["Retry-After"]) > 0
        assert SESSION_KEY not in client.session
    with time_machine.travel(start + dt.timedelta(minutes=11), tick=False):
        assert open_matter(client, code).status_code == 302


def test_the_global_limit_counts_every_address(client, pw, matter, settings):
    from django.test import Client

    settings.YANCHENG_PETITION_QUERY_GLOBAL_LIMIT = 4
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(4):
            assert Client(REMOTE_ADDR=f"10.0.0.{n + 1}").post(QUERY, {"code": "x"}).status_code == 200
        assert Client(REMOTE_ADDR="10.0.0.9").post(QUERY, {"code": "x"}).status_code == 429


def test_nothing_of_the_code_or_the_matter_is_logged(client, pw, matter, caplog):
    petition, code = matter
    with caplog.at_level("DEBUG"):
        client.post(QUERY, {"code": "23456789ABCD"})
        open_matter(client, code)
        client.get(QUERY)
    text = caplog.text
    assert code not in text and querycode.display(code) not in text
    assert petition.number not in text and petition.query_code_digest not in text


def test_an_accusation_shows_neither_its_respondent_nor_its_content(client, pw):
    got = register(pw, petition_type="accusation", claim_route="", respondent_org=pw.housing,
                   respondent_person="赵六处长", petitioners=[PetitionerInput("实名举报人")],
                   title="住建局某科长收受好处费", request="请求查处收受好处费问题")
    petition = transfer(pw, got.petition, pw.discipline)
    open_matter(client, got.query_code)
    html = client.get(QUERY).content.decode()
    assert petition.number in html and pw.discipline.name in html
    for secret in [pw.housing.name, "赵六处长", "收受好处费", "实名举报人", NOTE]:
        assert secret not in html, secret


def test_the_page_in_english(client, pw, matter):
    from django.conf import settings as django_settings

    _petition, code = matter
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    form = client.get(QUERY).content.decode()
    assert 'lang="en"' in form and "Query code" in form
    wrong = client.post(QUERY, {"code": "nothing"}).content.decode()
    assert "The query code is wrong or does not exist" in wrong
    open_matter(client, code)
    html = client.get(QUERY).content.decode()
    assert "Documents served" in html and "Green" in html
