"""扫码入企: finding the enterprise, registering the visit and its result — and every refusal
the rules demand (SPEC §4; 深府规〔2025〕6号; 国办发〔2024〕54号)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.notifications.models import Notification
from yancheng.inspections.lookup import CodeRevoked, find_enterprise
from yancheng.inspections.models import (
    EntryMode,
    FoundBy,
    Inspection,
    InspectionAlert,
    InspectionPlan,
    InspectorLicence,
    PlanEntry,
)
from yancheng.inspections.registration.finish import inspection_finish
from yancheng.inspections.registration.preview import registration_preview
from yancheng.inspections.registration.register import inspection_register
from yancheng.inspections.services import code_issue, item_withdraw, licence_set_status
from yancheng.testing.world import CERTIFICATES

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 5, 12, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def register(iw, **kw):
    """A plain registration by the market inspector and his colleague at enterprise A,
    found by its code, checking food safety on a superior's instruction (上级部署)."""
    args = {
        "actor": iw.world.inspector,
        "enterprise": iw.world.enterprise_a,
        "found_by": FoundBy.CODE,
        "code": iw.code_a,
        "kind": "enforcement",
        "items": [iw.food],
        "inspectors": [CERTIFICATES["inspector"], CERTIFICATES["inspector2"]],
        "outside_plan_reason": "superior",
    }
    args.update(kw)
    return inspection_register(**args)


def filed_plan_entry(iw, *, department=None, item=None, enterprise=None, start=None, end=None, status="filed",
                     enterprise_class=""):
    department = department or iw.world.market_regulation
    plan, _created = InspectionPlan.objects.get_or_create(
        department=department, year=2026, month=None, defaults={"status": status}
    )
    return PlanEntry.objects.create(
        plan=plan, enterprise=enterprise if enterprise_class == "" else None, enterprise_class=enterprise_class,
        item=item or iw.food, legal_basis="《中华人民共和国食品安全法》第一百一十条", month=5,
        window_start=start or dt.date(2026, 5, 1), window_end=end or dt.date(2026, 5, 31),
    )


# --- finding the enterprise ------------------------------------------------------------------------


def test_a_visit_registered_by_scanning_the_code_records_everything(iw):
    inspection = register(iw)
    inspection.refresh_from_db()
    assert inspection.number == "JC2026-000001"
    assert inspection.found_by == FoundBy.CODE and inspection.code_id == iw.code_a.pk
    assert inspection.department == iw.world.market_regulation
    assert list(inspection.departments.all()) == [iw.world.market_regulation]
    assert sorted(inspection.inspectors.values_list("certificate_no", flat=True)) == sorted(
        [CERTIFICATES["inspector"], CERTIFICATES["inspector2"]]
    )
    assert list(inspection.items.all()) == [iw.food]
    assert inspection.legal_basis == iw.food.legal_basis  # the item's basis by default
    assert inspection.started_at == NOW and inspection.entry_mode == EntryMode.SCANNED
    assert inspection.grade_at_registration == "B" and inspection.counts_toward_caps
    assert inspection.status == Inspection.Status.IN_PROGRESS
    assert AuditEvent.objects.filter(action="inspection.register", object_id=str(inspection.pk)).exists()
    note = Notification.objects.get(recipient=iw.world.enterprise_a_user, verb="inspection_registered")
    assert note.url == f"/inspections/visits/{inspection.pk}/"
    assert "检查员乙" in note.body and CERTIFICATES["inspector2"] in note.body
    assert not Notification.objects.filter(recipient=iw.world.enterprise_b_user).exists()


def test_registration_numbers_follow_each_other(iw):
    first = register(iw)
    second = register(iw, enterprise=iw.world.enterprise_b, code=iw.code_b)
    assert (first.number, second.number) == ("JC2026-000001", "JC2026-000002")


def test_the_code_url_or_its_bare_token_finds_the_enterprise(iw):
    url = f"https://yancheng.example.gov.cn/i/{iw.code_a.token}/"
    assert tuple(find_enterprise(url, user=iw.world.inspector)) == (iw.world.enterprise_a, FoundBy.CODE, iw.code_a)
    assert find_enterprise(iw.code_a.token).enterprise == iw.world.enterprise_a


