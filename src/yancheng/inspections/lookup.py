"""Finding the enterprise an inspector stands in front of, from what the phone scanned or
what was typed (SPEC §4; 龙华 "无感赋码": the business-licence QR or the USCC also finds it):

- the enterprise's supervision code: its URL (``…/i/<token>/``) or the bare token — only an
  active code; a revoked one is refused with 「此监督码已作废」;
- a 统一社会信用代码 (GB 32100-2015), checked with `yancheng.lib.uscc`, whose message says
  what is wrong (length, a forbidden letter, the check character);
- the content of a business-licence QR: a URL or text that embeds the 18-character USCC;
  the first valid USCC in it is used.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yancheng.core.errors import DomainError, NotFoundError, ValidationFailed
from yancheng.core.models import Enterprise
from yancheng.core.typing import Actor
from yancheng.lib import uscc as uscc_lib

from .models import FoundBy, SupervisionCode

MAX_INPUT = 2000
# The token in a code's URL (new_token(): 32 URL-safe characters; accept 16–64).
_TOKEN_PATTERN = r"[A-Za-z0-9_-]{16,64}"  # noqa: S105 - a regular expression, not a secret
_URL_TOKEN_RE = re.compile(r"/i/(" + _TOKEN_PATTERN + r")/?(?:[?#].*)?$")
_BARE_TOKEN_RE = re.compile(r"^" + _TOKEN_PATTERN + r"$")
# 18 characters of the USCC alphabet standing alone (not inside a longer run of letters/digits).
_EMBEDDED_USCC_RE = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")
# What someone typing a USCC by hand produces: letters and digits only, near the length.
_TYPED_RE = re.compile(r"^[0-9A-Z]{8,24}$")


class CodeRevoked(DomainError):
    """A supervision code that was revoked (the enterprise re-issued it): 410 Gone."""

    code = "code_revoked"
    http_status = 410


@dataclass(frozen=True)
class Found:
    enterprise: Enterprise
    found_by: str
    code: SupervisionCode | None

    def __iter__(self) -> Any:
        return iter((self.enterprise, self.found_by, self.code))


def revoked_message() -> str:
    return _("此监督码已作废，请企业出示新码。")


def code_by_token(token: str) -> SupervisionCode | None:
    """The code carrying `token`, active or not (None when no code carries it)."""
    if not token or not _BARE_TOKEN_RE.match(token):
        return None
    return SupervisionCode.objects.select_related("enterprise", "enterprise__region").filter(token=token).first()


def _visible(user: Actor | None, enterprise_qs: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    return enterprise_qs if user is None else Enterprise.objects.visible_to(user).filter(pk__in=enterprise_qs)


def _by_code(token: str, user: Actor | None) -> Found:
    code = code_by_token(token)
    if code is None:
        raise NotFoundError(_("未找到此监督码，请确认扫描的是企业的监督码。"), field="q")
    if not code.is_active:
        raise CodeRevoked(revoked_message(), field="q")
    if user is not None and not Enterprise.objects.visible_to(user).filter(pk=code.enterprise_id).exists():
        raise NotFoundError(_("未找到此监督码，请确认扫描的是企业的监督码。"), field="q")
    return Found(code.enterprise, FoundBy.CODE, code)


def _by_uscc(code: str, found_by: str, user: Actor | None) -> Found:
    qs = Enterprise.objects.filter(uscc=code)
    enterprise = _visible(user, qs).select_related("region").first() if user is not None else qs.first()
    if enterprise is None:
        raise NotFoundError(
            _("系统中没有统一社会信用代码为 %(code)s 的企业（或您无权查看）。") % {"code": code}, field="q"
        )
    return Found(enterprise, found_by, None)


def find_enterprise(text: str, *, user: Actor | None = None) -> Found:
    """Resolve what was scanned or typed to ``(enterprise, found_by, code)``.

    With `user`, only enterprises the user may see are found (others answer "not found",
    so nothing leaks). Raises `ValidationFailed` (empty or unreadable input, an invalid
    USCC with the reason), `CodeRevoked` (410) or `NotFoundError` (404); every error names
    the field ``q``."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if not raw:
        raise ValidationFailed(_("请扫描企业监督码，或输入统一社会信用代码。"), field="q")
    if len(raw) > MAX_INPUT:
        raise ValidationFailed(_("输入内容过长（最多 %(n)s 个字符）。") % {"n": MAX_INPUT}, field="q")

    # 1. The supervision code: its URL or the bare token.
    match = _URL_TOKEN_RE.search(raw)
    if match:
        return _by_code(match.group(1), user)
    compact = uscc_lib.normalise(raw)
    if _BARE_TOKEN_RE.match(raw) and len(compact) != uscc_lib.LENGTH and not _TYPED_RE.match(compact):
        return _by_code(raw, user)

    # 2. A USCC typed (or scanned) on its own: explain what is wrong with it.
    if _TYPED_RE.match(compact):
        try:
            code = uscc_lib.validate(compact)
        except uscc_lib.UsccError as exc:
            raise ValidationFailed(exc.message, field="q") from exc
        return _by_uscc(code, FoundBy.USCC, user)

    # 3. The business-licence QR: a URL or text embedding the USCC.
    upper = raw.upper()
    candidates = _EMBEDDED_USCC_RE.findall(upper)
    first_error: uscc_lib.UsccError | None = None
    for candidate in candidates:
        try:
            code = uscc_lib.validate(candidate)
        except uscc_lib.UsccError as exc:
            first_error = first_error or exc
            continue
        return _by_uscc(code, FoundBy.LICENCE_QR, user)
    if first_error is not None:
        raise ValidationFailed(
            _("二维码内容中的统一社会信用代码无效：%(reason)s") % {"reason": first_error.message}, field="q"
        )
    raise ValidationFailed(
        _("未能识别：请扫描企业监督码或营业执照二维码，或输入 18 位统一社会信用代码。"), field="q"
    )
