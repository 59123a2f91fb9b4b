"""The safety personas' days in Chromium (issue 14 "Done when"), in Chinese and in English, at
a desk (1280 px) and on a phone (360 px), nothing scrolling sideways.

The story, four times (zh/en × desk/phone), each time of an enterprise of its own in 石鼓区:
the enterprise's self-check on the phone fails a 重大事故隐患判定项 and reports it as a 一般隐患;
the city's 应急管理局 inspector opens the enterprise's supervision code (/i/<token>/), registers
the visit with his colleague and records the department check on that registration, then rates
the hazard 重大, completes its report and accepts it: it goes 挂牌督办 and the notice (.docx)
downloads. The enterprise submits what it did with a photo and is offered no verification; the
bureau's safety officer, another person, verifies and closes it (销号). The leader's dashboard
counts it and its figure opens a list that holds it. Once the four are closed, the city's 安委办
issues the month's 通报 and reads the .xlsx, in Chinese and in English: the four are there.

The 安委办's day: the home's to-dos with their counts, the letters not yet signed behind the
to-do, the coverage page's gap and the gap's list. The department safety officer's: this
month's check tasks and the hazards to accept behind the to-dos. The grid person's: a patrol
of an enterprise of the park on the phone, a failed item reported as a hazard.

One world is built and committed for the module (``module_live_server``), through the
services: the named world, the inspections' and the safety world. On SQLite what a test writes
ends with it, so the story is one test."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from itertools import count

import pytest
from django.test import override_settings
from django.utils import timezone

from yancheng.core.models import Enterprise, Role, User
from yancheng.core.services import enterprise_create, user_create
from yancheng.inspections.models import Inspection, SupervisionCode
from yancheng.inspections.services import code_issue
from yancheng.lib.deadlines import due_day_label
from yancheng.lib.uscc import complete
from yancheng.safety.models import Hazard, HazardLevel, HazardStage, SafetyCheck
from yancheng.safety.services.checks_generation import check_tasks_generate
from yancheng.safety.services.coverage import mapping_add
from yancheng.safety.services.hazards import hazard_report
from yancheng.safety.services.letters import letters_issue
from yancheng.testing.inspections import InspectionWorld, build_inspection_world
from yancheng.testing.safety import SafetyWorld, build_safety_world
from yancheng.testing.world import PERSONA_PASSWORD, build_world

from .conftest import badge, fits, follow, home_shows_the_to_dos, open_menu, screenshot, sign_in_as

CJK = re.compile(r"[\u3400-\u9fff]")
RUNS = [("zh", "desk"), ("zh", "phone"), ("en", "desk"), ("en", "phone")]
days = pytest.mark.parametrize(("lang", "device"), RUNS)
NOTICE_TITLE = {"zh": "重大事故隐患挂牌督办通知书", "en": "Notice of Supervision of a Major Accident Hazard"}

# A 1×1 PNG: the photos are checked by their content.
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


@dataclass
class Run:
    enterprise: Enterprise
    user: User
    code: SupervisionCode


@dataclass
class SafetyDays:
    sw: SafetyWorld
    iw: InspectionWorld
    runs: dict[tuple[str, str], Run] = field(default_factory=dict)
    letters: int = 0


_uscc = count(1)


@pytest.fixture(scope="module")
def safety_days(module_live_server) -> SafetyDays:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        world = build_world()
        sw = build_safety_world(world)
        iw = build_inspection_world(world)
        days = SafetyDays(sw=sw, iw=iw)
        for n, run in enumerate(RUNS, start=1):
            # an enterprise of 石鼓区 in 工贸's scope: the city's 应急管理局 supervises it
            enterprise = enterprise_create(uscc=complete(f"91430407MA4M{next(_uscc):04d}X"),
                                           name=f"衡阳市示例机械厂{n}有限公司", region=world.shigu, actor=None)
            mapping_add(actor=None, enterprise=enterprise, system=sw.industry)
            user = user_create(username=f"safety_firm{n}", password=PERSONA_PASSWORD, role=Role.ENTERPRISE,
                               organisation=enterprise.organisation, full_name=f"机械厂{n}安全员",
                               must_change_password=False, actor=None)
            days.runs[run] = Run(enterprise, user, code_issue(enterprise, actor=None))
        # the 安委办's: the year's letters, none signed yet; a 重大隐患 reported and not yet accepted
        letters_issue(actor=sw.anweiban, year=timezone.localdate().year,
                      units=[world.emergency_bureau, sw.fire_brigade, sw.qidong_emergency])
        days.letters = 3
        # the grid person's: a hazard of the park's enterprise found on an earlier patrol
        hazard_report(actor=sw.grid_park, system=sw.industry, level=HazardLevel.GENERAL,
                      title="安全管理人员未经考核", description="新任安全员未取得考核合格证明。",
                      enterprise=world.enterprise_a, item=sw.items["GM-01"])
        check_tasks_generate(year=timezone.localdate().year, month=timezone.localdate().month, actor=sw.anweiban)
        hazard_report(actor=sw.safety_emergency, system=sw.industry, level=HazardLevel.MAJOR,
                      title="有限空间作业未配备监护人员", description="污水池清淤作业无监护人员。",
                      enterprise=world.enterprise_b, item=sw.items["GM-04"])
        return days


@pytest.fixture
def open_as(browser, module_live_server, safety_days, db):
    """``open_as("anweiban", "en", "phone")``: a tab signed in as the persona, in the language
    chosen on the login page as a user would, at the size of the device."""
    contexts: list = []

    def make(username: str, lang: str, device: str):
        return sign_in_as(browser, module_live_server.url, username, PERSONA_PASSWORD, lang, device, contexts)

    yield make
    for context in contexts:
        context.close()


def shot(tab, persona: str, step: str, lang: str, device: str) -> None:
    screenshot(tab, f"safety-day-{persona}-{step}-{lang}-{device}")
    fits(tab)


_OWN_WORDS = """(box) => [...box.querySelectorAll(
  "label, summary, th, h1, h2, h3, button, .helptext, .notice, .form-alert, dt")]
  .map((e) => e.cloneNode(true))
  .map((e) => { e.querySelectorAll("select, option, a, .data").forEach((x) => x.remove()); return e.innerText.trim(); })
  .map((t) => t.replace(/[(（][^()（）]*[)）]/g, ""))  // a Chinese term glossed in brackets may stay
  .filter((t) => /[\u3400-\u9fff]/.test(t))"""


def no_chinese_left(tab, selector: str) -> None:
    """In English the page's own words (labels, headings, buttons, help) are translated; the
    data (names of enterprises, organs, checklist items) stays as written."""
    left = tab.locator(selector).first.evaluate(_OWN_WORDS)
    assert not left, f"{selector} is not translated on {tab.url}: {left!r}"





def submit(tab, selector: str) -> None:
    with tab.expect_navigation():
        tab.click(selector)


def unfold(tab, action: str) -> None:
    box = tab.locator(f"#act-{action}")
    assert box.count() == 1, f"no {action} on {tab.url}"
    if box.get_attribute("open") is None:
        box.locator("summary").first.click()


def step(tab, action: str, fields: dict[str, str], *, files: dict[str, list] | None = None) -> None:
    """One step of the hazard's page, filled as a user would and sent; it must succeed."""
    unfold(tab, action)
    box = tab.locator(f"#act-{action}")
    for name, value in fields.items():
        target = box.locator(f"[name='{name}']")
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
    for name, payloads in (files or {}).items():
        box.locator(f"input[name='{name}']").set_input_files(payloads)
    submit(tab, f"#act-{action} button[type=submit]")
    assert tab.locator(".msg-success").count() == 1, tab.inner_text("main")[:600]


