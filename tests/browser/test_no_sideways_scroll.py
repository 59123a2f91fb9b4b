"""No page scrolls sideways on a 360-pixel phone, for any persona, in either language
(issue 12 §6).

Every persona of the test world signs in on a phone and the test walks the pages it can
reach: it starts at the workbench, collects the links of each page (the nav and the page's
own), and follows those that stay on the site, up to a bound (a few pages per kind of page,
so forty cases do not make forty visits). Downloads, the sign-out, the Django admin and the
JSON API are left out. On every page ``document.documentElement.scrollWidth`` must not
exceed the phone's width; a failure names the page and the widest element that sticks out
(tables scroll inside their ``.table-wrap``, which is allowed). The same walk then runs in
English, where the words are longer.

The small world behind it has something on most pages: cases in several states, projects,
the inspection registries and a finished inspection.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, deque
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine
from django.urls import Resolver404, resolve
from django.utils import timezone

from yancheng.cases.services import case_accept, case_assign, case_submit
from yancheng.inspections.registration.finish import inspection_finish
from yancheng.inspections.registration.register import inspection_register
from yancheng.projects.models import Stage
from yancheng.projects.services.registry import project_create
from yancheng.testing.inspections import build_inspection_world
from yancheng.testing.world import CERTIFICATES, PERSONA_PASSWORD

from .conftest import login, screenshot

PHONE = {"width": 360, "height": 780}
# At most this many pages of one kind (URL name) per role and language, and this many
# pages in all per persona and language. English changes the words, not the rows: one page
# of a kind is enough there.
LANGUAGES = {"zh-hans": 2, "en": 1}
PER_PERSONA = 30
SKIP_PREFIXES = ("/accounts/logout", "/admin/", "/api/v1/", "/api/docs", "/static/", "/media/", "/i18n/")
DOWNLOAD_HINTS = (".xlsx", ".docx", ".pdf", ".csv", ".zip", ".png", ".jpg", ".json", "/download", "/export",
                  "/content", "format=", "/poster")

# Where the page is wider than the phone: the element sticking out furthest to the right
# that is not inside a box scrolling on its own (a .table-wrap), described for a person.
WIDEST = """
() => {
  const limit = LIMIT_PX;
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x !== "visible") return true;
    }
    return false;
  };
  let worst = null, right = 0;
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= limit + 1 || scrolls(el)) continue;
    // the deepest of equals: a child sticking out as far as its parent names the cause
    if (box.right >= right) { worst = el; right = box.right; }
  }
  if (!worst) return "(no single element: " + document.documentElement.scrollWidth + " px)";
  const name = worst.tagName.toLowerCase() + (worst.id ? "#" + worst.id : "")
    + (worst.className && typeof worst.className === "string" ? "." + worst.className.trim().split(/\\s+/).join(".") : "");
  return name + " reaches " + Math.round(right) + " px: " + JSON.stringify((worst.innerText || "").slice(0, 60));
}
""".replace("LIMIT_PX", str(PHONE["width"]))


@pytest.fixture
def busy_world(browser_world):
    """The test world with something on most pages."""
    world = browser_world
    iw = build_inspection_world(world)
    projects = [
        project_create(
            actor=None, stage=stage, name=name, enterprise=world.enterprise_a, region=world.qidong,
            park=world.qidong_park, total_investment=Decimal(amount), responsible_org=world.qidong_park,
        )
        for stage, name, amount in (
            (Stage.NEGOTIATING, "祁东县示例纸箱包装有限公司年产三亿平方米智能化瓦楞纸板生产线建设项目", 120000),
            (Stage.SIGNED, "示例新材料产业园二期", 38000),
            (Stage.CONSTRUCTION, "示例冷链物流中心", 8240),
        )
    ]
    case_submit(actor=world.enterprise_a_user, title="厂区道路照明未接通，夜间运输存在安全隐患，请协调解决",
                description="厂区外道路约800米无路灯。")
    with time_machine.travel(timezone.now() - dt.timedelta(days=14), tick=False):
        red = case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="厂房已建成，专线尚未接入。",
                          subject=projects[0].name, subject_ref=f"project:{projects[0].pk}")
        red = case_assign(red, actor=world.dispatcher, lead_org=world.power_company, solve_days=1)
        case_accept(red, actor=world.handler_power)
    inspection = inspection_register(
        actor=world.inspector, enterprise=world.enterprise_a, found_by="code", code=iw.code_a, kind="enforcement",
        items=[iw.food], inspectors=[CERTIFICATES["inspector"], CERTIFICATES["inspector2"]],
        outside_plan_reason="superior",
    )
    inspection_finish(inspection, actor=world.inspector, outcome="no_issue", result="未发现问题。")
    return world


def _kind(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _follow(href: str, here: str, origin: str) -> str | None:
    """The site path (with its query) a link leads to, or None for a link not to walk."""
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    url = urlsplit(urljoin(here, href))
    if f"{url.scheme}://{url.netloc}" != origin:
        return None
    path = url.path + (f"?{url.query}" if url.query else "")
    if url.path.startswith(SKIP_PREFIXES) or any(hint in path.lower() for hint in DOWNLOAD_HINTS):
        return None
    return path


def walk(tab, who: str, failures: list[str], kinds: Counter[str], per_kind: int, start: str = "/") -> list[str]:
    """Visit what ``persona`` reaches from its workbench (or from ``start``); returns the paths visited.
    ``kinds`` counts the pages of each kind already seen by personas of the same role
    (the second inspector's pages are the first one's, with other rows)."""
    origin = tab.base_url
    queue: deque[str] = deque([start])
    queued = {start}
    visited: list[str] = []
    while queue and len(visited) < PER_PERSONA:
        path = queue.popleft()
        kind = _kind(path.split("?")[0]) or path
        if kinds[kind] >= per_kind and path != start:
            continue
        kinds[kind] += 1
        try:
            response = tab.goto(origin + path, wait_until="load")
        except Exception as exc:  # a download that was not recognised by its address
            if "Download is starting" in str(exc):
                continue
            raise
        visited.append(path)
        status = response.status if response else 0
        if status >= 500:
            failures.append(f"{who} {path}: answered {status}")
            continue
        width = tab.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            failures.append(f"{who} {path}: {width} px wide; {tab.evaluate(WIDEST)}")
        # A link the persona is offered but may not follow: worth a look, not this test's to judge.
        if status >= 400:
            print(f"note: {who} {path} answered {status} (linked from a page it reached)")
            continue
        for href in tab.eval_on_selector_all("a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))"):
            target = _follow(href, tab.url, origin)
            if target and target not in queued:
                queued.add(target)
                queue.append(target)
    return visited


FIRST_OF_ROLE = ["dispatcher", "handler_power", "enterprise_a", "inspector", "supervisor", "leader", "system_admin",
                 "security_admin", "audit_admin"]
PERSONAS = [
    "dispatcher", "handler_power", "handler_other", "clerk_market", "enterprise_a", "enterprise_b",
    "inspector", "inspector2", "inspector_emergency", "inspector_emergency2", "supervisor", "leader",
    "system_admin", "security_admin", "audit_admin",
]


def test_no_page_of_any_persona_scrolls_sideways_on_a_phone_in_either_language(browser, live_server, busy_world):
    assert set(PERSONAS) == set(busy_world.users), "a persona of the world is not walked"
    failures: list[str] = []
    walked: dict[tuple[str, str], int] = {}
    kinds: dict[tuple[str, str], Counter[str]] = {}
    for persona in PERSONAS:
        role = busy_world.users[persona].role
        context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
        try:
            tab = context.new_page()
            tab.set_default_timeout(15_000)
            tab.base_url = live_server.url
            login(tab, persona, PERSONA_PASSWORD)
            for language, per_kind in LANGUAGES.items():
                # the language switch's cookie, as its button would set it
                context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
                tab.goto(live_server.url + "/")
                tab.wait_for_selector("main h1, main h2")
                if persona in FIRST_OF_ROLE:
                    screenshot(tab, f"phone-home-{persona}-{language}")
                started = time.monotonic()
                seen = kinds.setdefault((role, language), Counter())
                walked[persona, language] = len(walk(tab, f"{persona} [{language}]", failures, seen, per_kind))
                print(f"{persona} [{language}]: {walked[persona, language]} pages in {time.monotonic() - started:.1f} s")
        finally:
            context.close()
    assert not failures, f"{len(failures)} pages scroll sideways at {PHONE['width']} px:\n" + "\n".join(failures)
    # The walk really went somewhere: the first persona of each role saw more than its workbench.
    assert all(walked[persona, language] >= 3 for persona in FIRST_OF_ROLE for language in LANGUAGES), walked


CHAIN_PERSONAS = ["lianban", "chain_leader", "handler_ndrc"]


def test_no_chain_page_scrolls_sideways_on_a_phone_in_either_language(browser, live_server, busy_world):
    """The chains module's pages, walked from a chain's home by its office, its 链长 and a
    backing department's handler: the lists, the map as a list, a node, the gaps, the leads,
    the meetings and their forms."""
    from yancheng.chains.services.meetings import agenda_build, meeting_create
    from yancheng.testing.chains import build_chain_world

    cw = build_chain_world(busy_world)
    meeting = meeting_create(cw.nonferrous, actor=cw.chain_leader, title="有色金属产业链链长会议",
                             held_on=timezone.localdate())
    agenda_build(meeting, actor=cw.chain_leader)
    failures: list[str] = []
    walked: dict[tuple[str, str], int] = {}
    for persona in CHAIN_PERSONAS:
        context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
        try:
            tab = context.new_page()
            tab.set_default_timeout(15_000)
            tab.base_url = live_server.url
            login(tab, persona, PERSONA_PASSWORD)
            for language, per_kind in LANGUAGES.items():
                context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
                seen: Counter[str] = Counter()
                walked[persona, language] = len(
                    walk(tab, f"{persona} [{language}]", failures, seen, per_kind, start="/chains/nonferrous/"))
        finally:
            context.close()
    assert not failures, f"{len(failures)} pages scroll sideways at {PHONE['width']} px:\n" + "\n".join(failures)
    assert all(count >= 10 for count in walked.values()), walked