def test_a_visit_registered_after_typing_the_uscc(iw):
    typed = " " + iw.world.enterprise_b.uscc.lower() + " "
    enterprise, found_by, code = find_enterprise(typed, user=iw.world.inspector)
    assert (enterprise, found_by, code) == (iw.world.enterprise_b, FoundBy.USCC, None)
    inspection = register(iw, enterprise=enterprise, found_by=found_by, code=None)
    assert inspection.found_by == FoundBy.USCC and inspection.code is None


def test_a_visit_registered_after_scanning_the_business_licence_qr(iw):
    uscc = iw.world.enterprise_a.uscc
    for content in (
        f"https://www.gsxt.gov.cn/corp-query-entprise-info-{uscc}.html",
        f"http://gsxt.example.cn/qr?uniscid={uscc}&t=1",
        f"名称：祁东县示例纸箱包装有限公司\n统一社会信用代码：{uscc}\n类型：有限责任公司",
    ):
        found = find_enterprise(content, user=iw.world.inspector)
        assert (found.enterprise, found.found_by) == (iw.world.enterprise_a, FoundBy.LICENCE_QR), content
    inspection = register(iw, found_by=found.found_by, code=None)
    assert inspection.found_by == FoundBy.LICENCE_QR


def test_a_mistyped_uscc_is_explained(iw):
    good = iw.world.enterprise_a.uscc
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationFailed, match=f"第 18 位应为 {good[17]}"):
        find_enterprise(bad, user=iw.world.inspector)
    with pytest.raises(ValidationFailed, match="应为 18 位，当前为 17 位"):
        find_enterprise(good[:17], user=iw.world.inspector)
    with pytest.raises(ValidationFailed, match="不含 I、O、Z、S、V"):
        find_enterprise(good[:5] + "I" + good[6:], user=iw.world.inspector)
    with pytest.raises(ValidationFailed, match="请扫描企业监督码"):
        find_enterprise("   ", user=iw.world.inspector)


def test_an_unknown_uscc_or_token_is_not_found(iw):
    from yancheng.lib.uscc import complete

    with pytest.raises(NotFoundError):
        find_enterprise(complete("91430400MA4L9999X"), user=iw.world.inspector)
    with pytest.raises(NotFoundError):
        find_enterprise("https://x.example/i/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/", user=iw.world.inspector)


def test_an_enterprise_the_user_may_not_see_is_not_found(iw):
    with pytest.raises(NotFoundError):
        find_enterprise(iw.world.enterprise_b.uscc, user=iw.world.enterprise_a_user)


def test_a_revoked_code_is_refused_when_looked_up_and_when_registering(iw):
    old = iw.code_a
    code_issue(iw.world.enterprise_a, actor=iw.world.enterprise_a_user)
    with pytest.raises(CodeRevoked, match="此监督码已作废"):
        find_enterprise(f"https://h/i/{old.token}/", user=iw.world.inspector)
    old.refresh_from_db()
    with pytest.raises(CodeRevoked, match="此监督码已作废"):
        register(iw, code=old)
    assert not Inspection.objects.exists()


def test_a_code_of_another_enterprise_is_refused(iw):
    with pytest.raises(ValidationFailed, match="监督码与企业不符"):
        register(iw, code=iw.code_b)


# --- who may inspect ---------------------------------------------------------------------------------


def test_staff_without_an_enforcement_licence_cannot_register(iw):
    for persona in ("clerk_market", "supervisor", "enterprise_a_user", "handler_power"):
        with pytest.raises(PermissionDeniedError):
            register(iw, actor=getattr(iw.world, persona))
    assert not Inspection.objects.exists()


def test_an_inspector_whose_licence_is_suspended_cannot_register(iw):
    licence_set_status(iw.licences["inspector"], status="suspended", actor=iw.world.clerk_market)
    with pytest.raises(PermissionDeniedError):
        register(iw)


def test_a_suspended_second_inspector_is_refused_by_certificate_number(iw):
    licence_set_status(iw.licences["inspector2"], status="suspended", actor=iw.world.clerk_market)
    with pytest.raises(ValidationFailed, match=CERTIFICATES["inspector2"]) as info:
        register(iw)
    assert info.value.field == "inspectors" and "暂停" in str(info.value)


