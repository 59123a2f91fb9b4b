"""The 信访 personas' days in Chromium, in Chinese and in English, at a desk (1280 px) and on
a phone (360 px): the 信访局 clerk sends a waiting matter on to the 住建局, the 住建局's
handler accepts one and serves the 受理告知书, the 住建局's head approves an extension.
Each day starts on the workbench, follows the to-do to the list behind it (the same count),
opens a matter and does the step with its form; no page scrolls sideways.

Then the whole story once: a letter registered on the register page (with an ID number),
classified 申诉求决 (六), transferred, accepted, answered with a 处理意见书 and served; the
信访人 opens the public query page on a phone with the code shown at registration and sees
the dates and the served opinion.

One world is built and committed for the module (``module_live_server``); every run of a
day takes its own matter from it, so the runs share it in any order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import count

import pytest
from django.test import override_settings
from django.utils import timezone

from yancheng.cases.models import ExtensionRequest
from yancheng.lib import idcard
from yancheng.petitions import handling, querycode
from yancheng.petitions.models import Petition, PetitionDocument, Stage, Topic
from yancheng.testing.petitions import PetitionWorld, build_petition_world, register
from yancheng.testing.world import PERSONA_PASSWORD, build_world

from .conftest import VIEWPORTS, badge, fits, follow, home_shows_the_to_dos, screenshot, sign_in_as

RUNS = 4  # zh/en × desk/phone: each run of a day takes one matter
CJK = re.compile(r"[\u3400-\u9fff]")
days = pytest.mark.parametrize(("lang", "device"), [("zh", "desk"), ("zh", "phone"), ("en", "desk"), ("en", "phone")])

_people = count(1)


def id_number() -> str:
    """A valid 公民身份号码 of its own for every 信访人 (the same person on the same topic
    would be a 重复信访)."""
    first17 = f"43040719800315{next(_people):03d}"
    return first17 + idcard.check_character(first17)


def person(name: str):
    from yancheng.petitions.intake import PetitionerInput

    return [PetitionerInput(name, id_number(), "13807340001", "衡阳市石鼓区人民路1号")]


@dataclass
class PetitionDays:
    pw: PetitionWorld
    waiting: Petition  # for the pages looked at: one left registered, one accepted, by no day taken
    accepted: Petition


@pytest.fixture(scope="module")
def petition_days(module_live_server) -> PetitionDays:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        pw = build_petition_world(build_world())
        for n in range(RUNS):
            # the clerk's: matters registered and waiting to be sent on
            register(pw, title=f"小区电梯停运{n + 1}", petitioners=person(f"赵铁柱{n + 1}"))
            # the handler's: matters sent to the 住建局, waiting for its answer on acceptance
            got = register(pw, title=f"物业费争议{n + 1}", petitioners=person(f"钱立新{n + 1}"))
            handling.petition_transfer(got.petition, actor=pw.xinfang, organ=pw.housing, mode="forward")
            # the head's: accepted matters whose handler asks for more days
            got = register(pw, title=f"老旧小区改造{n + 1}", petitioners=person(f"孙秀英{n + 1}"))
            petition = handling.petition_transfer(got.petition, actor=pw.xinfang, organ=pw.housing, mode="forward")
            petition = handling.petition_accept(petition, actor=pw.handler_housing)
            handling.petition_request_extension(petition, actor=pw.handler_housing, days=15,
                                                reason="需会同街道核实改造范围。")
        waiting = register(pw, title="楼道照明损坏", petitioners=person("周明亮")).petition
        accepted = register(pw, title="小区供暖不热", petitioners=person("吴海燕")).petition
        accepted = handling.petition_transfer(accepted, actor=pw.xinfang, organ=pw.housing, mode="forward")
        accepted = handling.petition_accept(accepted, actor=pw.handler_housing)
        return PetitionDays(pw=pw, waiting=waiting, accepted=accepted)


@pytest.fixture
def open_as(browser, module_live_server, petition_days, db):
    """``open_as("xinfang", "en", "phone")``: a tab signed in as the persona, in the language
    chosen on the login page as a user would, at the size of the device."""
    contexts: list = []

    def make(username: str, lang: str, device: str):
        return sign_in_as(browser, module_live_server.url, username, PERSONA_PASSWORD, lang, device, contexts)

    yield make
    for context in contexts:
        context.close()


def shot(tab, persona: str, step: str, lang: str, device: str) -> None:
    screenshot(tab, f"petition-day-{persona}-{step}-{lang}-{device}")
    fits(tab)


_OWN_WORDS = """(box) => [...box.querySelectorAll(
  "label, legend, summary, th, h1, h2, h3, button, .helptext, .notice, .form-alert, dt, p:not(.prewrap)")]
  .map((e) => e.cloneNode(true))
  .map((e) => { e.querySelectorAll("select, option, a").forEach((x) => x.remove()); return e.innerText.trim(); })
  .map((t) => t.replace(/[(（][^()（）]*[)）]/g, ""))  // a Chinese term glossed in brackets may stay
  .filter((t) => /[\u3400-\u9fff]/.test(t))"""


def no_chinese_left(tab, selector: str) -> None:
    """In English the page's own words (labels, headings, buttons, help) are translated; the
    data in them stays as written (the names of organs and regions, the matter's text), and
    so does a Chinese term given in brackets after its English."""
    left = tab.locator(selector).first.evaluate(_OWN_WORDS)
    assert not left, f"{selector} is not translated: {left!r}"





def go_home(tab) -> None:
    tab.goto(tab.base_url + "/")
    tab.wait_for_selector("#todo-heading")


def open_first_matter(tab, title_prefix: str) -> Petition:
    """The first matter of the list whose 内容摘要 starts with ``title_prefix``."""
    row = tab.locator("tr[data-petition]").filter(has_text=title_prefix).first
    pk = int(row.get_attribute("data-petition"))
    with tab.expect_navigation():
        row.locator(f"a[href$='/petitions/{pk}/']").click()
    tab.wait_for_selector("h1")
    return Petition.objects.get(pk=pk)


def open_details(tab, selector: str) -> None:
    box = tab.locator(selector)
    if box.get_attribute("open") is None:
        box.locator("summary").first.click()


def submit(tab, selector: str) -> None:
    with tab.expect_navigation():
        tab.click(selector)


# --- the days --------------------------------------------------------------------------------------


@days
def test_the_petition_clerk_transfers_a_waiting_matter(open_as, petition_days, lang, device):
    pw = petition_days.pw
    tab = open_as("xinfang", lang, device)
    counts = home_shows_the_to_dos(tab, pw.xinfang, lang)
    waiting = counts["petitions.to_transfer"]
    assert waiting and waiting >= 1
    shot(tab, "xinfang", "1-home", lang, device)
    follow(tab, "petitions.to_transfer")
    assert "todo=to_transfer" in tab.url
    assert badge(tab) == waiting == tab.locator("tr[data-petition]").count()
    assert tab.locator("details.filterbox[open]").count() == 0  # the list first, the filters folded
    if lang == "en":
        no_chinese_left(tab, "table.petition-list thead")
        no_chinese_left(tab, "p.notice[data-todo]")
        assert tab.inner_text("h1").startswith("Petitions")
    shot(tab, "xinfang", "2-list", lang, device)
    petition = open_first_matter(tab, "小区电梯停运")
    assert petition.stage == Stage.REGISTERED
    assert tab.locator("#act-transfer[open]").count() == 1
    assert "赵铁柱" not in tab.inner_text("main")  # the 信访人's name is masked
    tab.select_option("#id_transfer-organ", label=pw.housing.name)
    tab.fill("#id_transfer-instruction", "请依法处理并按时告知信访人。")
    if lang == "en":
        no_chinese_left(tab, "#act-transfer summary")
    shot(tab, "xinfang", "3-transfer", lang, device)
    submit(tab, "#act-transfer button[type=submit]")
    tab.wait_for_selector(".msg-success")
    petition.refresh_from_db()
    assert petition.stage == Stage.TRANSFERRED and petition.handling_org == pw.housing
    assert petition.case is not None and petition.case.lead_org == pw.housing
    shot(tab, "xinfang", "4-transferred", lang, device)
    go_home(tab)
    assert tab.locator("[data-todo='petitions.to_transfer'] .num").inner_text().strip() == str(waiting - 1)


@days
def test_the_handler_accepts_a_matter_and_serves_the_notice(open_as, petition_days, lang, device):
    pw = petition_days.pw
    tab = open_as("handler_housing", lang, device)
    counts = home_shows_the_to_dos(tab, pw.handler_housing, lang)
    waiting = counts["petitions.to_notify"]
    assert waiting and waiting >= 1
    shot(tab, "handler", "1-home", lang, device)
    follow(tab, "petitions.to_notify")
    assert badge(tab) == waiting == tab.locator("tr[data-petition]").count()
    shot(tab, "handler", "2-list", lang, device)
    petition = open_first_matter(tab, "物业费争议")
    assert petition.stage == Stage.TRANSFERRED
    tab.wait_for_selector("#act-accept[open]")
    shot(tab, "handler", "3-accept", lang, device)
    submit(tab, "#act-accept button[type=submit]")
    tab.wait_for_selector(".msg-success")
    petition.refresh_from_db()
    assert petition.stage == Stage.ACCEPTED
    notice = petition.documents.get(kind="acceptance")
    assert notice.served_at is None
    row = tab.locator("table.petition-documents tbody tr").filter(has_text=notice.number)
    assert row.count() == 1
    row.locator("select[name=how]").select_option("post")
    shot(tab, "handler", "4-accepted", lang, device)
    submit(tab, f"form[action$='/documents/{notice.pk}/serve/'] button[type=submit]")
    tab.wait_for_selector(".msg-success")
    notice.refresh_from_db()
    assert notice.served_at is not None and notice.served_how == PetitionDocument.ServedBy.POST
    assert tab.locator(f"form[action$='/documents/{notice.pk}/serve/']").count() == 0
    shot(tab, "handler", "5-served", lang, device)
    go_home(tab)
    assert tab.locator("[data-todo='petitions.to_notify'] .num").inner_text().strip() == str(waiting - 1)


@days
def test_the_head_of_the_organ_approves_an_extension(open_as, petition_days, lang, device):
    pw = petition_days.pw
    tab = open_as("head_housing", lang, device)
    counts = home_shows_the_to_dos(tab, pw.head_housing, lang)
    waiting = counts["petitions.extensions"]
    assert waiting and waiting >= 1
    shot(tab, "head", "1-home", lang, device)
    follow(tab, "petitions.extensions")
    assert badge(tab) == waiting == tab.locator("tr[data-petition]").count()
    shot(tab, "head", "2-list", lang, device)
    petition = open_first_matter(tab, "老旧小区改造")
    tab.wait_for_selector("#act-decide_extension[open]")
    assert "需会同街道核实改造范围" in tab.inner_text("#act-decide_extension")
    assert tab.locator("#act-answer").count() == 0  # the head decides; the handler handles
    tab.check("#act-decide_extension input[name='decide_extension-approve'][value='1']")
    tab.fill("#id_decide_extension-note", "同意延期，请按期办结。")
    shot(tab, "head", "3-decide", lang, device)
    submit(tab, "#act-decide_extension button[type=submit]")
    tab.wait_for_selector(".msg-success")
    request = petition.case.extensions.get()
    assert request.status == ExtensionRequest.Decision.APPROVED and request.decided_by == pw.head_housing
    assert petition.documents.filter(kind="extension").exists()
    timeline = tab.inner_text("ol.timeline")
    assert "request_extension" not in timeline and "document_issue" not in timeline  # words, not codes
    assert ("Extension approved" if lang == "en" else "批准延期") in timeline
    shot(tab, "head", "4-approved", lang, device)
    go_home(tab)
    assert tab.locator("[data-todo='petitions.extensions'] .num").inner_text().strip() == str(waiting - 1)


# --- the story -------------------------------------------------------------------------------------


def serve(tab, document: PetitionDocument) -> None:
    row = tab.locator("table.petition-documents tbody tr").filter(has_text=document.number)
    row.locator("select[name=how]").select_option("in_person")
    submit(tab, f"form[action$='/documents/{document.pk}/serve/'] button[type=submit]")
    tab.wait_for_selector(".msg-success")


def test_a_letter_from_registration_to_the_petitioner_s_phone(browser, module_live_server, petition_days, db):
    pw = petition_days.pw
    contexts: list = []
    try:
        # the 信访局 clerk registers the letter on the register page
        tab = sign_in_as(browser, module_live_server.url, "xinfang", PERSONA_PASSWORD, "zh", "desk", contexts)
        follow(tab, "petitions.register")
        tab.select_option("#id_channel", "letter")
        tab.select_option("#id_region", str(pw.world.city.pk))
        tab.select_option("#id_topic", str(Topic.objects.get(code="urban_construction").pk))
        tab.fill("#id_title", "小区外墙脱落伤人隐患")
        tab.fill("#id_request", "请求责令开发商维修外墙。")
        tab.fill("#id_facts", "外墙瓷砖多次脱落，已报物业未处理。")
        number = id_number()
        tab.fill("#id_p0-name", "李四")
        tab.fill("#id_p0-id_number", number)
        tab.fill("#id_p0-phone", "13807340099")
        tab.fill("#id_p0-address", "衡阳市蒸湘区解放大道8号")
        submit(tab, ".register-form button[type=submit].primary")
        assert "/registered/" in tab.url, tab.inner_text("main")
        code = tab.locator("[data-query-code]").inner_text().strip()
        assert querycode.normalise(code)
        petition = Petition.objects.get(title="小区外墙脱落伤人隐患")
        assert petition.petitioners.get().id_digest  # the ID number was taken, kept sealed
        assert petition.petition_type == "" and petition.stage == Stage.REGISTERED

        # classified 申诉求决, route (六)
        with tab.expect_navigation():
            tab.click(f"a[href$='/petitions/{petition.pk}/']")
        assert number not in tab.inner_text("main") and "李四" not in tab.inner_text("main")
        with tab.expect_navigation():
            tab.click(f"a[href$='/petitions/{petition.pk}/classify/']")
        tab.select_option("#id_petition_type", "claim")
        tab.check("input[name=claim_route][value=petition]")
        submit(tab, "main form.card button[type=submit].primary")
        tab.wait_for_selector(".msg-success")
        petition.refresh_from_db()
        assert (petition.petition_type, petition.claim_route) == ("claim", "petition")

        # transferred to the 住建局
        tab.goto(tab.base_url + f"/petitions/{petition.pk}/")
        tab.select_option("#id_transfer-organ", label=pw.housing.name)
        submit(tab, "#act-transfer button[type=submit]")
        tab.wait_for_selector(".msg-success")

        # the 住建局's handler accepts, serves the 受理告知书, answers and serves the 意见书
        tab = sign_in_as(browser, module_live_server.url, "handler_housing", PERSONA_PASSWORD, "zh", "desk", contexts)
        tab.goto(tab.base_url + f"/petitions/{petition.pk}/")
        submit(tab, "#act-accept button[type=submit]")
        tab.wait_for_selector(".msg-success")
        serve(tab, petition.documents.get(kind="acceptance"))
        tab.select_option("#id_answer-outcome", "support")
        tab.fill("#id_answer-facts", "经现场查看，外墙瓷砖存在空鼓脱落。")
        tab.fill("#id_answer-reasons", "开发商在保修期内负有维修义务。")
        tab.fill("#id_answer-legal_basis", "《建设工程质量管理条例》第四十条。")
        tab.fill("#id_answer-result_text", "责令开发商于30日内完成外墙维修。")
        submit(tab, "#act-answer button[type=submit]")
        tab.wait_for_selector(".msg-success")
        petition.refresh_from_db()
        assert petition.stage == Stage.ANSWERED
        opinion = petition.documents.get(kind="opinion")
        serve(tab, opinion)
        screenshot(tab, "petition-story-answered-zh-desk")

        # the 信访人 follows it on a phone with the code from the slip
        context = browser.new_context(locale="zh-CN", **VIEWPORTS["phone"])
        contexts.append(context)
        phone = context.new_page()
        phone.set_default_timeout(15_000)
        phone.goto(module_live_server.url + "/petitions/query/")
        phone.fill("#id_code", code)
        phone.click("main form button[type=submit].primary")
        phone.wait_for_selector(f"h1:has-text('{petition.number}')")
        main = phone.inner_text("main")
        today = timezone.localdate().isoformat()
        assert timezone.localdate(petition.registered_at).isoformat() in main
        assert "已出具处理意见" in main
        served = phone.locator("table tbody tr").filter(has_text=opinion.number)
        assert served.count() == 1 and today in served.inner_text()
        assert petition.documents.get(kind="acceptance").number in main
        assert "李四" not in main and number not in main
        screenshot(phone, "petition-story-query-zh-phone")
        fits(phone)
    finally:
        for context in contexts:
            context.close()


# --- the pages looked at by eye ------------------------------------------------------------------


@days
def test_the_register_page_the_matter_and_the_list_fit(open_as, petition_days, lang, device):
    tab = open_as("xinfang", lang, device)
    tab.goto(tab.base_url + "/petitions/register/")
    tab.wait_for_selector(".register-form")
    assert tab.input_value("#id_received_on") == timezone.localdate().isoformat()  # today, shown
    if lang == "en":
        no_chinese_left(tab, ".register-form")
    shot(tab, "pages", "register", lang, device)
    tab.goto(tab.base_url + "/petitions/")
    tab.wait_for_selector("table.petition-list")
    if lang == "en":
        no_chinese_left(tab, "table.petition-list thead")
        no_chinese_left(tab, "form.filters")
    shot(tab, "pages", "list", lang, device)
    waiting = petition_days.waiting
    tab.goto(tab.base_url + f"/petitions/{waiting.pk}/")
    tab.wait_for_selector("#act-transfer")
    if lang == "en":
        no_chinese_left(tab, "section.actions")
    shot(tab, "pages", "matter-clerk", lang, device)
    handler = open_as("handler_housing", lang, device)
    accepted = petition_days.accepted
    handler.goto(handler.base_url + f"/petitions/{accepted.pk}/")
    handler.wait_for_selector("section.actions")
    if lang == "en":
        no_chinese_left(handler, "section.actions")
    shot(handler, "pages", "matter-handler", lang, device)


@pytest.mark.parametrize("device", ["desk", "phone"])
def test_the_hotspots_map_draws_every_area_and_a_click_opens_its_list(open_as, device):
    """The map-style region chart of the hotspots page: drawn from local ECharts under the
    CSP, every district a tile, and a click on one opens the petitions list for that area."""
    tab = open_as("xinfang", "zh", device)
    tab.goto(tab.base_url + "/petitions/hotspots/?period=year")
    chart = tab.locator("[data-chart=region_map]")
    chart.wait_for(state="visible")
    tab.wait_for_function("() => document.querySelector('[data-chart=region_map] canvas') !== null")
    shot(tab, "xinfang", "hotspots-map", "zh", device)
    # The tile of 石鼓区 (column 2, row 1 of 5 × 5 cells: grid inset 4px, 36px below for the legend).
    box = chart.bounding_box()
    assert box is not None
    cell_w, cell_h = (box["width"] - 8) / 5, (box["height"] - 40) / 5
    tab.mouse.click(box["x"] + 4 + cell_w * 2.5, box["y"] + 4 + cell_h * 1.5)
    tab.wait_for_url(re.compile(r"/petitions/\?.*region="))
    assert tab.locator("h1").first.inner_text().startswith("信访事项")