def open_hazard_from_list(tab, hazard: Hazard) -> None:
    row = tab.locator(f"tr[data-hazard='{hazard.pk}']")
    assert row.count() == 1, f"{hazard.number} is not on {tab.url}"
    with tab.expect_navigation():
        row.locator(f"a[href$='/safety/hazards/{hazard.pk}/']").click()
    tab.wait_for_selector("section.card")


# --- the story ------------------------------------------------------------------------------------


def self_check_finds_a_hazard(tab, days: SafetyDays, run: Run, lang: str) -> Hazard:
    """The enterprise, on its phone: 企业自查 of 工贸, GM-03 fails and is reported as 一般."""
    sw_items = days.sw.items
    tab.goto(tab.base_url + "/safety/checks/self/new/")
    with tab.expect_navigation():
        tab.locator("ul.big-links a").first.click()  # the one system it is in
    tab.wait_for_selector("form.checklist")
    outcomes = {"GM-01": "pass", "GM-02": "pass", "GM-03": "fail", "GM-04": "na"}
    for code, outcome in outcomes.items():
        tab.check(f"input[name=outcome_{sw_items[code].pk}][value={outcome}]")
    failed = tab.locator(f"fieldset[data-item='{sw_items['GM-03'].pk}']")
    failed.locator("details.hazard-report summary").click()
    failed.locator(f"input[name=hazard_{sw_items['GM-03'].pk}]").check()
    failed.locator("select").select_option(HazardLevel.GENERAL)
    failed.locator("textarea").fill("打磨车间除尘器泄爆片缺失。")
    tab.fill("#summary", "月度自查。")
    if lang == "en":
        no_chinese_left(tab, "form.checklist")
    shot(tab, "enterprise", "1-self-check", lang, "phone")
    submit(tab, "form.checklist button[type=submit].primary")
    tab.wait_for_selector(".msg-success")
    check = SafetyCheck.objects.get(enterprise=run.enterprise, kind="self")
    hazard = Hazard.objects.get(found_in=check)
    assert hazard.level == HazardLevel.GENERAL and hazard.stage == HazardStage.REPORTED
    assert hazard.supervising_org == days.sw.world.emergency_bureau
    assert tab.locator(f"li[data-hazard='{hazard.pk}']").count() == 1
    shot(tab, "enterprise", "2-self-checked", lang, "phone")
    return hazard