def test_an_expired_or_unknown_certificate_is_refused_naming_it(iw):
    InspectorLicence.objects.filter(pk=iw.licences["inspector2"].pk).update(valid_until=dt.date(2026, 5, 11))
    with pytest.raises(ValidationFailed, match=f"{CERTIFICATES['inspector2']}.*已过期"):
        register(iw)
    with pytest.raises(ValidationFailed, match=r"43049999999.*不在执法人员名录中"):
        register(iw, inspectors=[CERTIFICATES["inspector"], "43049999999"])


def test_one_inspector_alone_is_refused(iw):
    with pytest.raises(ValidationFailed, match="至少两名") as info:
        register(iw, inspectors=[CERTIFICATES["inspector"], CERTIFICATES["inspector"].lower()])
    assert info.value.field == "inspectors"


def test_the_registering_inspector_must_be_one_of_the_inspectors(iw):
    licence_register_third(iw)
    with pytest.raises(ValidationFailed, match="登记人本人"):
        register(iw, inspectors=[CERTIFICATES["inspector2"], "43040012399"])


def licence_register_third(iw):
    from yancheng.inspections.services import licence_register

    return licence_register(department=iw.world.market_regulation, full_name="检查员丙", certificate_no="43040012399",
                            actor=iw.world.clerk_market)


def test_an_inspector_of_another_department_needs_a_joint_inspection(iw):
    with pytest.raises(ValidationFailed, match="不是参加本次检查的部门"):
        register(iw, inspectors=[CERTIFICATES["inspector"], CERTIFICATES["inspector_emergency"]])


# --- what may be inspected ---------------------------------------------------------------------------


def test_an_unpublished_item_is_refused_by_name(iw):
    with pytest.raises(ValidationFailed, match=r"广告发布情况检查（未公布）.*未公布") as info:
        register(iw, items=[iw.food, iw.unpublished])
    assert info.value.field == "items"


def test_a_withdrawn_item_is_refused(iw):
    item_withdraw(iw.equipment, actor=iw.world.clerk_market)
    with pytest.raises(ValidationFailed, match="特种设备安全监督检查"):
        register(iw, items=[iw.equipment])


def test_another_departments_item_needs_a_joint_inspection(iw):
    with pytest.raises(ValidationFailed, match=r"危险化学品安全检查.*联合检查"):
        register(iw, items=[iw.food, iw.chemicals])


def test_an_enforcement_inspection_needs_an_item_and_a_plan_or_a_reason(iw):
    with pytest.raises(ValidationFailed) as info:
        register(iw, items=[])
    assert info.value.field == "items"
    with pytest.raises(ValidationFailed) as info:
        register(iw, outside_plan_reason="")
    assert info.value.field == "outside_plan_reason"
    with pytest.raises(ValidationFailed):
        register(iw, outside_plan_reason="whim")


def test_an_inspection_under_a_filed_plan_needs_no_reason(iw):
    entry = filed_plan_entry(iw, enterprise=iw.world.enterprise_a)
    inspection = register(iw, plan_entry=entry, outside_plan_reason="")
    assert inspection.plan_entry == entry and inspection.outside_plan_reason == ""


def test_a_class_plan_entry_also_covers_the_enterprise(iw):
    entry = filed_plan_entry(iw, enterprise_class="规上工业企业")
    assert register(iw, plan_entry=entry, outside_plan_reason="").plan_entry == entry


def test_a_draft_plan_another_departments_plan_or_a_plan_out_of_its_window_is_refused(iw):
    draft = filed_plan_entry(iw, enterprise=iw.world.enterprise_a, status="draft")
    with pytest.raises(ValidationFailed, match="尚未报备"):
        register(iw, plan_entry=draft, outside_plan_reason="")
    InspectionPlan.objects.update(status="filed")
    later = filed_plan_entry(iw, enterprise=iw.world.enterprise_a, start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30))
    with pytest.raises(ValidationFailed, match="2026-06-01"):
        register(iw, plan_entry=later, outside_plan_reason="")
    other = filed_plan_entry(iw, department=iw.world.emergency_bureau, item=iw.chemicals,
                             enterprise=iw.world.enterprise_a)
    InspectionPlan.objects.update(status="filed")
    with pytest.raises(ValidationFailed, match="不是参加检查部门的计划"):
        register(iw, plan_entry=other, outside_plan_reason="")
    for_b = filed_plan_entry(iw, enterprise=iw.world.enterprise_b)
    with pytest.raises(ValidationFailed, match="不是针对本企业"):
        register(iw, plan_entry=for_b, outside_plan_reason="")


