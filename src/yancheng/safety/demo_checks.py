"""Demo data of 常态化: a year of check tasks and checks, through the services, replayed at
past moments — department checks on inspections the units' inspectors registered, enterprise
self-checks and park grid patrols; most tasks done on time, some late or short, a few of this
month's still open. Some failed items are reported as hazards.

It assumes the registry demo has loaded the systems (``data/systems-430400.json``), their
units and enterprise mappings. A department check needs an inspection registration made
through the inspections module's services, which the safety module may not import: the
caller passes ``register_visit(moment, inspector, enterprise) -> int | None`` (the new
registration's id, made as of ``moment`` by ``inspector`` with a colleague, or None when the
inspection rules refuse it) — the site's demo command wires it to the inspections demo's
registration. Without it, department tasks get no checks (they show red)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone as real_timezone

from yancheng.core.errors import DomainError
from yancheng.core.models import Enterprise, Role, User
from yancheng.inspections import shared as inspections_shared

from .models import CheckOutcome, CheckTask, DutyLevel, HazardLevel, SafetySystem
from .selectors import annotate_responsible_org
from .services import checks as check_services
from .services.checks import CheckInput, ItemResult
from .services.checks_generation import _scoped, check_tasks_generate
from .services.hazards import report as hazard_services  # where hazard_report reads its clock

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEED = 430414
RegisterVisit = Callable[[dt.datetime, User, Enterprise], "int | None"]


class _Clock:
    """Stands in for ``django.utils.timezone`` in the modules that read the clock while a past
    check is recorded."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def now(self) -> dt.datetime:
        return self.moment

    def localdate(self, value: dt.datetime | None = None, timezone: Any = None) -> dt.date:
        return real_timezone.localdate(value or self.moment, timezone)

    def __getattr__(self, name: str) -> Any:
        return getattr(real_timezone, name)


@contextmanager
def _as_of(moment: dt.datetime) -> Iterator[None]:
    clock = _Clock(moment)
    replaced: list[tuple[Any, str, Any]] = [
        (check_services, "timezone", clock), (inspections_shared, "timezone", clock),
        (check_services, "now", clock.now), (hazard_services, "now", clock.now),
    ]
    saved = [(module, name, getattr(module, name)) for module, name, _new in replaced]
    try:
        for module, name, new in replaced:
            setattr(module, name, new)
        yield
    finally:
        for module, name, old in saved:
            setattr(module, name, old)