def inspector_checks_through_the_code(tab, days: SafetyDays, run: Run, lang: str, device: str) -> Inspection:
    """扫码入企: the registration, then the department check recorded on it."""
    iw, items = days.iw, days.sw.items
    tab.goto(tab.base_url + f"/i/{run.code.token}/")
    tab.wait_for_selector("form[data-register]")
    assert run.enterprise.name in tab.inner_text("h1")
    tab.check(f"input[name=colleagues][value='{iw.licences['inspector_emergency2'].pk}']")
    tab.check(f"input[name=items][value='{iw.chemicals.pk}']")
    tab.select_option("#id_outside_plan_reason", "superior")
    shot(tab, "inspector", "2-register", lang, device)
    tab.click("form[data-register] button[type=submit]")
    tab.wait_for_selector("a[href$='/finish/']")
    inspection = Inspection.objects.get(enterprise=run.enterprise)
    assert inspection.found_by == "code"

    # 部门检查 on that registration: the enterprise, the registration and the system, then the list
    tab.goto(tab.base_url + "/safety/checks/department/new/")
    with tab.expect_navigation():
        tab.locator("ul.big-links a", has_text=run.enterprise.name).click()
    tab.select_option("#inspection", str(inspection.pk))
    tab.select_option("#system", days.sw.industry.code)
    if lang == "en":
        no_chinese_left(tab, "main")
    shot(tab, "inspector", "3-pick-visit", lang, device)
    submit(tab, "form.filters button[type=submit]")
    tab.wait_for_selector("form.checklist")
    assert inspection.number in tab.inner_text("main")
    for code, outcome in {"GM-01": "pass", "GM-02": "pass", "GM-03": "fail", "GM-04": "pass"}.items():
        tab.check(f"input[name=outcome_{items[code].pk}][value={outcome}]")
    tab.fill(f"#note-{items['GM-03'].pk}", "泄爆片缺失属实，企业自查已上报。")
    tab.fill("#summary", "现场核查企业自查上报的隐患。")
    shot(tab, "inspector", "4-department-check", lang, device)
    submit(tab, "form.checklist button[type=submit].primary")
    tab.wait_for_selector(".msg-success")
    check = SafetyCheck.objects.get(inspection_id=inspection.pk)
    assert check.kind == "department" and check.results.get(item=items["GM-03"]).outcome == "fail"
    if lang == "en":
        no_chinese_left(tab, "main")
    shot(tab, "inspector", "5-checked", lang, device)
    return inspection


