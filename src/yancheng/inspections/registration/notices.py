"""The warnings shown to the inspector (`Notice`), in the active language and stored in the site's, and the refusal that asks to confirm them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from yancheng.core.errors import ValidationFailed

from ..counting import CapUsage
from ..models import (
    InspectionPolicy,
    QuietPeriod,
)


@dataclass(frozen=True)
class Notice:
    """A warning for the inspector. `build` makes the message in the active language, so
    the same notice is shown in the inspector's language and stored in the site's."""

    code: str
    build: Callable[[], str]
    needs_ack: bool = False

    @property
    def message(self) -> str:
        return self.build()

    def stored(self) -> dict[str, str]:
        with translation.override(settings.LANGUAGE_CODE):
            return {"code": self.code, "message": self.build()}

    def __str__(self) -> str:
        return self.message


class AcknowledgementRequired(ValidationFailed):
    """The registration is admitted only once the inspector confirms the warnings (a cap
    would be exceeded and the rules say "admit and alert")."""

    code = "acknowledge_required"

    def __init__(self, notices: Sequence[Notice]) -> None:
        self.notices = list(notices)
        text = "；".join(n.message for n in self.notices)
        super().__init__(
            _("请确认以下提示后再登记：%(warnings)s") % {"warnings": text}, field="acknowledge_warnings"
        )


def day_text(value: dt.date) -> str:
    return date_format(value, "Y-m-d")


def _cap_text(u: CapUsage, after: int) -> str:
    return _("%(label)s本年已计 %(used)s 次，本次登记后为 %(after)s 次，上限 %(limit)s 次") % {
        "label": u.label, "used": u.used, "after": after, "limit": u.limit,
    }


def notice_cap(u: CapUsage, after: int) -> Notice:
    """This registration brings a cap to its limit (reached) or past it (exceeded)."""
    if after > u.limit:
        return Notice("cap_exceeded", lambda: _("超过频次上限：%(text)s。") % {"text": _cap_text(u, after)},
                      needs_ack=True)
    return Notice("cap_reached", lambda: _("达到频次上限：%(text)s。") % {"text": _cap_text(u, after)})


def notice_cap_full(u: CapUsage) -> Notice:
    """Before registering: the cap is already used up this year."""
    return Notice("cap_reached", lambda: _(
        "%(label)s本年已检查 %(used)s 次，已达上限 %(limit)s 次；再登记计入频次的检查将超过上限。"
    ) % {"label": u.label, "used": u.used, "limit": u.limit})


def notice_grade_a(policy: InspectionPolicy) -> Notice:
    if policy.grade_a_proactive == InspectionPolicy.Handling.REFUSE:
        return Notice("grade_a", lambda: _("该企业为 A 类企业（企业自检+信用承诺），原则上一年内不实施主动检查；"
                                           "投诉举报、转办交办的检查或豁免检查除外。"))
    return Notice("grade_a", lambda: _("该企业为 A 类企业，原则上一年内不实施主动检查；如仍登记，将向执法监督机构预警。"))


def notice_quiet(periods: Sequence[QuietPeriod]) -> Notice:
    names = "、".join(f"{p.name}（{day_text(p.starts_on)}–{day_text(p.ends_on)}）" for p in periods)
    return Notice("quiet_period", lambda: _("企业宁静期：%(periods)s，期间只允许有豁免事由的检查。") % {"periods": names})


def notice_high_frequency(count: int, days: int) -> Notice:
    return Notice("high_frequency", lambda: _(
        "高频入企：该企业近 %(days)s 日内已有 %(n)s 次入企（含非执法入企），本次为第 %(m)s 次，将向执法监督机构预警。"
    ) % {"days": days, "n": count, "m": count + 1})
