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