def test_a_non_enforcement_visit_needs_a_purpose_and_never_counts(iw):
    with pytest.raises(ValidationFailed) as info:
        register(iw, kind="visit", items=[], outside_plan_reason="")
    assert info.value.field == "purpose"
    visit = register(iw, kind="visit", purpose="research", items=[], outside_plan_reason="")
    assert visit.purpose == "research" and not visit.counts_toward_caps and visit.legal_basis == ""


# --- entry modes (深府规〔2025〕6号) -------------------------------------------------------------------


def test_an_emergency_registration_before_leaving_records_the_real_start_and_tells_the_supervisor(iw):
    start = NOW - dt.timedelta(hours=2)
    with pytest.raises(ValidationFailed) as info:
        register(iw, entry_mode="emergency", started_at=start)
    assert info.value.field == "entry_mode_reason"
    inspection = register(iw, entry_mode="emergency", started_at=start, entry_mode_reason="现场发现危化品泄漏，先行处置")
    assert inspection.started_at == start and inspection.entry_mode == "emergency"
    assert InspectionAlert.objects.filter(kind="emergency", inspection=inspection).exists()
    with pytest.raises(ValidationFailed, match="当天"):
        register(iw, entry_mode="emergency", started_at=NOW - dt.timedelta(days=1), entry_mode_reason="紧急")


def test_a_back_fill_is_admitted_for_nine_days_and_refused_for_eleven(iw):
    reason = "政务网络故障，无法扫码"
    with pytest.raises(ValidationFailed, match="10 个自然日") as info:
        register(iw, entry_mode="backfill", started_at=NOW - dt.timedelta(days=11), entry_mode_reason=reason)
    assert info.value.field == "started_at"
    with pytest.raises(ValidationFailed) as info:
        register(iw, entry_mode="backfill", started_at=NOW - dt.timedelta(days=9))
    assert info.value.field == "entry_mode_reason"
    nine = register(iw, entry_mode="backfill", started_at=NOW - dt.timedelta(days=9), entry_mode_reason=reason)
    assert nine.started_at == NOW - dt.timedelta(days=9) and nine.entry_mode_reason == reason
    assert InspectionAlert.objects.filter(kind="backfill", inspection=nine).exists()
    ten = register(iw, entry_mode="backfill", started_at=NOW - dt.timedelta(days=10), entry_mode_reason=reason)
    assert ten.pk


def test_a_start_in_the_future_is_refused(iw):
    with pytest.raises(ValidationFailed, match="不能晚于现在"):
        register(iw, entry_mode="backfill", started_at=NOW + dt.timedelta(hours=1), entry_mode_reason="故障")
    with pytest.raises(ValidationFailed, match="不能晚于现在"):
        register(iw, started_at=NOW + dt.timedelta(hours=1))


def test_a_scanned_registration_starts_now_whatever_time_was_sent(iw):
    inspection = register(iw, started_at=NOW - dt.timedelta(days=3))
    assert inspection.started_at == NOW


# --- the preview --------------------------------------------------------------------------------------


def test_the_preview_shows_the_grade_the_caps_and_the_open_plans(iw):
    entry = filed_plan_entry(iw, enterprise=iw.world.enterprise_a)
    register(iw)
    preview = registration_preview(iw.world.enterprise_a, actor=iw.world.inspector)
    assert preview.grade == "B" and preview.department == iw.world.market_regulation
    caps = {(u.rule.scope, u.rule.item_id): (u.used, u.limit) for u in preview.caps}
    assert caps[("item", iw.food.pk)] == (1, 2)
    assert caps[("department", None)] == (1, 3)
    assert (preview.total.used, preview.total.limit) == (1, 4)
    assert preview.plan_entries == [entry]
    assert iw.unpublished not in preview.items and iw.food in preview.items and iw.chemicals not in preview.items
    assert preview.warnings == []


