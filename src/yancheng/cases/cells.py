"""The HTML of a light, a clock and an inbox row, built in Python.

The inbox is the page a unit opens all day. Rendered by the template language, its rows
cost about 1.4 ms each (some 60 variable lookups, 40 translations and three includes a
row), most of a page's time. Built here, with the words translated once per language
and process instead of once per row (``get_status_display`` alone hashes every lazy
label of the choices, a translation each), a row costs a small fraction of that. The light and the clock are also
template tags (``{% load case_cells %}``: ``light_badge``, ``clock_cell``), so every page
draws them from this one place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any, Protocol

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from yancheng.lib.deadlines import due_day_label, ends_at_midnight

from .models import Case, CaseKind, CaseTask, EscalationLevel, Light, Status


class ClockLike(Protocol):
    @property
    def due(self) -> dt.datetime | None: ...

    @property
    def done(self) -> dt.datetime | None: ...

    @property
    def light(self) -> str: ...

    @property
    def light_label(self) -> Any: ...

    @property
    def due_label(self) -> str: ...


@dataclasses.dataclass(frozen=True)
class Words:
    """Everything a row says that is not the case's own data, in one language."""

    column: dict[str, str]
    urgent: str
    suspended: str
    co_unit: str
    dispatching: str  # "%(org)s受理中"
    deadline: str
    provisional: str
    provisional_why: str
    done: str
    not_started: str
    kinds: dict[str, str]
    statuses: dict[str, str]
    escalations: dict[int, str]
    task_statuses: dict[str, str]


def current_words() -> Words:
    """The words in the active language."""
    return _words_in(translation.get_language() or settings.LANGUAGE_CODE)


@functools.lru_cache(maxsize=8)
def _words_in(language: str) -> Words:
    """Made once per language and process: the catalogues do not change while it runs."""
    with translation.override(language):
        return Words(
            column={key: escape(_(text)) for key, text in (
                ("light", "亮灯"), ("case", "事项"), ("status", "状态"), ("units", "主办 / 协办"),
                ("accept", "签收"), ("solve", "办结"),
            )},
            urgent=escape(_("紧急")),
            suspended=escape(_("挂起")),
            co_unit=escape(_("协办")),
            dispatching=_("%(org)s受理中"),
            deadline=escape(_("期限")),
            provisional=escape(_("暂定")),
            provisional_why=escape(_("期限跨入尚无节假日安排的年份，只按周末计算")),
            done=escape(_("完成")),
            not_started=escape(_("未开始计时")),
            kinds={value: escape(str(label)) for value, label in CaseKind.choices},
            statuses={value: escape(str(label)) for value, label in Status.choices},
            escalations={value: escape(str(label)) for value, label in EscalationLevel.choices},
            task_statuses={value: escape(str(label)) for value, label in CaseTask.TaskStatus.choices},
        )


def light_html(light: str, label: Any) -> SafeString:
    """A light with its words (红灯·逾期 …); a dash where there is none."""
    if light and light != Light.NONE:
        return mark_safe(f'<span class="light light-{escape(light)}">{escape(str(label))}</span>')
    return mark_safe('<span class="muted">—</span>')


def _time(moment: dt.datetime, text: str) -> str:
    return f'<time datetime="{timezone.localtime(moment).isoformat()}">{escape(text)}</time>'


def _due_time(due: dt.datetime, text: str) -> str:
    """A deadline's <time>: a whole-day deadline is machine-readable as its day (HTML has
    no 24:00), one with its own time as the instant."""
    if ends_at_midnight(due):
        return f'<time datetime="{due_day_label(due)}">{escape(text)}</time>'
    return _time(due, text)


def clock_html(clock: ClockLike, provisional: bool = False) -> SafeString:
    """A clock: its light, its deadline (暂定 when the year has no holiday table yet) and
    when it was done."""
    words = current_words()
    if clock.due is None:
        return mark_safe(f'<span class="muted">{words.not_started}</span>')
    html = (f'<span class="light light-{escape(clock.light)}">{escape(str(clock.light_label))}</span>\n'
            f'<span class="due">{words.deadline} {_due_time(clock.due, clock.due_label)}')
    if provisional:
        html += f' <abbr class="badge provisional" title="{words.provisional_why}">{words.provisional}</abbr>'
    html += "</span>\n"
    if clock.done:
        done_text = f"{timezone.localtime(clock.done):%Y-%m-%d %H:%M}"
        html += f'<span class="muted done">{words.done} {_time(clock.done, done_text)}</span>\n'
    return mark_safe(html)  # Safe: every value above is escaped or a number


InboxRow = tuple[Case, ClockLike, ClockLike, Any]  # (case, accept clock, solve clock, light label)


def inbox_rows_html(rows: Iterable[InboxRow]) -> SafeString:
    """The inbox table's rows. Each case needs ``enterprise``, ``lead_org``, ``dispatch_org``
    loaded and its ``tasks`` (with ``org``) prefetched, as the inbox's queryset does."""
    words = current_words()
    return mark_safe("".join(_inbox_row(row, words) for row in rows))  # Safe: see _inbox_row


def _inbox_row(row: InboxRow, words: Words) -> str:
    case, accept, solve, light_label = row
    light = getattr(case, "light", "") or ""
    about: list[str] = [escape(part) for part in (case.enterprise.name if case.enterprise else "", case.subject) if part]
    about.append(words.kinds.get(case.kind, escape(case.kind)))
    status: str = words.statuses.get(case.status, escape(case.status))
    if case.suspended_at:
        status += f' <span class="badge">{words.suspended}</span>'
    if case.escalation_level:
        status += f' <span class="badge escalation">{words.escalations.get(case.escalation_level, "")}</span>'
    units: str
    if case.lead_org:
        units = escape(case.lead_org.name)
    else:
        units = f'<span class="muted">{escape(words.dispatching % {"org": case.dispatch_org.name})}</span>'
    for task in case.tasks.all():
        if task.status != "cancelled":
            units += (f'\n    <div class="muted">{words.co_unit} · {escape(task.org.name)} · '
                      f'{words.task_statuses.get(task.status, escape(task.status))}</div>')
    urgent = f' <span class="badge urgent">{words.urgent}</span>' if case.urgency == "urgent" else ""
    provisional = case.deadlines_provisional
    column = words.column
    # Every value is escaped here, comes escaped from ``words``, or is a number.
    return (
        f'<tr class="case-row" data-light="{escape(light)}" data-status="{escape(case.status)}">\n'
        f'  <td data-label="{column["light"]}">{light_html(light, light_label)}</td>\n'
        f'  <td data-label="{column["case"]}"><a class="case-link" href="{reverse("cases:case_detail", args=[case.pk])}">'
        f'<span class="number">{escape(case.number)}</span> {escape(case.title)}</a>{urgent}\n'
        f'    <div class="muted">{" · ".join(about)}</div></td>\n'
        f'  <td data-label="{column["status"]}">{status}</td>\n'
        f'  <td data-label="{column["units"]}">{units}</td>\n'
        f'  <td data-label="{column["accept"]}" class="clock">{clock_html(accept, provisional)}</td>\n'
        f'  <td data-label="{column["solve"]}" class="clock">{clock_html(solve, provisional)}</td>\n</tr>'
    )