def inspector_rates_it_major_and_accepts(tab, hazard: Hazard, lang: str, device: str) -> None:
    """From the to-do: 调整等级 to 重大, the report complete, 受理 → 挂牌督办, the notice."""
    tab.goto(tab.base_url + "/")
    tab.wait_for_selector("#todo-heading")
    follow(tab, "safety.hazards.to_accept")
    assert "todo=to_accept" in tab.url
    open_hazard_from_list(tab, hazard)
    assert tab.locator("#act-verify").count() == 0
    assert tab.inner_text("h1 .badge").strip() == ("待受理" if lang == "zh" else "Awaiting acceptance")
    step(tab, "reclassify", {"level": HazardLevel.MAJOR, "reason": "GM-03 为重大事故隐患判定项，经现场核查属实。"})
    hazard.refresh_from_db()
    assert hazard.level == HazardLevel.MAJOR and hazard.stage == HazardStage.REPORTED
    assert tab.locator("[data-missing-report]").count() == 1  # what is missing is said before acceptance
    told = tab.inner_text("ol.timeline")
    assert ("调整隐患等级为重大事故隐患" if lang == "zh" else "Hazard level changed to Major accident hazard") in told
    assert "经现场核查属实" in told  # with the reason given
    deadline = timezone.localdate() + dt.timedelta(days=30)
    step(tab, "complete_report", {
        "situation_cause": "除尘器泄爆片锈蚀脱落，未纳入日常点检。",
        "harm_difficulty": "粉尘爆炸可致群死群伤；更换泄爆装置需停产三日。",
        "plan_measures": "停用打磨线，更换泄爆片并加装隔爆阀。",
        "plan_owner": "厂长 王建国",
        "plan_funds": "12.5",
        "plan_deadline": deadline.isoformat(),
        "plan_contingency": "粉尘爆炸专项应急预案。",
    })
    assert tab.locator("[data-missing-report]").count() == 0
    if lang == "en":
        no_chinese_left(tab, "section.actions")
    shot(tab, "inspector", "6-report", lang, device)
    step(tab, "accept", {"responsible_person": "王建国"})
    hazard.refresh_from_db()
    assert hazard.stage == HazardStage.RECTIFYING and hazard.supervised_at is not None and hazard.notice_number
    assert hazard.case is not None
    assert tab.locator("[data-rectify-by]").inner_text().strip() == deadline.isoformat()
    assert tab.inner_text("h1 .badge").strip() == ("整改中" if lang == "zh" else "Being rectified")
    shot(tab, "inspector", "7-supervised", lang, device)
    notice_has_its_title(tab, hazard, lang)


def notice_has_its_title(tab, hazard: Hazard, lang: str) -> None:
    from docx import Document

    with tab.expect_download() as got:
        tab.click("a[data-notice]")
    download = got.value
    assert download.suggested_filename.endswith(".docx")
    document = Document(io.BytesIO(download_bytes(download)))
    texts = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    assert NOTICE_TITLE[lang] in texts[:4], texts[:4]
    assert any(hazard.notice_number in t for t in texts), texts[:6]


def download_bytes(download) -> bytes:
    with open(download.path(), "rb") as fh:
        return fh.read()