# --- the result ------------------------------------------------------------------------------------


def test_finishing_records_the_result_and_invites_the_enterprise_to_rate(iw):
    inspection = register(iw)
    with pytest.raises(ValidationFailed) as info:
        inspection_finish(inspection, actor=iw.world.inspector2, outcome="", result="")
    assert info.value.field == "outcome"
    with pytest.raises(ValidationFailed, match="不能早于开始时间"):
        inspection_finish(inspection, actor=iw.world.inspector2, outcome="no_issue", result="",
                          ended_at=NOW - dt.timedelta(minutes=1))
    done = inspection_finish(inspection, actor=iw.world.inspector2, outcome="rectify", result="责令整改冷库温控记录",
                             expected_version=1)
    assert done.status == "finished" and done.outcome == "rectify" and done.ended_at == NOW and done.version == 2
    note = Notification.objects.get(recipient=iw.world.enterprise_a_user, verb="inspection_finished")
    assert "评价" in note.body and note.url == f"/inspections/visits/{inspection.pk}/"


def test_finishing_with_a_stale_version_is_a_conflict(iw):
    inspection = register(iw)
    inspection_finish(inspection, actor=iw.world.inspector, outcome="no_issue", result="", expected_version=1)
    with pytest.raises(ConflictError) as info:
        inspection_finish(inspection, actor=iw.world.inspector2, outcome="rectify", result="", expected_version=1)
    assert info.value.code == "stale_version"
    with pytest.raises(ConflictError):
        inspection_finish(inspection, actor=iw.world.inspector2, outcome="rectify", result="")
    inspection.refresh_from_db()
    assert inspection.outcome == "no_issue"


def test_only_an_inspector_of_a_participating_department_finishes(iw):
    inspection = register(iw)
    for persona in ("inspector_emergency", "clerk_market", "supervisor", "enterprise_a_user"):
        with pytest.raises(PermissionDeniedError):
            inspection_finish(inspection, actor=getattr(iw.world, persona), outcome="no_issue", result="")
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"


# --- the pages ---------------------------------------------------------------------------------------


def scan_url(code):
    return f"/i/{code.token}/"