class _Loader:
    def __init__(self, today: dt.date, register_visit: RegisterVisit | None) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
        self.today = today
        self.register_visit = register_visit
        self.made = 0
        first = today.year * 12 + today.month - 1 - 11
        self.months = [((first + n) // 12, (first + n) % 12 + 1) for n in range(12)]

    def _moment(self, day: dt.date) -> dt.datetime:
        minute = self.rng.randrange(9 * 60, 16 * 60 + 30)
        return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), SHANGHAI)

    def _results(self, system: SafetySystem, fail_rate: float) -> list[ItemResult]:
        """A result per item. Only ordinary items fail here: a failed 重大事故隐患判定项 is a
        重大隐患 under 挂牌督办, and the demo's two are the hazards demo's. One failure in four is
        reported as a 一般隐患; the others were put right on the spot."""
        results = []
        for item in system.items.filter(is_active=True).order_by("position", "code"):
            roll = self.rng.random()
            if roll < fail_rate and not item.is_major_criterion:
                report = self.rng.random() < 0.25
                results.append(ItemResult(item.pk, CheckOutcome.FAIL, "现场发现问题，已当场告知企业负责人",
                                          HazardLevel.GENERAL if report else "",
                                          f"{item.text}：不符合要求" if report else ""))
            elif roll < fail_rate + 0.05:
                results.append(ItemResult(item.pk, CheckOutcome.NOT_APPLICABLE, "该企业无此项"))
            else:
                results.append(ItemResult(item.pk, CheckOutcome.PASS))
        return results

    def _scope(self, task: CheckTask) -> QuerySet[Enterprise]:
        scoped = _scoped(task.duty)
        if task.duty.level == DutyLevel.COUNTY:
            scoped = annotate_responsible_org(scoped).filter(**{"resolved_org": task.unit_id})
        elif task.duty.level == DutyLevel.TOWNSHIP:
            scoped = scoped.filter(enterprise__park_id=task.unit_id)
        return Enterprise.objects.filter(pk__in=scoped.values("enterprise_id")).order_by("pk")

    def _days(self, task: CheckTask, *, late: bool) -> list[dt.date]:
        end = min(task.period_end if late else task.due_on, self.today - dt.timedelta(days=1))
        start = task.due_on + dt.timedelta(days=1) if late else task.period_start
        return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]

    def _record(self, task: CheckTask, enterprise: Enterprise, day: dt.date) -> None:
        moment = self._moment(day)
        system = task.system
        data = CheckInput(system=system, enterprise=enterprise, results=self._results(system, 0.08),
                          summary="按计划开展常态化安全检查。")
        try:
            if task.duty.level == DutyLevel.TOWNSHIP:
                grid = User.objects.filter(organisation_id=task.unit_id, role=Role.SAFETY, is_active=True).first()
                if grid is None:
                    return
                with _as_of(moment):
                    check_services.safety_check_record_grid(actor=grid, data=data)
            else:
                inspector = User.objects.filter(organisation_id=task.unit_id, role=Role.INSPECTOR,
                                                is_active=True).order_by("pk").first()
                if inspector is None or self.register_visit is None:
                    return
                inspection_id = self.register_visit(moment, inspector, enterprise)
                if inspection_id is None:
                    return
                with _as_of(moment + dt.timedelta(minutes=30)):
                    check_services.safety_check_record_department(actor=inspector, inspection_id=inspection_id,
                                                                  data=data)
        except DomainError:
            return  # the rules said no (a cap, a quiet period): as they would
        self.made += 1

    def tasks(self) -> None:
        for year, month in self.months:
            check_tasks_generate(year=year, month=month, actor=None)
        for task in CheckTask.objects.select_related("system", "duty", "unit").order_by("period_start", "pk"):
            enterprises = list(self._scope(task))
            if task.period_start > self.today or not enterprises:
                continue
            roll = self.rng.random()
            current = task.period_end >= self.today
            share = self.rng.uniform(0.2, 0.6) if current else (0.6 if roll < 0.1 else 1.0)
            late = not current and 0.1 <= roll < 0.2
            count = max(1, round(len(enterprises) * share))
            for enterprise in self.rng.sample(enterprises, min(count, len(enterprises))):
                days = self._days(task, late=late and enterprise == enterprises[-1]) or self._days(task, late=False)
                if days:
                    self._record(task, enterprise, self.rng.choice(days))

    def self_checks(self) -> None:
        """A few enterprises check themselves each month under their systems."""
        users = list(User.objects.filter(role=Role.ENTERPRISE, is_active=True).order_by("pk")[:12])
        for year, month in self.months:
            for user in users:
                enterprise = check_services.own_enterprise(user)
                if enterprise is None or self.rng.random() < 0.5:
                    continue
                systems = check_services.mapped_systems(enterprise)
                if not systems:
                    continue
                day = dt.date(year, month, self.rng.randrange(1, 28))
                if day >= self.today:
                    continue
                system = self.rng.choice(systems)
                data = CheckInput(system=system, enterprise=enterprise, results=self._results(system, 0.05),
                                  summary="企业每月自查。")
                try:
                    with _as_of(self._moment(day)):
                        check_services.safety_check_record_self(actor=user, data=data)
                except DomainError:
                    continue
                self.made += 1


def load_checks_demo(today: dt.date | None = None, *, register_visit: RegisterVisit | None = None) -> int:
    """A year of tasks and checks up to ``today``; returns how many checks were recorded."""
    loader = _Loader(today or real_timezone.localdate(), register_visit)
    loader.tasks()
    loader.self_checks()
    return loader.made