def enterprise_rectifies(tab, hazard: Hazard, lang: str) -> None:
    tab.goto(tab.base_url + "/")
    tab.wait_for_selector("#todo-heading")
    follow(tab, "safety.hazards.to_rectify")
    assert badge(tab) == 1
    open_hazard_from_list(tab, hazard)
    assert "挂牌督办" in tab.inner_text(".case-head") if lang == "zh" else tab.locator("a[data-notice]").count() == 1
    step(tab, "submit_evidence", {"measures_taken": "已停用打磨线，更换泄爆片并加装隔爆阀，经调试运行正常。"},
         files={"attachments": [{"name": "after.png", "mimeType": "image/png", "buffer": PNG}]})
    hazard.refresh_from_db()
    assert hazard.stage == HazardStage.AWAITING_VERIFICATION
    # the submitter, and any enterprise, is offered no verification
    assert tab.locator("#act-verify").count() == 0 and tab.locator("#act-send_back").count() == 0
    assert "after.png" in tab.inner_text("#photos-after + *, section[aria-labelledby=photos-after]")
    shot(tab, "enterprise", "3-rectified", lang, "phone")


def another_officer_closes_it(tab, hazard: Hazard, lang: str, device: str) -> None:
    tab.goto(tab.base_url + "/")
    tab.wait_for_selector("#todo-heading")
    follow(tab, "safety.hazards.to_verify")
    open_hazard_from_list(tab, hazard)
    if lang == "en":
        no_chinese_left(tab, "section.actions")
    step(tab, "verify", {"note": "现场核查泄爆片、隔爆阀已安装到位，予以销号。"})
    hazard.refresh_from_db()
    assert hazard.stage == HazardStage.CLOSED and hazard.closed_by.username == "safety_emergency"
    assert tab.locator("section.actions").count() == 0
    shot(tab, "officer", "8-closed", lang, device)


def dashboard_counts_it(tab, hazard: Hazard, lang: str, device: str) -> None:
    """The leader's dashboard: this month's 重大 found includes it, and the figure opens a list
    that holds it, as many rows as the figure says."""
    open_menu(tab)
    with tab.expect_navigation():
        tab.locator("nav.mainnav a[href='/dashboard/']").first.click()
    panel = tab.locator("[data-panel=safety]")
    panel.wait_for()
    if lang == "en":
        no_chinese_left(tab, "[data-panel=safety]")
    shot(tab, "leader", "9-dashboard", lang, device)
    for figure in ("major_found", "ontime"):
        link = panel.locator(f"a[data-safety={figure}]")
        shown = int(link.inner_text().strip())
        with tab.expect_navigation():
            link.click()
        assert badge(tab) == shown >= 1
        assert tab.locator(f"tr[data-hazard='{hazard.pk}']").count() == 1, figure
        tab.go_back()
        panel.wait_for()
    shot(tab, "leader", "10-drilled", lang, device)


def bulletin_holds(browser, base_url: str, contexts: list, hazards: list[Hazard]) -> None:
    """The city's 安委办 issues this month's 通报; its .xlsx, in Chinese and in English, lists
    the closed 重大隐患 that were under 督办."""
    from openpyxl import load_workbook

    tab = sign_in_as(browser, base_url, "anweiban", PERSONA_PASSWORD, "zh", "desk", contexts)
    tab.goto(tab.base_url + "/safety/bulletins/")
    tab.fill("#b-month", timezone.localdate().strftime("%Y-%m"))
    submit(tab, "form.filters button[type=submit]")
    tab.wait_for_selector(".msg-success")
    row = tab.locator("tr[data-bulletin]").first
    shot(tab, "anweiban", "bulletin", "zh", "desk")
    for lang in ("zh", "en"):
        reader = tab if lang == "zh" else sign_in_as(browser, base_url, "anweiban", PERSONA_PASSWORD, "en", "phone",
                                                      contexts)
        if lang == "en":
            reader.goto(reader.base_url + "/safety/bulletins/")
            row = reader.locator("tr[data-bulletin]").first
            no_chinese_left(reader, "main")
            shot(reader, "anweiban", "bulletin", "en", "phone")
        with reader.expect_download() as got:
            row.locator("a[href$='format=xlsx']").click()
        book = load_workbook(io.BytesIO(download_bytes(got.value)), read_only=True)
        major = book[book.sheetnames[2]]  # 通报, 总体情况, 重大事故隐患挂牌督办情况, …
        header, *rows = [list(r) for r in major.iter_rows(values_only=True)]
        assert header[0] == ("隐患编号" if lang == "zh" else "Hazard number"), header
        listed = {r[0]: r for r in rows}
        closed = "已销号" if lang == "zh" else "Closed"
        for hazard in hazards:
            assert hazard.number in listed, (hazard.number, list(listed))
            hazard.refresh_from_db()
            assert listed[hazard.number][2:4] == [due_day_label(hazard.case.solve_due_at), closed], listed[hazard.number]
        summary = book[book.sheetnames[0]]
        assert not CJK.search(summary.title) if lang == "en" else summary.title == "通报"


