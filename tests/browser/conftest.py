"""Browser tests: Playwright driving Debian's Chromium against a live test server.

Without /usr/bin/chromium they skip with the reason shown; with YANCHENG_REQUIRE_BROWSER=1
(set by .ci/run) a missing browser fails instead.

Every browser context a test opens is watched for Content-Security-Policy violations
(the ``securitypolicyviolation`` event and Chromium's console report): the test that
caused one fails, naming the directive and what was blocked (docs/security.md "Headers").
"""

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest

from yancheng.core.models import User
from yancheng.core.workbench import todos_for

CHROMIUM = os.environ.get("YANCHENG_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("YANCHENG_SCREENSHOT_DIR", "test-artifacts/screenshots"))


def _browser_missing_reason() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium fonts-noto-cjk)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _browser_missing_reason()
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if reason:
                if os.environ.get("YANCHENG_REQUIRE_BROWSER") == "1":
                    item.add_marker(pytest.mark.xfail(reason=reason, strict=True, run=False))
                    pytest.fail(f"browser tests are required here but {reason}", pytrace=False)
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_world(transactional_db):
    from yancheng.testing.world import build_world

    return build_world()


# Installed in every document before its own scripts run, so nothing escapes it.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__yanchengCspViolation({
    page: document.location.href, directive: e.effectiveDirective || e.violatedDirective,
    blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber, sample: e.sample
  });
}, true);
"""


class CspWatch:
    """Collects the CSP violations of every browser context a test opens (the shared
    ``page``/``phone`` fixtures and each test module's own ``open_as``)."""

    def __init__(self) -> None:
        self.violations: list[str] = []
        self.contexts: list = []

    def watch(self, context) -> None:
        def on_violation(report: dict) -> None:
            fields = {k: report.get(k) for k in ("page", "directive", "blocked", "source", "line", "sample")}
            self.violations.append("{page}: {directive} blocked {blocked!r} ({source}:{line}) {sample!r}".format(**fields))

        def on_console(message) -> None:
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
                self.violations.append(f"console {message.type} on {message.page.url if message.page else '?'}: {message.text}")

        context.expose_function("__yanchengCspViolation", on_violation)
        context.add_init_script(_CSP_LISTENER)
        context.on("console", on_console)
        self.contexts.append(context)

    def flush(self) -> list[str]:
        """Let the events still queued in the browser (a frame's rendering, then its
        tasks) arrive, then report."""
        for context in self.contexts:
            for tab in context.pages:
                # A closed or navigating tab has nothing more to say.
                with contextlib.suppress(Exception):
                    # (a hidden tab draws no frames: then the bound of 100 ms ends the wait)
                    tab.evaluate(
                        "() => new Promise((done) => {"
                        " requestAnimationFrame(() => setTimeout(done, 0)); setTimeout(done, 100); })"
                    )
        return self.violations


@pytest.fixture(autouse=True)
def csp_watch(browser, monkeypatch):
    watch = CspWatch()
    original = browser.new_context

    def new_context(*args, **kwargs):
        context = original(*args, **kwargs)
        watch.watch(context)
        return context

    monkeypatch.setattr(browser, "new_context", new_context)
    return watch


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Fail the test (not its teardown) that caused a CSP violation."""
    outcome = yield
    watch = getattr(item, "funcargs", {}).get("csp_watch")
    if outcome.excinfo is not None or watch is None:
        return
    found = watch.flush()
    if found:
        outcome.force_exception(
            pytest.fail.Exception("Content-Security-Policy violations:\n" + "\n".join(found), pytrace=False)
        )


def _new_tab(context, live_server):
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url  # type: ignore[attr-defined]
    return page


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    yield _new_tab(context, live_server)
    context.close()


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield _new_tab(context, live_server)
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_menu(page) -> None:
    """On a phone the header folds into a 菜单 button (base.html, js/menu.js): open it when
    it is shown and closed, so the nav and the account links can be read and clicked."""
    toggle = page.locator(".topbar .menu-toggle")
    if toggle.count() and toggle.first.is_visible() and toggle.first.get_attribute("aria-expanded") != "true":
        toggle.first.click()


def login(page, username: str, password: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")


@pytest.fixture(scope="module")
def module_live_server(django_db_setup, django_db_blocker):
    """A live server of its own for a module whose tests share one world built once
    (tests/browser/test_persona_days.py). pytest-django's ``live_server`` empties every
    table after each test, which would take the world with it; here what the module's
    fixtures write is committed, and every table is emptied (the migrations' rows put
    back, tests/conftest.py) after the module's last test. Its tests ask for ``db`` as
    well (which also has the test database made): on PostgreSQL the server's writes are
    committed, on SQLite's shared in-memory connection they end with the test, so a test
    must not count on another's."""
    from django.core.management import call_command
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", verbosity=0, interactive=False)


# --- a persona's day (test_persona_days.py, test_petition_days.py) --------------------------------

VIEWPORTS = {
    "desk": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
}


def sign_in_as(browser, base_url: str, username: str, password: str, lang: str, device: str, contexts: list):
    """A tab signed in as the persona at the size of the device, in the language chosen on the
    login page as a user would; the context is added to ``contexts`` for the caller to close."""
    context = browser.new_context(locale="zh-CN", **VIEWPORTS[device])
    contexts.append(context)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.base_url = base_url
    tab.goto(tab.base_url + "/accounts/login/")
    if lang == "en":
        open_menu(tab)
        tab.click("button[lang=en]")
        tab.wait_for_selector("html[lang=en]")
    tab.fill("#id_username", username)
    tab.fill("#id_password", password)
    tab.click("button[type=submit].primary")
    tab.wait_for_selector("#todo-heading")
    assert tab.get_attribute("html", "lang").startswith(lang)
    return tab


_WIDER = """(limit) => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > limit + 1 && !e.closest(".table-wrap"))
  .slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : "")
    + " " + JSON.stringify((e.innerText || "").slice(0, 40)))"""


def fits(tab) -> None:
    """Nothing scrolls sideways; when something does, the message names what sticks out."""
    width = tab.evaluate("document.documentElement.scrollWidth")
    limit = tab.viewport_size["width"]
    assert width <= limit + 1, f"{tab.url} scrolls sideways: {width}px; {tab.evaluate(_WIDER, limit)}"


# --- the workbench, as every role's day reads it --------------------------------------------

CJK_TEXT = re.compile(r"[\u3400-\u9fff]")


def home_shows_the_to_dos(tab, user: User, lang: str, *, data: tuple[str, ...] = ()) -> dict[str, int | None]:
    """Every to-do the modules register for the user is on the page with its count; in
    English no label is left in Chinese (but the names in ``data``, such as a chain's, that a
    line may carry)."""
    expected = todos_for(user)
    assert expected, f"{user.username} has nothing on the workbench"
    counts: dict[str, int | None] = {}
    for item in expected:
        shown = tab.locator(f"[data-todo='{item.key}']")
        assert shown.count() == 1, item.key
        if item.count is not None:
            assert shown.locator(".num").inner_text().strip() == str(item.count), item.key
        if lang == "en":
            label = shown.inner_text() if item.primary else shown.locator("div").last.inner_text()
            for name in data:
                label = label.replace(name, "")
            assert not CJK_TEXT.search(label), f"{item.key} is not translated: {label!r}"
        counts[item.key] = item.count
    return counts


def follow(tab, key: str) -> None:
    with tab.expect_navigation():
        tab.click(f"[data-todo='{key}']")


def badge(tab, selector: str = "h1 .badge") -> int:
    return int(tab.locator(selector).first.inner_text().strip())


# --- English pages: the page's own words are translated -------------------------------------

_OWN_WORDS = """(box) => [...box.querySelectorAll(
  "label, summary, th, h1, h2, h3, button, .helptext, .notice, .form-alert, dt")]
  .map((e) => e.cloneNode(true))
  .map((e) => { e.querySelectorAll("select, option, a, .data").forEach((x) => x.remove()); return e.innerText.trim(); })
  .map((t) => t.replace(/[(（][^()（）]*[)）]/g, ""))  // a Chinese term glossed in brackets may stay
  .filter((t) => /[\\u3400-\\u9fff]/.test(t))"""


def own_words_in_chinese(tab, selector: str = "main", *, data: tuple[str, ...] = ()) -> list[str]:
    """The page's own words (labels, headings, buttons, help) left in Chinese inside ``selector``;
    the data (names of enterprises, organs, nodes…) stays as written and may be named in
    ``data`` to be ignored where it sits in a heading or a label."""
    left = tab.locator(selector).first.evaluate(_OWN_WORDS)
    for text in data:
        left = [t.replace(text, "") for t in left]
    return [t for t in left if CJK_TEXT.search(t)]


def pick(tab, select: str, text: str) -> None:
    """Choose in a searchable picker (tom-select over ``select``) as a user does: type part of
    the name and take the first match."""
    tab.click(f"{select} + .ts-wrapper .ts-control")
    tab.keyboard.type(text)
    option = tab.locator(f"{select} + .ts-wrapper .ts-dropdown .option", has_text=text).first
    option.wait_for()
    option.click()