def form_data(iw, **kw):
    data = {
        "found_by": "code", "kind": "enforcement", "items": [iw.food.pk],
        "colleagues": [iw.licences["inspector2"].pk], "outside_plan_reason": "superior",
        "entry_mode": "scanned",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_scanning_the_code_without_being_signed_in_leads_to_the_login_and_back(client, iw):
    response = client.get(scan_url(iw.code_a))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/") and f"next=/i/{iw.code_a.token}/" in response["Location"]


def test_an_unknown_code_is_404_and_a_revoked_one_410(client, iw):
    client.force_login(iw.world.inspector)
    assert client.get("/i/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/").status_code == 404
    old = iw.code_a
    code_issue(iw.world.enterprise_a, actor=iw.world.enterprise_a_user)
    response = client.get(scan_url(old))
    assert response.status_code == 410
    assert "此监督码已作废，请企业出示新码" in response.content.decode()


def test_someone_who_is_not_a_licensed_inspector_is_told_why_after_scanning(client, iw):
    for persona in ("enterprise_b_user", "clerk_market", "supervisor"):
        client.force_login(getattr(iw.world, persona))
        response = client.get(scan_url(iw.code_a))
        assert response.status_code == 403, persona
        body = response.content.decode()
        assert "执法证" in body and iw.world.enterprise_a.name not in body


def test_an_inspector_scans_sees_the_preview_and_registers(client, iw):
    client.force_login(iw.world.inspector)
    page = client.get(scan_url(iw.code_a))
    body = page.content.decode()
    assert page.status_code == 200
    assert iw.world.enterprise_a.name in body and "食品生产经营监督检查" in body and "0 / 2" in body
    assert "广告发布情况检查" not in body  # an unpublished item is not offered
    assert "危险化学品安全检查" not in body  # nor another department's
    response = client.post(scan_url(iw.code_a), form_data(iw))
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/inspections/registrations/{inspection.pk}/"
    assert inspection.found_by == "code" and inspection.code == iw.code_a
    assert inspection.inspectors.count() == 2


def test_the_form_refuses_a_lone_inspector_and_keeps_what_was_typed(client, iw):
    client.force_login(iw.world.inspector)
    response = client.post(scan_url(iw.code_a), form_data(iw, colleagues=None, legal_basis="《食品安全法》第一百一十条"))
    body = response.content.decode()
    assert response.status_code == 200 and "至少两名" in body
    assert "《食品安全法》第一百一十条" in body
    assert not Inspection.objects.exists()


def test_a_typed_certificate_number_names_the_second_inspector(client, iw):
    client.force_login(iw.world.inspector)
    response = client.post(scan_url(iw.code_a), form_data(iw, colleagues=None,
                                                            other_certificates=CERTIFICATES["inspector2"]))
    assert response.status_code == 302
    assert Inspection.objects.get().inspectors.count() == 2


def test_exceeding_a_cap_asks_for_confirmation_in_the_form(client, iw):
    register(iw)
    register(iw)
    client.force_login(iw.world.inspector)
    response = client.post(scan_url(iw.code_a), form_data(iw))
    body = response.content.decode()
    assert response.status_code == 200 and 'name="acknowledge_warnings"' in body and "超过频次上限" in body
    assert Inspection.objects.count() == 2
    response = client.post(scan_url(iw.code_a), form_data(iw, acknowledge_warnings="on"))
    assert response.status_code == 302 and Inspection.objects.count() == 3
    assert InspectionAlert.objects.filter(kind="cap_exceeded").count() == 1


def test_the_find_box_goes_to_the_registration_page(client, iw):
    client.force_login(iw.world.inspector)
    r = client.get("/inspections/find/", {"q": iw.world.enterprise_b.uscc})
    assert r.status_code == 302 and r["Location"] == f"/inspections/enterprises/{iw.world.enterprise_b.pk}/register/?by=uscc"
    r = client.get("/inspections/find/", {"q": f"http://gsxt.example.cn/qr?uniscid={iw.world.enterprise_b.uscc}"})
    assert r["Location"].endswith("?by=licence_qr")
    r = client.get("/inspections/find/", {"q": f"https://yc.example/i/{iw.code_a.token}/"})
    assert r.status_code == 302 and r["Location"] == scan_url(iw.code_a)
    r = client.get("/inspections/find/", {"q": iw.world.enterprise_b.uscc[:17]})
    assert r.status_code == 200 and "当前为 17 位" in r.content.decode()


def test_a_visit_registered_from_the_licence_qr_page_records_how_it_was_found(client, iw):
    client.force_login(iw.world.inspector)
    url = f"/inspections/enterprises/{iw.world.enterprise_b.pk}/register/?by=licence_qr"
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(iw, found_by="licence_qr"))
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.found_by == "licence_qr" and inspection.enterprise == iw.world.enterprise_b


def test_the_registration_page_of_an_enterprise_out_of_sight_is_404(client, iw):
    client.force_login(iw.world.enterprise_b_user)
    assert client.get(f"/inspections/enterprises/{iw.world.enterprise_a.pk}/register/").status_code == 404
    client.force_login(iw.world.enterprise_a_user)
    assert client.get(f"/inspections/enterprises/{iw.world.enterprise_a.pk}/register/").status_code == 403


def test_the_staff_page_of_a_registration_is_for_its_departments_and_the_supervisor(client, iw):
    inspection = register(iw)
    url = f"/inspections/registrations/{inspection.pk}/"
    for persona, status in (("inspector2", 200), ("clerk_market", 200), ("supervisor", 200),
                            ("inspector_emergency", 404), ("enterprise_a_user", 404), ("leader", 404)):
        client.force_login(getattr(iw.world, persona))
        assert client.get(url).status_code == status, persona
    client.force_login(iw.world.supervisor)
    body = client.get(url).content.decode()
    assert inspection.number in body and CERTIFICATES["inspector2"] in body and "上级部署" in body