def test_a_self_check_s_hazard_rated_major_supervised_closed_and_reported(browser, module_live_server, safety_days, db):
    days = safety_days
    base = module_live_server.url
    contexts: list = []
    closed: list[Hazard] = []
    try:
        for lang, device in RUNS:
            run = days.runs[(lang, device)]
            enterprise = sign_in_as(browser, base, run.user.username, PERSONA_PASSWORD, lang, "phone", contexts)
            hazard = self_check_finds_a_hazard(enterprise, days, run, lang)

            inspector = sign_in_as(browser, base, "inspector_emergency", PERSONA_PASSWORD, lang, device, contexts)
            counts = home_shows_the_to_dos(inspector, days.sw.world.users["inspector_emergency"], lang)
            assert counts["safety.hazards.to_accept"] >= 1
            shot(inspector, "inspector", "1-home", lang, device)
            inspector_checks_through_the_code(inspector, days, run, lang, device)
            inspector_rates_it_major_and_accepts(inspector, hazard, lang, device)

            enterprise_rectifies(enterprise, hazard, lang)

            officer = sign_in_as(browser, base, "safety_emergency", PERSONA_PASSWORD, lang, device, contexts)
            home_shows_the_to_dos(officer, days.sw.safety_emergency, lang)
            another_officer_closes_it(officer, hazard, lang, device)

            leader = sign_in_as(browser, base, "leader", PERSONA_PASSWORD, lang, device, contexts)
            dashboard_counts_it(leader, hazard, lang, device)
            closed.append(hazard)
            for context in contexts:
                context.close()
            contexts.clear()
        bulletin_holds(browser, base, contexts, closed)
    finally:
        for context in contexts:
            context.close()


# --- the 安委办's day -------------------------------------------------------------------------------


@days
def test_the_safety_office_s_day(open_as, safety_days, lang, device):
    sw = safety_days.sw
    tab = open_as("anweiban", lang, device)
    counts = home_shows_the_to_dos(tab, sw.anweiban, lang)
    assert counts["safety.hazards.major_open"] >= 1
    assert counts["safety.letters_missing"] == safety_days.letters
    shot(tab, "anweiban", "1-home", lang, device)

    follow(tab, "safety.hazards.major_open")
    assert badge(tab) == counts["safety.hazards.major_open"] == tab.locator("tr[data-hazard]").count()
    if lang == "en":
        no_chinese_left(tab, "table thead")
    shot(tab, "anweiban", "2-major-open", lang, device)

    tab.goto(tab.base_url + "/")
    follow(tab, "safety.letters_missing")
    assert badge(tab) == safety_days.letters == tab.locator("tr[data-letter]").count()
    if lang == "en":
        no_chinese_left(tab, "main")
    shot(tab, "anweiban", "3-letters", lang, device)

    # coverage: enterprise A (祁东县) is in 消防's scope, which has no unit in 祁东县
    tab.goto(tab.base_url + "/")
    follow(tab, "safety.coverage_gaps")
    assert badge(tab) == counts["safety.coverage_gaps"] == tab.locator("tr[data-enterprise]").count() >= 1
    tab.goto(tab.base_url + "/safety/coverage/")
    gaps = int(tab.locator("[data-count=gaps]").inner_text().strip())
    assert gaps >= 1
    if lang == "en":
        no_chinese_left(tab, "main")
    shot(tab, "anweiban", "4-coverage", lang, device)
    with tab.expect_navigation():
        tab.click("a[href$='/safety/coverage/gaps/']")
    assert badge(tab) == gaps
    assert tab.locator(f"tr[data-enterprise='{sw.world.enterprise_a.pk}']").count() == 1
    if lang == "en":
        no_chinese_left(tab, "main")
    shot(tab, "anweiban", "5-gaps", lang, device)


