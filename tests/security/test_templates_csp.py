"""Every template is written for the Content-Security-Policy (docs/security.md "Headers"):
no inline event handlers, no javascript: URLs, no style="" attributes, and an inline
<script> or <style> only with this request's nonce. The browser tests catch what a page
does at run time; this catches the template that no browser test opens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import yancheng

PACKAGE = Path(yancheng.__file__).resolve().parent
TEMPLATES = sorted(p for p in PACKAGE.rglob("*.html") if "templates" in p.parts)
OUR_JS = sorted((PACKAGE / "static" / "js").glob("*.js"))

NONCE = re.compile(r"""\snonce\s*=\s*["']\{\{\s*request\.csp_nonce\s*\}\}["']""")
TAG = re.compile(r"<[a-zA-Z][^>]*>", re.DOTALL)
HANDLER = re.compile(r"""(?<![\w:-])on[a-z]+\s*=""", re.IGNORECASE)
STYLE_ATTR = re.compile(r"""(?<![\w:-])style\s*=""", re.IGNORECASE)
DATA_BLOCK = re.compile(r"""\stype\s*=\s*["']application/(ld\+)?json["']""", re.IGNORECASE)


def csp_problems(html: str) -> list[str]:
    """What in this template the policy would refuse (an empty list: nothing)."""
    problems = []
    if re.search(r"javascript\s*:", html, re.IGNORECASE):
        problems.append("a javascript: URL")
    for match in TAG.finditer(html):
        tag = match.group(0)
        name = tag[1:].split(None, 1)[0].rstrip(">").lower()
        if HANDLER.search(tag):
            problems.append(f"an inline event handler: {tag[:80]}")
        if STYLE_ATTR.search(tag):
            problems.append(f"a style attribute: {tag[:80]}")
        if (
            name == "script"
            and not re.search(r"\ssrc\s*=", tag)
            and not DATA_BLOCK.search(tag)
            and not NONCE.search(tag)
        ):
            problems.append(f"an inline script without the nonce: {tag[:80]}")
        if name == "style" and not NONCE.search(tag):
            problems.append(f"an inline style block without the nonce: {tag[:80]}")
    return problems


@pytest.mark.parametrize(
    "bad",
    [
        '<button onclick="go()">x</button>',
        "<body onload='x()'>",
        '<img src="a.png" ONERROR = "x()">',
        '<input type="text"\n  onchange="x()">',
        '<a href="javascript:void(0)">x</a>',
        '<a href="JavaScript :alert(1)">x</a>',
        '<div style="color:red">x</div>',
        "<script>alert(1)</script>",
        '<script type="text/javascript">alert(1)</script>',
        '<script nonce="abc">alert(1)</script>',  # a fixed nonce is no nonce
        "<style>p{color:red}</style>",
    ],
)
def test_the_check_finds_what_the_policy_refuses(bad):
    assert csp_problems(bad)


@pytest.mark.parametrize(
    "good",
    [
        "<script src=\"{% static 'js/dashboard.js' %}\"></script>",
        '<script nonce="{{ request.csp_nonce }}">start()</script>',
        '<style nonce="{{ request.csp_nonce }}">p{}</style>',
        '<script type="application/json" id="d">{"a": 1}</script>',
        '<a href="/x" data-action="refresh">x</a>',
        '<div data-onclick-note="x" class="one">x</div>',
        '<p>Click "on=" to learn about javascript.</p>',
    ],
)
def test_the_check_lets_the_allowed_forms_through(good):
    assert csp_problems(good) == []


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 50
    assert any(p.name == "base.html" for p in TEMPLATES)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_template_has_what_the_policy_refuses(path):
    assert csp_problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", OUR_JS, ids=lambda p: p.name)
def test_our_scripts_need_neither_eval_nor_inline_markup(path):
    """'unsafe-eval' and 'unsafe-inline' stay out of the policy only if our scripts
    never ask for them."""
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"\beval\s*\(|new\s+Function\s*\(|setTimeout\s*\(\s*[\"']", source)
    assert not re.search(r"""setAttribute\(\s*["'](on[a-z]+|style)["']""", source)
    assert not re.search(r"""innerHTML[^;]*(style|on[a-z]+)\s*=""", source)
    assert "javascript:" not in source.lower()