def test_the_result_is_recorded_on_the_finish_page_and_a_stale_form_is_refused(client, iw):
    inspection = register(iw)
    url = f"/inspections/registrations/{inspection.pk}/finish/"
    client.force_login(iw.world.clerk_market)
    assert client.get(url).status_code == 403
    client.force_login(iw.world.inspector2)
    assert client.get(url).status_code == 200
    inspection_finish(inspection, actor=iw.world.inspector, outcome="no_issue", result="", expected_version=1)
    Inspection.objects.filter(pk=inspection.pk).update(status="in_progress", ended_at=None, outcome="")
    response = client.post(url, {"outcome": "rectify", "result": "整改", "version": 1})
    assert response.status_code == 200 and "已被他人更新" in response.content.decode()
    response = client.post(url, {"outcome": "rectify", "result": "整改冷库温控记录", "version": 2})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.outcome == "rectify" and inspection.version == 3


def test_the_landing_page_lists_what_is_in_progress_for_the_inspector(client, iw):
    inspection = register(iw)
    client.force_login(iw.world.inspector2)
    body = client.get("/inspections/").content.decode()
    assert inspection.number in body and f"/inspections/registrations/{inspection.pk}/finish/" in body
    client.force_login(iw.world.inspector_emergency)
    assert inspection.number not in client.get("/inspections/").content.decode()
    client.force_login(iw.world.clerk_market)
    assert client.get("/inspections/").status_code == 403


# --- the API ------------------------------------------------------------------------------------------

API = "/api/v1/inspections"


def test_the_api_looks_an_enterprise_up_with_the_preview(iw, as_user):
    api = as_user("inspector")
    r = api.get(f"{API}/lookup", {"q": iw.world.enterprise_a.uscc})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["enterprise"]["id"] == iw.world.enterprise_a.pk and data["found_by"] == "uscc"
    assert data["preview"]["total"] == {"scope": "total", "label": "各部门合计", "item": None, "department": None,
                                        "used": 0, "limit": 4}
    r = api.get(f"{API}/lookup", {"q": f"https://h/i/{iw.code_a.token}/"})
    assert r.json()["found_by"] == "code" and r.json()["code"] == iw.code_a.token
    bad = api.get(f"{API}/lookup", {"q": iw.world.enterprise_a.uscc[:17]})
    assert bad.status_code == 422 and "q" in bad.json()["error"]["fields"]
    code_issue(iw.world.enterprise_a, actor=iw.world.enterprise_a_user)
    gone = api.get(f"{API}/lookup", {"q": iw.code_a.token})
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "code_revoked"
    assert as_user("enterprise_a").get(f"{API}/lookup", {"q": iw.world.enterprise_a.uscc}).status_code == 403
    assert as_user(None).get(f"{API}/lookup", {"q": iw.world.enterprise_a.uscc}).status_code == 401


