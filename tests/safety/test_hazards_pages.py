"""The hazard pages and API: the whole story (an enterprise's self-check hazard → the
department's 重大 → 督办 notice → evidence → verified by another → closed) in Chinese and
English pages, the public form, the case home, the to-dos and the API's steps."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from yancheng.api.testing import api_client_for
from yancheng.cases.models import Case, CaseKind
from yancheng.core.workbench import todos_for
from yancheng.safety.models import Hazard, HazardLevel, HazardSource, HazardStage
from yancheng.safety.selectors_hazards import todo_queryset
from yancheng.safety.services.hazards import hazard_accept, hazard_report, hazard_submit_evidence
from yancheng.testing.documents import check_official_document

from .test_hazards_steps import COMPLETE, photo

API = "/api/v1/safety/hazards"


def later(n):
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def post_step(client, hazard, action, data):
    hazard.refresh_from_db()
    return client.post(reverse("safety:hazard_act", args=[hazard.pk, action]), {"version": hazard.version, **data})


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_whole_story_in_the_pages(client, sw, language, settings):
    enterprise, clerk, verifier = sw.world.users["enterprise_b"], sw.safety_emergency, sw.safety_emergency2
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    # The enterprise finds it in its self-check and reports it, with a photo (before).
    client.force_login(enterprise)
    answer = client.post(reverse("safety:hazard_report"), {
        "system": sw.industry.pk, "item": sw.items["GM-03"].pk, "level": HazardLevel.GENERAL,
        "title": "除尘器泄爆片缺失", "description": "3号车间除尘器泄爆片缺失", "photos": [photo("before.png")],
    })
    assert answer.status_code == 302, answer.content.decode()[:2000]
    hazard = Hazard.objects.get()
    assert hazard.source == HazardSource.SELF_CHECK and hazard.enterprise == sw.enterprise_b
    # The department makes it 重大, completes the report and accepts it: 挂牌督办 at once.
    client.force_login(clerk)
    page = client.get(reverse("safety:hazard_detail", args=[hazard.pk]))
    assert page.status_code == 200 and 'data-action="accept"' in page.content.decode()
    assert post_step(client, hazard, "reclassify", {"level": HazardLevel.MAJOR, "reason": "可能引发粉尘爆炸"}).status_code == 302
    refused = post_step(client, hazard, "accept", {"rectify_by": later(30)})
    assert refused.status_code == 400 and 'class="form-alert"' in refused.content.decode()
    hazard.refresh_from_db()
    assert hazard.stage == HazardStage.REPORTED
    assert post_step(client, hazard, "complete_report", {**COMPLETE, "plan_deadline": later(30)}).status_code == 302
    assert post_step(client, hazard, "accept", {"responsible_person": "李四"}).status_code == 302
    hazard.refresh_from_db()
    assert hazard.stage == HazardStage.RECTIFYING and hazard.supervised_at is not None
    notice = client.get(reverse("safety:hazard_notice", args=[hazard.pk]))
    assert notice.status_code == 200
    document = check_official_document(notice.content)
    text = "\n".join(p.text for p in document.paragraphs)
    assert hazard.notice_number in text and sw.enterprise_b.name in text
    # The enterprise submits its evidence with the 'after' photo.
    client.force_login(enterprise)
    assert post_step(client, hazard, "submit_evidence", {"measures_taken": "已加装泄爆片", "attachments": [photo()]}
                     ).status_code == 302
    # The same department's other officer verifies on site: 销号.
    client.force_login(verifier)
    page = client.get(reverse("safety:hazard_detail", args=[hazard.pk])).content.decode()
    assert 'data-action="verify"' in page and "after.png" in page and "before.png" in page
    assert post_step(client, hazard, "verify", {"note": "现场核查合格"}).status_code == 302
    hazard.refresh_from_db()
    assert hazard.stage == HazardStage.CLOSED and hazard.closed_by == verifier
    page = client.get(reverse("safety:hazard_detail", args=[hazard.pk])).content.decode()
    if language == "en":
        assert "<html lang=\"en\"" in page


def test_a_step_not_offered_is_403_and_a_hazard_not_seen_404(client, sw):
    hazard = hazard_report(actor=sw.safety_emergency, system=sw.industry, level=HazardLevel.GENERAL, title="t",
                           description="d", enterprise=sw.enterprise_b)
    client.force_login(sw.anweiban)  # the 安委办 reads only
    assert client.get(reverse("safety:hazard_detail", args=[hazard.pk])).status_code == 200
    assert post_step(client, hazard, "accept", {"rectify_by": later(10)}).status_code == 403
    client.force_login(sw.safety_qidong)
    assert post_step(client, hazard, "accept", {"rectify_by": later(10)}).status_code == 404
    client.force_login(sw.world.users["enterprise_a"])
    assert client.get(reverse("safety:hazard_detail", args=[hazard.pk])).status_code == 404
    hazard.refresh_from_db()
    assert hazard.stage == HazardStage.REPORTED


def test_the_list_filters_exports_and_keeps_to_what_the_user_sees(client, sw):
    mine = hazard_report(actor=sw.safety_emergency, system=sw.industry, level=HazardLevel.MAJOR, title="我的",
                         description="d", enterprise=sw.enterprise_b)
    other = hazard_report(actor=sw.world.users["enterprise_a"], system=sw.industry, level=HazardLevel.GENERAL,
                          title="祁东的", description="d")
    client.force_login(sw.safety_emergency)
    page = client.get(reverse("safety:hazard_list")).content.decode()
    assert mine.number in page and other.number not in page
    page = client.get(reverse("safety:hazard_list") + "?level=general").content.decode()
    assert mine.number not in page
    export = client.get(reverse("safety:hazard_list") + "?format=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(sw.anweiban)
    page = client.get(reverse("safety:hazard_list")).content.decode()
    assert mine.number in page and other.number in page


def test_the_report_form_is_prefilled_from_a_check_record(client, sw):
    from yancheng.safety.models import CheckKind, SafetyCheck

    check = SafetyCheck.objects.create(
        number="ZC2026-000001", kind=CheckKind.SELF, enterprise=sw.enterprise_b, system=sw.industry,
        organisation=sw.enterprise_b.organisation, performed_by=sw.world.users["enterprise_b"],
        performed_on=timezone.localdate(), recorded_at=timezone.now(),
    )
    client.force_login(sw.world.users["enterprise_b"])
    url = reverse("safety:hazard_report") + f"?check={check.pk}&item={sw.items['GM-04'].pk}"
    prefilled = f'value="{sw.items["GM-04"].text}"'
    assert prefilled in client.get(url).content.decode()
    answer = client.post(url, {"system": sw.industry.pk, "item": sw.items["GM-04"].pk, "level": HazardLevel.MAJOR,
                               "title": "有限空间", "description": "未检测即作业"})
    assert answer.status_code == 302
    assert Hazard.objects.get().found_in == check
    client.force_login(sw.world.users["enterprise_a"])  # another enterprise's record: no prefill
    assert prefilled not in client.get(url).content.decode()


@override_settings(YANCHENG_HAZARD_PUBLIC_IP_LIMIT=2)
def test_the_public_form_needs_no_login_answers_a_number_only_and_is_rate_limited(client, sw):
    cache.clear()
    url = reverse("safety:hazard_public_report")
    assert client.get(url).status_code == 200
    data = {"system": sw.industry.pk, "region": sw.shigu.pk, "location": "人民路12号", "title": "楼道堆放杂物",
            "description": "楼道内大量纸箱堵塞", "reporter_phone": "13800000000"}
    answer = client.post(url, {**data, "photos": [photo("scene.png")]})
    assert answer.status_code == 200
    hazard = Hazard.objects.get()
    body = answer.content.decode()
    assert hazard.number in body
    for leaked in ("13800000000", sw.emergency_bureau.name, "人民路12号", "楼道内大量纸箱堵塞"):
        assert leaked not in body
    assert hazard.source == HazardSource.PUBLIC and hazard.reported_by is None
    assert client.post(url, data).status_code == 200
    throttled = client.post(url, data)
    assert throttled.status_code == 429 and throttled.has_header("Retry-After")
    assert Hazard.objects.count() == 2
    cache.clear()


def test_the_case_page_sends_the_reader_to_the_hazard_and_the_inbox_leaves_it_out(client, sw):
    hazard = hazard_report(actor=sw.safety_emergency, system=sw.industry, level=HazardLevel.GENERAL, title="t",
                           description="d", enterprise=sw.enterprise_b)
    hazard = hazard_accept(hazard, actor=sw.safety_emergency, rectify_by=timezone.localdate() + dt.timedelta(days=20))
    client.force_login(sw.safety_emergency)
    answer = client.get(reverse("cases:case_detail", args=[hazard.case.pk]))
    assert answer.status_code == 302 and answer["Location"] == reverse("safety:hazard_detail", args=[hazard.pk])
    from yancheng.cases.subjects import worked_elsewhere_kinds

    assert CaseKind.HAZARD in worked_elsewhere_kinds()
    assert Case.objects.filter(kind=CaseKind.HAZARD).count() == 1


def test_each_to_do_counts_its_list(client, sw):
    reported = hazard_report(actor=sw.world.users["enterprise_b"], system=sw.industry, level=HazardLevel.GENERAL,
                             title="待受理", description="d")
    accepted = hazard_report(actor=sw.safety_emergency, system=sw.industry, level=HazardLevel.GENERAL, title="整改",
                             description="d", enterprise=sw.enterprise_b)
    accepted = hazard_accept(accepted, actor=sw.safety_emergency, rectify_by=timezone.localdate() + dt.timedelta(days=20))
    hazard_submit_evidence(accepted, actor=sw.world.users["enterprise_b"], measures_taken="已整改")
    for user, key, expected in [
        (sw.safety_emergency, "to_accept", {reported.pk}),
        (sw.safety_emergency, "to_verify", {accepted.pk}),
        (sw.safety_qidong, "to_accept", set()),
        (sw.world.users["enterprise_b"], "to_rectify", set()),
    ]:
        assert set(todo_queryset(user, key).values_list("pk", flat=True)) == expected, key
        items = {t.key: t for t in todos_for(user)}
        if f"safety.hazards.{key}" in items:
            assert items[f"safety.hazards.{key}"].count == len(expected)
            client.force_login(user)
            page = client.get(items[f"safety.hazards.{key}"].url)
            assert f'data-total="{len(expected)}"' in page.content.decode()
    assert "safety.hazards.to_verify" in {t.key for t in todos_for(sw.safety_emergency)}


def test_the_submitter_s_own_evidence_is_not_in_their_to_verify(sw):
    place = hazard_report(actor=sw.safety_emergency, system=sw.industry, level=HazardLevel.GENERAL, title="地点",
                          description="d", region=sw.shigu)
    place = hazard_accept(place, actor=sw.safety_emergency, rectify_by=timezone.localdate() + dt.timedelta(days=20))
    hazard_submit_evidence(place, actor=sw.safety_emergency, measures_taken="已清理")
    assert not todo_queryset(sw.safety_emergency, "to_verify").exists()
    assert todo_queryset(sw.safety_emergency2, "to_verify").count() == 1


def test_the_api_reports_and_takes_steps_with_if_match(sw):
    clerk = api_client_for(sw.safety_emergency)
    created = clerk.post(API, {"system": "industry", "level": "general", "title": "叉车无证驾驶",
                               "description": "叉车司机无特种作业证", "enterprise": sw.enterprise_b.pk, "item": "GM-02"},
                         headers={"Idempotency-Key": "hz-1"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    again = clerk.post(API, {"system": "industry", "level": "general", "title": "叉车无证驾驶",
                             "description": "叉车司机无特种作业证", "enterprise": sw.enterprise_b.pk, "item": "GM-02"},
                       headers={"Idempotency-Key": "hz-1"})
    assert again.json()["id"] == pk and Hazard.objects.count() == 1
    assert clerk.post(f"{API}/{pk}/actions/accept", {"rectify_by": later(10)}).status_code == 428
    etag = clerk.get(f"{API}/{pk}")["ETag"]
    assert clerk.post(f"{API}/{pk}/actions/accept", {"rectify_by": later(10)},
                      headers={"If-Match": '"99"'}).status_code == 412
    assert clerk.post(f"{API}/{pk}/actions/accept", {"rectify_by": later(10), "version": 1},
                      headers={"If-Match": etag}).status_code == 422
    answer = clerk.post(f"{API}/{pk}/actions/accept", {"rectify_by": later(10)}, headers={"If-Match": etag})
    assert answer.status_code == 200 and answer.json()["stage"] == "rectifying", answer.content
    assert answer.json()["rectify_by"] is not None
    leader = api_client_for(sw.world.users["leader"])
    assert leader.get(f"{API}/{pk}").status_code == 200
    assert leader.post(f"{API}/{pk}/actions/reject", {"reason": "x"}, headers={"If-Match": answer["ETag"]}
                       ).status_code == 403
    other = api_client_for(sw.safety_qidong)
    assert other.get(f"{API}/{pk}").status_code == 404
    listed = clerk.get(f"{API}?stage=rectifying").json()
    assert [item["id"] for item in listed["items"]] == [pk]


def test_a_step_from_a_stale_page_is_a_message_not_an_error(client, sw):
    hazard = hazard_report(actor=sw.safety_emergency, system=sw.industry, level=HazardLevel.GENERAL, title="t",
                           description="d", enterprise=sw.enterprise_b)
    hazard_accept(hazard, actor=sw.safety_emergency, rectify_by=timezone.localdate() + dt.timedelta(days=20))
    client.force_login(sw.safety_emergency2)
    answer = client.post(reverse("safety:hazard_act", args=[hazard.pk, "accept"]),
                         {"version": 1, "rectify_by": later(10)})
    assert answer.status_code == 302
    page = client.get(answer["Location"]).content.decode()
    assert "整改中" in page
    hazard.refresh_from_db()
    assert Case.objects.filter(kind=CaseKind.HAZARD).count() == 1


def test_the_leader_and_the_office_see_the_supervised_and_overdue_major_hazard_on_their_screens(client, sw):
    import time_machine

    from .test_hazards_steps import COMPLETE as REPORT

    with time_machine.travel(dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC), tick=False):
        hazard = hazard_report(actor=sw.safety_emergency, system=sw.industry, level=HazardLevel.MAJOR, title="重大",
                               description="d", enterprise=sw.enterprise_b)
        from yancheng.safety.services.hazards import hazard_complete_report

        hazard_complete_report(hazard, actor=sw.safety_emergency, plan_deadline=dt.date(2026, 3, 20), **REPORT)
        hazard_accept(hazard, actor=sw.safety_emergency)
    for user, key in [(sw.world.users["leader"], "supervised"), (sw.anweiban, "major_open"),
                      (sw.anweiban, "overdue"), (sw.safety_emergency, "overdue")]:
        item = {t.key: t for t in todos_for(user)}[f"safety.hazards.{key}"]
        assert item.count == 1, (user, key)
        client.force_login(user)
        page = client.get(item.url).content.decode()
        assert 'data-total="1"' in page and hazard.number in page
    for user in (sw.anweiban_qidong, sw.safety_qidong):
        assert "safety.hazards.overdue" not in {t.key: t for t in todos_for(user)} or \
            {t.key: t for t in todos_for(user)}["safety.hazards.overdue"].count == 0


def test_a_parent_unit_of_the_supervising_department_reads_the_hazard_and_presses_nothing(client, sw):
    """祁东县人民政府 above 祁东县应急管理局: it sees the hazard, no button, no to-do, and a
    step posted anyway is refused cleanly (the rectification case's lead is the department)."""
    from yancheng.core.services import user_create

    parent = user_create(username="qidong_gov_safety", password="x-Parent-2026", role="safety",
                         organisation=sw.world.qidong_gov, full_name="县政府安全员", must_change_password=False,
                         actor=None)
    hazard = hazard_report(actor=sw.safety_qidong, system=sw.industry, level=HazardLevel.GENERAL, title="t",
                           description="d", enterprise=sw.enterprise_a)
    assert hazard.supervising_org_id == sw.qidong_emergency.pk
    client.force_login(parent)
    page = client.get(reverse("safety:hazard_detail", args=[hazard.pk]))
    assert page.status_code == 200 and 'data-action="' not in page.content.decode()
    assert not todo_queryset(parent, "to_accept").exists()
    assert post_step(client, hazard, "accept", {"rectify_by": later(10)}).status_code == 403
    hazard.refresh_from_db()
    assert hazard.stage == HazardStage.REPORTED and hazard.case is None
    # The department's own officer may.
    client.force_login(sw.safety_qidong)
    assert 'data-action="accept"' in client.get(reverse("safety:hazard_detail", args=[hazard.pk])).content.decode()
    assert post_step(client, hazard, "accept", {"rectify_by": later(10)}).status_code == 302
    hazard.refresh_from_db()
    assert hazard.stage == HazardStage.RECTIFYING
