"""Every kind of notice laid out as a 公文 (GB/T 9704): reopened and checked, with its 文号
under the title, its 主送 line, and the body the kind needs; the body's parts composed and
parsed back; English headings in English."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone, translation

from yancheng.petitions.documents import SECTIONS, compose_body, document_issue, parse_body, render
from yancheng.petitions.models import DocumentKind, Petition, PetitionReview, Stage
from yancheng.testing.documents import check_official_document
from yancheng.testing.petitions import register

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> tuple[object, list[str]]:
    document = check_official_document(data)
    return document, [p.text for p in document.paragraphs]


def issue(petition, kind, pw, *, issuer=None, body="", review=None):
    with transaction.atomic():
        return document_issue(petition, kind, actor=pw.xinfang, issuer=issuer or pw.city_bureau, body=body,
                              review=review)


def accepted_matter(pw):
    petition = register(pw).petition
    now = timezone.now()
    Petition.objects.filter(pk=petition.pk).update(
        handling_org=pw.housing, stage=Stage.ACCEPTED, transferred_at=now, accepted_at=now, transfer_mode="assign",
        report_due_at=now + dt.timedelta(days=40))
    petition.refresh_from_db()
    return petition


def test_compose_and_parse_body_round_trip_and_skip_empty_parts():
    body = compose_body("开头说明", facts="电梯停运\n三个月", reasons="", outcome="support", until=dt.date(2027, 1, 5))
    assert "【事实】" in body and "【理由】" not in body and "2027-01-05" in body
    assert parse_body(body) == {"text": "开头说明", "facts": "电梯停运\n三个月", "outcome": "support",
                                "until": "2027-01-05"}
    assert parse_body("只有正文") == {"text": "只有正文"}
    with pytest.raises(KeyError):
        compose_body(unknown="x")
    assert set(SECTIONS) >= {"request", "facts", "reasons", "outcome", "basis", "channel", "terms"}


def test_every_kind_is_a_numbered_official_document_addressed_to_the_right_party(pw):
    petition = accepted_matter(pw)
    for kind in DocumentKind.values:
        document = issue(petition, kind, pw, issuer=pw.housing)
        _doc, paragraphs = text_of(render(document))
        assert paragraphs[0] == document.get_kind_display()
        assert paragraphs[1] == document.number  # 发文字号 under the title
        addressee = next(p for p in paragraphs[2:] if p.strip())
        if kind in (DocumentKind.FORWARD, DocumentKind.ASSIGNMENT):
            assert addressee == "衡阳市住房和城乡建设局："
        elif kind == DocumentKind.COMPLETION_REPORT:
            assert addressee == "衡阳市信访局："
        else:
            assert addressee == "张三："  # the real name: the download is a reveal
        made = timezone.localdate(document.created_at)
        assert paragraphs[-1] == f"{made.year}年{made.month}月{made.day}日"  # 落款 date
        assert "衡阳市住房和城乡建设局" in paragraphs


def test_the_acceptance_notice_names_the_sixty_day_limit_and_the_query_page(pw):
    petition = accepted_matter(pw)
    _doc, paragraphs = text_of(render(issue(petition, DocumentKind.ACCEPTANCE, pw, issuer=pw.housing)))
    body = "\n".join(paragraphs)
    assert "60日内办结" in body and "查询码" in body and "/petitions/query/" in body
    assert petition.number in body


def test_a_non_acceptance_notice_gives_the_reason_and_the_channel(pw):
    petition = register(pw, claim_route="litigation").petition
    body = compose_body(reason="属于行政复议范围。", channel="请于法定期限内向衡阳市人民政府申请行政复议。")
    _doc, paragraphs = text_of(render(issue(petition, DocumentKind.NON_ACCEPTANCE, pw, body=body)))
    text = "\n".join(paragraphs)
    assert "属于行政复议范围。" in text and "向衡阳市人民政府申请行政复议" in text
    assert "第三十一条（一）" in text


def test_an_opinion_states_each_part_and_the_right_to_a_review_within_thirty_days(pw):
    petition = accepted_matter(pw)
    body = compose_body(facts="经查，电梯维保合同已到期。", reasons="物业公司负有维修义务。", outcome="support",
                        basis="《物业管理条例》第三十五条")
    document = check_official_document(render(issue(petition, DocumentKind.OPINION, pw, issuer=pw.housing, body=body)))
    headings = [p.text for p in document.paragraphs if p.style.style_id == "Heading1"]
    assert headings == ["一、信访诉求", "二、查明的事实", "三、处理理由", "四、处理意见", "五、法律政策依据", "六、告知事项"]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "支持" in text and "30日内" in text and "复查" in text
    assert "衡阳市人民政府" in text  # the 住建局's superior reviews it


def test_the_recheck_opinion_says_it_is_final(pw):
    petition = accepted_matter(pw)
    review = PetitionReview.objects.create(petition=petition, level="recheck", requested_on=timezone.localdate(),
                                           request="不服复查意见", organ=pw.world.city_gov, outcome="reject")
    _doc, paragraphs = text_of(render(issue(petition, DocumentKind.RECHECK_OPINION, pw, issuer=pw.world.city_gov,
                                            review=review, body=compose_body(facts="同复查。"))))
    text = "\n".join(paragraphs)
    assert "终结意见" in text and "不再受理" in text and "不予支持" in text
    assert "30日内" not in text  # no further review is offered


def test_a_no_longer_accepted_notice_names_the_recheck_that_ended_it(pw):
    first = accepted_matter(pw)
    PetitionReview.objects.create(petition=first, level="recheck", requested_on=timezone.localdate(),
                                  request="复核", organ=pw.world.city_gov, outcome="reject", decided_at=timezone.now())
    Petition.objects.filter(pk=first.pk).update(stage=Stage.FINAL)
    again = register(pw).petition
    assert again.earlier_id == first.pk
    _doc, paragraphs = text_of(render(issue(again, DocumentKind.NO_LONGER_ACCEPTED, pw)))
    text = "\n".join(paragraphs)
    assert "复核终结" in text and pw.world.city_gov.name in text and "第三十六条第三款" in text


def test_an_extension_notice_gives_days_date_and_reason(pw):
    petition = accepted_matter(pw)
    body = compose_body(days=30, until=dt.date(2027, 3, 1), reason="需要组织听证。")
    _doc, paragraphs = text_of(render(issue(petition, DocumentKind.EXTENSION, pw, issuer=pw.housing, body=body)))
    text = "\n".join(paragraphs)
    assert "延长30日" in text and "2027年3月1日" in text and "需要组织听证。" in text and "第三十四条" in text


def test_an_assignment_asks_for_a_completion_report_by_its_deadline(pw):
    petition = accepted_matter(pw)
    due = timezone.localdate(petition.report_due_at)
    _doc, paragraphs = text_of(render(issue(petition, DocumentKind.ASSIGNMENT, pw)))
    text = "\n".join(paragraphs)
    assert "办结报告" in text and f"{due.year}年{due.month}月{due.day}日" in text
    assert "信访人：张三" in text


def test_the_accusation_forward_goes_to_the_competent_organ_and_does_not_name_the_accuser(pw):
    accusation = register(pw, petition_type="accusation", claim_route="", respondent_org=pw.housing).petition
    Petition.objects.filter(pk=accusation.pk).update(handling_org=pw.discipline, stage=Stage.TRANSFERRED)
    accusation.refresh_from_db()
    _doc, paragraphs = text_of(render(issue(accusation, DocumentKind.FORWARD, pw)))
    text = "\n".join(paragraphs)
    assert "中共衡阳市纪律检查委员会：" in paragraphs
    assert "张三" not in text
    assert "抄送" not in text


def test_an_agreement_names_the_parties_and_the_terms(pw):
    petition = accepted_matter(pw)
    body = compose_body(terms="一、物业公司于十日内修复电梯。\n二、信访人不再就此事信访。")
    _doc, paragraphs = text_of(render(issue(petition, DocumentKind.AGREEMENT, pw, issuer=pw.housing, body=body)))
    text = "\n".join(paragraphs)
    assert "甲方（信访人）：张三" in text and "物业公司于十日内修复电梯" in text


def test_an_english_document_has_english_headings(pw):
    petition = accepted_matter(pw)
    document = issue(petition, DocumentKind.OPINION, pw, issuer=pw.housing,
                     body=compose_body(facts="经查属实。", outcome="explain"))
    with translation.override("en"):
        reopened = check_official_document(render(document))
    headings = [p.text for p in reopened.paragraphs if p.style.style_id == "Heading1"]
    assert headings[0].startswith("1. ") and "信访" not in headings[0]
    assert reopened.paragraphs[0].text == "Petition handling opinion"
    assert any(p.text == "张三:" for p in reopened.paragraphs)


def test_the_kit_reference_number_and_addressee_lines_are_flush():
    from yancheng.core.kit.documents import OfficialDocument

    doc = OfficialDocument("告知书", issuer="衡阳市信访局", date=dt.date(2026, 12, 7))
    doc.reference_number("衡信受告〔2026〕1号").addressee("张三")
    reopened = check_official_document(doc.to_bytes())
    number, addressee = reopened.paragraphs[1], reopened.paragraphs[2]
    assert number.text == "衡信受告〔2026〕1号" and number.alignment == 1
    assert addressee.text == "张三："
    for paragraph in (number, addressee):
        assert 'w:firstLineChars="0"' in paragraph._p.xml