def test_the_api_registers_once_per_idempotency_key(iw, as_user):
    api = as_user("inspector")
    body = {"code": iw.code_a.token, "kind": "enforcement", "items": [iw.food.pk],
            "inspectors": [CERTIFICATES["inspector2"]], "outside_plan_reason": "superior"}
    first = api.post(f"{API}/registrations", body, headers={"Idempotency-Key": "k-1"})
    again = api.post(f"{API}/registrations", body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.content
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.content == first.content
    assert Inspection.objects.count() == 1
    data = first.json()
    assert first["ETag"] == '"1"' and first["Location"].endswith(f"/registrations/{data['id']}")
    assert data["found_by"] == "code" and len(data["inspectors"]) == 2  # the caller was added


def test_the_api_refuses_with_a_field_and_asks_to_acknowledge_an_exceeded_cap(iw, as_user):
    api = as_user("inspector")
    body = {"enterprise": iw.world.enterprise_a.pk, "kind": "enforcement", "items": [iw.unpublished.pk],
            "inspectors": [CERTIFICATES["inspector2"]], "outside_plan_reason": "superior"}
    r = api.post(f"{API}/registrations", body)
    assert r.status_code == 422 and "items" in r.json()["error"]["fields"]
    register(iw)
    register(iw)
    body["items"] = [iw.food.pk]
    r = api.post(f"{API}/registrations", body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "acknowledge_required"
    r = api.post(f"{API}/registrations", body | {"acknowledge_warnings": True})
    assert r.status_code == 201 and "cap_exceeded" in [a["kind"] for a in r.json()["alerts"]]
    assert as_user("clerk_market").post(f"{API}/registrations", body).status_code == 403


def test_the_api_lists_and_shows_only_what_the_caller_may_see(iw, as_user):
    mine = register(iw)
    r = as_user("inspector2").get(f"{API}/registrations")
    assert r.status_code == 200 and [i["id"] for i in r.json()["items"]] == [mine.pk]
    assert as_user("inspector_emergency").get(f"{API}/registrations").json()["items"] == []
    assert as_user("inspector_emergency").get(f"{API}/registrations/{mine.pk}").status_code == 404
    assert as_user("enterprise_a").get(f"{API}/registrations/{mine.pk}").status_code == 404
    assert as_user("enterprise_a").get(f"{API}/registrations").status_code == 403
    assert as_user("supervisor").get(f"{API}/registrations", {"status": "in_progress"}).json()["count"] == 1
    assert as_user("supervisor").get(f"{API}/registrations", {"status": "finished"}).json()["count"] == 0


def test_the_api_finishes_with_if_match(iw, as_user):
    inspection = register(iw)
    url = f"{API}/registrations/{inspection.pk}/finish"
    api = as_user("inspector2")
    assert api.post(url, {"outcome": "no_issue"}).status_code == 428
    assert as_user("clerk_market").post(url, {"outcome": "no_issue"}, headers={"If-Match": '"1"'}).status_code == 403
    done = api.post(url, {"outcome": "no_issue", "result": "未发现问题"}, headers={"If-Match": '"1"'})
    assert done.status_code == 200 and done["ETag"] == '"2"' and done.json()["status"] == "finished"
    stale = as_user("inspector").post(url, {"outcome": "rectify"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "stale_version"


def test_the_landing_page_costs_the_same_queries_however_many_registrations(client, iw, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    register(iw)
    client.force_login(iw.world.inspector)
    with CaptureQueriesContext(connection) as one:
        client.get("/inspections/")
    for _ in range(3):
        register(iw, enterprise=iw.world.enterprise_b, code=iw.code_b, kind="visit", purpose="call", items=[],
                 outside_plan_reason="")
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get("/inspections/")


def test_evidence_can_be_attached_to_a_registration_by_its_inspectors_only(client, iw):
    from yancheng.inspections.registration.attachments import register_attachments

    register_attachments()
    inspection = register(iw)
    url = f"/inspections/registrations/{inspection.pk}/"
    client.force_login(iw.world.inspector2)
    assert 'enctype="multipart/form-data"' in client.get(url).content.decode()
    client.force_login(iw.world.supervisor)
    body = client.get(url).content.decode()
    assert "附件" in body and 'enctype="multipart/form-data"' not in body


def test_an_alert_on_a_registration_waits_on_the_landing_page_of_its_inspectors_only(client, iw):
    from django.urls import reverse

    from yancheng.core.workbench import todos_for
    from yancheng.inspections.alerts import alert_raise

    visit = register(iw)
    alert = alert_raise(InspectionAlert.Kind.BACKFILL, enterprise=iw.world.enterprise_a, inspection=visit,
                        department=iw.world.market_regulation, message="登记晚于入企时间。")
    home = reverse("inspections:inspection_home")
    for persona, expected in (("inspector", 1), ("inspector2", 1), ("inspector_emergency", 0)):
        user = getattr(iw.world, persona)
        item = next(t for t in todos_for(user) if t.key == "inspections.my_alerts")
        client.force_login(user)
        response = client.get(item.url.split("#")[0])
        assert item.url == home + "#my-alerts"
        assert item.count == response.context["my_alerts_count"] == expected, persona
        assert (f'data-alert="{alert.pk}"' in response.content.decode()) is bool(expected), persona
    InspectionAlert.objects.filter(pk=alert.pk).update(status=InspectionAlert.Status.HANDLED)
    assert next(t for t in todos_for(iw.world.inspector) if t.key == "inspections.my_alerts").count == 0
