"""安全生产: the module's landing page — every safety page the user may open, by family, with
the user's safety to-dos on top (the menu's one entry leads here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from yancheng.core.kit.require import require_page
from yancheng.core.typing import AuthenticatedHttpRequest
from yancheng.core.workbench import todos_for

from .services.checks import grid_enterprises


@dataclass(frozen=True)
class Entry:
    label: Promise
    route: str
    perm: str
    hint: Promise
    # Beyond the permission, what the page itself asks (the grid patrol: a park's or a 乡镇's staff).
    opens: Callable[[Any], bool] | None = None

    def shown_to(self, user: Any) -> bool:
        return bool(user.has_perm(self.perm) and (self.opens is None or self.opens(user)))


def _has_grid(user: Any) -> bool:
    return bool(grid_enterprises(user).exists())


SECTIONS: tuple[tuple[Promise, tuple[Entry, ...]], ...] = (
    (_("责任体系"), (
        Entry(_("安全生产责任制"), "safety:registry_list", "safety.view_registry", _("各行业领域的责任制、检查项、职责和责任人")),
        Entry(_("责任制覆盖情况"), "safety:coverage", "safety.view_coverage", _("每家企业由哪个部门监管，缺口和未落实的单位")),
        Entry(_("安全生产责任书"), "safety:letter_list", "safety.view_letters", _("年度责任书的下达与签订")),
    )),
    (_("检查"), (
        Entry(_("检查任务"), "safety:check_task_list", "safety.view_tasks", _("各责任单位每期应检企业数、进度和亮灯")),
        Entry(_("安全检查记录"), "safety:check_list", "safety.view_checks", _("部门检查、企业自查、网格巡查和验收核查")),
        Entry(_("记录部门检查"), "safety:check_record_department", "safety.record_department_check",
              _("在本人的入企检查登记上记录责任制检查")),
        Entry(_("记录网格巡查"), "safety:check_record_grid", "safety.record_grid_check", _("网格员巡查企业"),
              opens=_has_grid),
        Entry(_("企业自查"), "safety:check_record_self", "safety.record_self_check", _("企业按检查项自查")),
    )),
    (_("隐患"), (
        Entry(_("安全隐患"), "safety:hazard_list", "safety.view_hazards", _("从报告、受理、整改到验收销号")),
        Entry(_("报告隐患"), "safety:hazard_report", "safety.report_hazard", _("报告一条新发现的隐患")),
    )),
    (_("统计与通报"), (
        Entry(_("安全生产统计"), "safety:statistics", "safety.view_statistics", _("按区划、责任制、部门和月份的统计")),
        Entry(_("安全生产通报"), "safety:bulletin_list", "safety.view_bulletins", _("每月的安全生产通报")),
    )),
)


@login_required
@require_GET
def safety_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The sections the user may open; a section with none of them is left out."""
    require_page(request, "safety.view_module")
    user = request.user
    sections = []
    for title, entries in SECTIONS:
        shown = [{"label": e.label, "url": reverse(e.route), "hint": e.hint} for e in entries if e.shown_to(user)]
        if shown:
            sections.append({"title": title, "entries": shown})
    todos = [todo for todo in todos_for(user) if todo.key.startswith("safety.")]
    return render(request, "safety/home.html", {"sections": sections, "todos": todos})