@days
def test_the_department_safety_officer_s_day(open_as, safety_days, lang, device):
    sw = safety_days.sw
    tab = open_as("safety_emergency", lang, device)
    counts = home_shows_the_to_dos(tab, sw.safety_emergency, lang)
    assert counts["safety.tasks_this_month"] >= 1 and counts["safety.own_letter"] == 1
    shot(tab, "officer", "1-home", lang, device)
    follow(tab, "safety.tasks_this_month")
    assert badge(tab) == counts["safety.tasks_this_month"] == tab.locator("tr[data-task]").count()
    if lang == "en":
        no_chinese_left(tab, "main")
    shot(tab, "officer", "2-tasks", lang, device)
    tab.goto(tab.base_url + "/")
    follow(tab, "safety.hazards.to_accept")
    assert badge(tab) == counts["safety.hazards.to_accept"] == tab.locator("tr[data-hazard]").count()
    if lang == "en":
        no_chinese_left(tab, "table thead")
        no_chinese_left(tab, "main form")
    shot(tab, "officer", "3-to-accept", lang, device)


@days
def test_the_grid_person_patrols_an_enterprise_of_the_park(open_as, safety_days, lang, device):
    sw = safety_days.sw
    enterprise = sw.world.enterprise_a  # in 祁东's park
    tab = open_as("grid_park", lang, device)
    home_shows_the_to_dos(tab, sw.grid_park, lang)
    shot(tab, "grid", "1-home", lang, device)
    tab.goto(tab.base_url + "/safety/checks/grid/new/")
    with tab.expect_navigation():
        tab.locator("ul.big-links a", has_text=enterprise.name).click()
    with tab.expect_navigation():
        tab.locator("ul.big-links a[href$='system=industry']").click()
    tab.wait_for_selector("form.checklist")
    items = sw.items
    for code, outcome in {"GM-01": "pass", "GM-02": "fail", "GM-03": "pass", "GM-04": "na"}.items():
        tab.check(f"input[name=outcome_{items[code].pk}][value={outcome}]")
    failed = tab.locator(f"fieldset[data-item='{items['GM-02'].pk}']")
    failed.locator("details.hazard-report summary").click()
    failed.locator(f"input[name=hazard_{items['GM-02'].pk}]").check()
    failed.locator("textarea").fill(f"电焊作业人员未持证（{lang}-{device}）。")
    tab.locator("#photos").set_input_files([{"name": "patrol.png", "mimeType": "image/png", "buffer": PNG}])
    if lang == "en":
        no_chinese_left(tab, "form.checklist")
    shot(tab, "grid", "2-patrol", lang, device)
    submit(tab, "form.checklist button[type=submit].primary")
    tab.wait_for_selector(".msg-success")
    hazard = Hazard.objects.get(description=f"电焊作业人员未持证（{lang}-{device}）。")
    assert hazard.found_in.kind == "grid" and hazard.level == HazardLevel.GENERAL
    assert hazard.supervising_org == sw.qidong_emergency  # 工贸 in 祁东县: the county's bureau
    assert tab.locator(f"li[data-hazard='{hazard.pk}']").count() == 1
    assert "patrol.png" in tab.inner_text("main")
    if lang == "en":
        no_chinese_left(tab, "main")
    shot(tab, "grid", "3-recorded", lang, device)
