"""Checks on rendered pages shared by the tests."""

from __future__ import annotations

import re

# A content delivery network named as a host ("cdn.jsdelivr.net", "xx.cdn.bcebos.com")
# or by the well-known ones' names. Matched on host-like text only: a page carries
# random CSRF tokens, and "…becdncg…" inside one is not a CDN.
_CDN_HOST = re.compile(
    r"(?:^|[^a-z0-9])cdn[a-z0-9-]*\.|\.cdn[a-z0-9-]*\.|jsdelivr|unpkg|cdnjs|bootcdn|staticfile\.org",
    re.IGNORECASE,
)
_OFF_SITE_ASSET = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


def cdn_references(html: str) -> list[str]:
    """Every place the page names a CDN host or loads a script/style/link from another site."""
    return [m.group(0) for m in _CDN_HOST.finditer(html)] + [
        m.group(0) for m in _OFF_SITE_ASSET.finditer(html)
    ]


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_DIGIT = re.compile(r"\d")


def unlinked_figures(html: str, *, strict: bool = True) -> list[str]:
    """The numbers a page shows that are not links: every element of class "figure" must be
    an <a> or sit inside one; with ``strict``, so must every text holding a digit in a table
    body or in the headline tiles (``div.grid``), outside forms."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Walker(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.stack: list[tuple[str, set[str]]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            classes = set((dict(attrs).get("class") or "").split())
            if tag in _VOID:
                return
            self.stack.append((tag, classes))
            if "figure" in classes and not any(t == "a" for t, _c in self.stack):
                found.append(f"<{tag} class=figure> outside a link")

        def handle_endtag(self, tag: str) -> None:
            for index in range(len(self.stack) - 1, -1, -1):
                if self.stack[index][0] == tag:
                    del self.stack[index:]
                    return

        def handle_data(self, data: str) -> None:
            if not strict or not _DIGIT.search(data):
                return
            tags = [t for t, _c in self.stack]
            region = "tbody" in tags or any(t == "div" and "grid" in c for t, c in self.stack)
            if region and "a" not in tags and "form" not in tags and "script" not in tags:
                found.append(data.strip())

    Walker().feed(html)
    return found
