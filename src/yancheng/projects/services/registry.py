"""Every write of the project registry (SPEC §3): transaction → lock → permission →
validation → save → audit record. Views, the API, the admin and tests all call these.

Amounts are in 万元. Refusals are DomainErrors with a message for the user.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yancheng.core.audit.services import AuditEntry, audit_record, audit_record_many
from yancheng.core.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    RowsRefused,
    ValidationFailed,
)
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Enterprise, Organisation, Role
from yancheng.core.services import BULK_BATCH
from yancheng.core.typing import Actor, organisation_of

from .. import workflow
from ..models import (
    STAGE_ORDER,
    AnnualPlan,
    Category,
    Project,
    Stage,
    StageChange,
    TaskForceMember,
)
from ..permissions import _local_scope, can_maintain, is_project_office, projects_visible_to
from .common import _bump, _lock, _money, _today

PROJECT_FIELDS = (
    "name", "enterprise", "region", "park", "chain", "category", "total_investment", "planned_start",
    "planned_completion", "leader", "responsible_org", "description", "is_confidential", "is_active",
)
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")




def project_to_audit(p: Project) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "enterprise": p.enterprise_id,
        "region": p.region_id,
        "park": p.park_id,
        "chain": p.chain_id,
        "category": p.category,
        "total_investment": str(p.total_investment),
        "stage": p.stage,
        "planned_start": p.planned_start.isoformat() if p.planned_start else None,
        "planned_completion": p.planned_completion.isoformat() if p.planned_completion else None,
        "leader": p.leader_id,
        "responsible_org": p.responsible_org_id,
        "is_confidential": p.is_confidential,
        "is_active": p.is_active,
    }


# --- the project -------------------------------------------------------------------------------


def _check_project(data: dict[str, Any], actor: Actor | None, *, visible_enterprises: set[int] | None = None) -> None:
    """Validate and normalise a project's fields in place. ``visible_enterprises``: the
    ids of the enterprises the actor sees, when the caller has looked them up for a batch."""
    if "name" in data:
        data["name"] = clean_text(data["name"], field="name", max_length=200, required=_("请填写项目名称。"))
    region = data.get("region")
    park: Organisation | None = data.get("park")
    if region is None:
        raise ValidationFailed(_("请选择项目所在区划。"), field="region")
    if park is not None:
        if park.kind != Organisation.Kind.PARK:
            raise ValidationFailed(_("“%(p)s”不是园区。") % {"p": park}, field="park")
        if park.region_id != region.pk:
            raise ValidationFailed(_("园区“%(p)s”不在%(r)s。") % {"p": park, "r": region.name}, field="park")
    if data.get("category") not in Category.values:
        raise ValidationFailed(_("未知的项目类别。"), field="category")
    data["total_investment"] = _money(data.get("total_investment"), "total_investment")
    org: Organisation | None = data.get("responsible_org")
    if org is None:
        raise ValidationFailed(_("请选择责任单位。"), field="responsible_org")
    if org.kind == Organisation.Kind.ENTERPRISE or not org.is_active:
        raise ValidationFailed(_("“%(o)s”不能作为责任单位。") % {"o": org}, field="responsible_org")
    leader = data.get("leader")
    if leader is not None and (leader.role != Role.LEADER or not leader.is_active):
        raise ValidationFailed(_("联系领导须是启用的领导账号。"), field="leader")
    enterprise: Enterprise | None = data.get("enterprise")
    if (
        enterprise is not None and actor is not None and actor.role != Role.SYSTEM_ADMIN
        and not (
            enterprise.pk in visible_enterprises
            if visible_enterprises is not None
            else Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists()
        )
    ):
        raise ValidationFailed(_("所选企业不在您可见的范围内。"), field="enterprise")
    start, end = data.get("planned_start"), data.get("planned_completion")
    if start and end and end < start:
        raise ValidationFailed(_("计划竣工日期不能早于计划开工月份。"), field="planned_completion")
    if start:
        data["planned_start"] = start.replace(day=1)
    # A county, district or park dispatcher files the projects of its own area only.
    if actor is not None and actor.role == Role.DISPATCHER and not is_project_office(actor):
        local = _local_scope(actor)
        own = organisation_of(actor)
        if local is None:
            in_area = True
        elif own.kind == Organisation.Kind.PARK:
            in_area = park is not None and park.pk == own.pk
        else:
            in_area = region.pk == own.region_id
        if not in_area:
            raise PermissionDeniedError(_("只能登记本辖区（本园区）的项目。"))


def _next_code(year: int) -> str:
    prefix = f"XM{year}-"
    codes = Project.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(c[len(prefix):]) for c in codes if c[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def project_create(*, actor: Actor | None, code: str = "", stage: str = Stage.NEGOTIATING, **fields: Any) -> Project:
    """File a major project (备案). Without a code it gets the next ``XM<year>-<nnnn>``."""
    require(actor, "projects.add_project")
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationFailed(_("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    data: dict[str, Any] = {"category": Category.INDUSTRY, "description": "", **fields}
    _check_project(data, actor)
    if stage not in STAGE_ORDER:
        raise ValidationFailed(_("未知的项目阶段。"), field="stage")
    code = (code or "").strip().upper()
    if code and not CODE_RE.match(code):
        raise ValidationFailed(_("项目编号只能由字母、数字、“-”“_”“.”组成，最长 32 位。"), field="code")
    for attempt in range(5):
        with transaction.atomic():
            number = code or _next_code(_today().year)
            if Project.objects.filter(code=number).exists():
                if code:
                    raise ConflictError(_("项目编号 %(c)s 已存在。") % {"c": code}, field="code", code="code_duplicate")
                continue
            project = Project(code=number, stage=stage, **data)
            try:
                with transaction.atomic():
                    project.save()
            except IntegrityError as exc:  # a concurrent filing took the number
                if code or attempt == 4:
                    raise ConflictError(_("项目编号 %(c)s 已存在。") % {"c": number}, field="code",
                                        code="code_duplicate") from exc
                continue
            StageChange.objects.create(project=project, from_stage="", to_stage=stage, on=_today(),
                                       actor=actor if getattr(actor, "pk", None) else None, note=_("备案登记"))
            audit_record("project.create", project, actor=actor, after=project_to_audit(project))
            return project
    raise ConflictError(_("生成项目编号失败，请重试。"), field="code")


def _project_check_many(
    rows: Sequence[Mapping[str, Any]], *, actor: Actor | None, plan_year: int
) -> tuple[dict[int, DomainError], list[tuple[dict[str, Any], Decimal | None]]]:
    """The checks of `project_create` (and of `annual_plan_set` for a row's plan) over a
    batch, with the lookups done once for all rows."""
    errors: dict[int, DomainError] = {}
    cleaned: list[tuple[dict[str, Any], Decimal | None]] = []
    enterprise_ids = {row["enterprise"].pk for row in rows if row.get("enterprise") is not None}
    visible: set[int] | None = None
    if actor is not None and actor.role != Role.SYSTEM_ADMIN:
        visible = set(Enterprise.objects.visible_to(actor).filter(pk__in=enterprise_ids).values_list("pk", flat=True))
    if not 2000 <= int(plan_year) <= 2100:
        year_error: DomainError | None = ValidationFailed(_("年度不正确。"), field="year")
    else:
        year_error = None
    first_of: dict[str, int] = {}
    for index, row in enumerate(rows):
        fields = dict(row)
        code = str(fields.pop("code", "") or "").strip().upper()
        stage = fields.pop("stage", Stage.NEGOTIATING)
        plan = fields.pop("planned_investment", None)
        try:
            unknown = set(fields) - set(PROJECT_FIELDS)
            if unknown:
                raise ValidationFailed(_("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
            data: dict[str, Any] = {"category": Category.INDUSTRY, "description": "", **fields}
            _check_project(data, actor, visible_enterprises=visible)
            if stage not in STAGE_ORDER:
                raise ValidationFailed(_("未知的项目阶段。"), field="stage")
            if code and not CODE_RE.match(code):
                raise ValidationFailed(_("项目编号只能由字母、数字、“-”“_”“.”组成，最长 32 位。"), field="code")
            if code and code in first_of:
                raise ConflictError(_("项目编号 %(c)s 已存在。") % {"c": code}, field="code", code="code_duplicate")
            amount = None
            if plan is not None:
                amount = _money(plan, "planned_investment")
                if year_error is not None:
                    raise year_error
                # annual_plan_set: only those who may maintain the project set its plan.
                if actor is not None and not can_maintain(actor, Project(**data, code=code, stage=stage)):
                    raise PermissionDeniedError(_("您没有执行此操作的权限。"))
        except DomainError as exc:
            errors[index] = exc
            cleaned.append(({}, None))
            continue
        if code:
            first_of[code] = index
        cleaned.append(({"code": code, "stage": stage, **data}, amount))
    codes = list(first_of)
    for start in range(0, len(codes), BULK_BATCH):
        for taken in Project.objects.filter(code__in=codes[start : start + BULK_BATCH]).values_list("code", flat=True):
            errors[first_of[taken]] = ConflictError(
                _("项目编号 %(c)s 已存在。") % {"c": taken}, field="code", code="code_duplicate"
            )
    return errors, cleaned


def project_validate_many(
    rows: Sequence[Mapping[str, Any]], *, actor: Actor | None, plan_year: int | None = None
) -> dict[int, DomainError]:
    """Check rows for `project_create_many` without writing anything: the index of each
    refused row and why."""
    require(actor, "projects.add_project")
    errors, _cleaned = _project_check_many(rows, actor=actor, plan_year=plan_year or _today().year)
    return errors


def project_create_many(
    rows: Sequence[Mapping[str, Any]], *, actor: Actor | None, plan_year: int | None = None
) -> list[Project]:
    """File many projects at once (the .xlsx import). Each row holds the arguments of
    `project_create` and, under ``planned_investment``, optionally the plan of
    ``plan_year`` (this year by default) that `annual_plan_set` would set; the same checks
    apply. All or nothing: if any row is refused, `RowsRefused` names every refused row and
    nothing is written. Rows without a code get the next ``XM<year>-<nnnn>`` in order.

    One statement per kind of row and batch — projects, their first stage change, their
    plans, the audit records (the same ones, in the same order, as the single services) —
    instead of a dozen per project."""
    require(actor, "projects.add_project")
    year = plan_year or _today().year
    errors, cleaned = _project_check_many(rows, actor=actor, plan_year=year)
    if errors:
        raise RowsRefused(errors)
    if not cleaned:
        return []
    failed = ConflictError(_("生成项目编号失败，请重试。"), field="code")
    today = _today()
    with transaction.atomic():
        explicit = {data["code"] for data, _plan in cleaned if data["code"]}
        prefix = f"XM{today.year}-"
        number = int(_next_code(today.year)[len(prefix):])
        projects: list[Project] = []
        for data, _plan in cleaned:
            code = data.pop("code")
            while not code:
                candidate = f"{prefix}{number:04d}"
                number += 1
                if candidate not in explicit:
                    code = candidate
            projects.append(Project(code=code, **data))
        try:
            with transaction.atomic():
                Project.objects.bulk_create(projects, batch_size=BULK_BATCH)
        except IntegrityError as exc:  # a concurrent filing took one of the codes
            raise failed from exc
        recorder = actor if getattr(actor, "pk", None) else None
        StageChange.objects.bulk_create(
            [StageChange(project=p, from_stage="", to_stage=p.stage, on=today, actor=recorder, note=_("备案登记"))
             for p in projects],
            batch_size=BULK_BATCH,
        )
        planned = [(index, p, amount) for index, (p, (_data, amount)) in enumerate(zip(projects, cleaned, strict=True))
                   if amount is not None]
        if actor is not None and planned:
            ids = [p.pk for _index, p, _amount in planned]
            seen = set(projects_visible_to(actor, Project.objects.filter(pk__in=ids)).values_list("pk", flat=True))
            hidden = {index: NotFoundError(_("项目不存在。")) for index, p, _amount in planned if p.pk not in seen}
            if hidden:
                raise RowsRefused(dict(hidden))
        AnnualPlan.objects.bulk_create(
            [AnnualPlan(project=p, year=year, planned_investment=amount) for _index, p, amount in planned],
            batch_size=BULK_BATCH,
        )
        plans = {p.pk: amount for _index, p, amount in planned}
        entries: list[AuditEntry] = []
        for p in projects:
            entries.append(AuditEntry("project.create", p, after=project_to_audit(p)))
            if p.pk in plans:
                entries.append(AuditEntry("project.annual_plan_set", p, before=None,
                                          after={"year": year, "planned_investment": str(plans[p.pk])}))
        audit_record_many(entries, actor=actor)
    return projects


def project_update(project: Project, *, actor: Actor, expected_version: int | None = None, **changes: Any) -> Project:
    """Change a project's master data. The stage moves only through ``project_advance``;
    the code never changes. ``expected_version`` (If-Match) refuses a stale edit."""
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationFailed(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        locked = _lock(project, actor)
        require(actor, "projects.change_project", locked)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(_("该项目已被他人修改，请刷新后重试。"), code="stale_version")
        merged = {f: getattr(locked, f) for f in PROJECT_FIELDS} | changes
        _check_project(merged, actor)
        changed = [f for f in changes if getattr(locked, f) != merged[f]]
        if changed:
            before = project_to_audit(locked)
            for f in changed:
                setattr(locked, f, merged[f])
            _bump(locked, changed)
            audit_record("project.update", locked, actor=actor, before=before, after=project_to_audit(locked))
    return locked


def project_advance(
    project: Project, *, stage: str, on: dt.date | None = None, note: str = "", actor: Actor | None,
    expected_version: int | None = None,
) -> Project:
    """Move the project one step along 在谈 → 签约 → 落地开工 → 在建实施 → 竣工 → 达产,
    recording the date of the step; or correct a wrong record by going back, which needs a
    note and clears the dates of the stages undone."""
    if stage not in STAGE_ORDER:
        raise ValidationFailed(_("未知的项目阶段。"), field="stage")
    on = on or _today()
    note = (note or "").strip()[:500]
    if on > _today():
        raise ValidationFailed(_("日期不能晚于今天：阶段变更登记已经发生的事。"), field="on")
    with transaction.atomic():
        locked = _lock(project, actor)
        require(actor, "projects.change_project", locked)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(_("该项目已被他人修改，请刷新后重试。"), code="stale_version")
        step = workflow.move(locked.stage, stage)
        before = project_to_audit(locked) | {f: str(getattr(locked, f) or "") for f in
                                             ("signed_on", "started_on", "completed_on", "producing_on")}
        changed: list[str] = ["stage"]
        if step is workflow.Move.SAME:
            raise ValidationFailed(_("项目已处于“%(s)s”阶段。") % {"s": locked.get_stage_display()}, field="stage")
        if step is workflow.Move.SKIP:
            nxt = Stage(workflow.next_stage(locked.stage) or stage).label
            raise ValidationFailed(
                _("阶段只能逐级推进：当前为“%(s)s”，下一阶段是“%(n)s”。")
                % {"s": locked.get_stage_display(), "n": nxt},
                field="stage",
            )
        if step is workflow.Move.ADVANCE:
            last = locked.stage_changes.exclude(from_stage="").order_by("-on", "-pk").values_list("on", flat=True).first()
            if last is not None and on < last:
                raise ValidationFailed(
                    _("日期不能早于上一次阶段变更（%(d)s）。") % {"d": last.isoformat()}, field="on"
                )
            date_field = workflow.STAGE_DATE_FIELD[stage]
            if date_field:
                setattr(locked, date_field, on)
                changed.append(date_field)
        else:
            if not note:
                raise ValidationFailed(
                    _("退回到较早的阶段是更正记录，请在“说明”中写明原因。"), field="note"
                )
            for undone in workflow.undone_stages(locked.stage, stage):
                date_field = workflow.STAGE_DATE_FIELD[undone]
                if date_field and getattr(locked, date_field) is not None:
                    setattr(locked, date_field, None)
                    changed.append(date_field)
        from_stage = locked.stage
        locked.stage = stage
        _bump(locked, changed)
        StageChange.objects.create(project=locked, from_stage=from_stage, to_stage=stage, on=on,
                                   actor=actor if getattr(actor, "pk", None) else None, note=note)
        audit_record(
            "project.advance" if step is workflow.Move.ADVANCE else "project.stage_correct", locked, actor=actor,
            before=before,
            after={"stage": stage, "on": on.isoformat(), "note": note}
            | {f: str(getattr(locked, f) or "") for f in ("signed_on", "started_on", "completed_on", "producing_on")},
        )
    return locked


def annual_plan_set(project: Project, *, year: int, planned_investment: Any, actor: Actor | None) -> AnnualPlan:
    """Set the year's planned investment (年度投资计划, 万元)."""
    amount = _money(planned_investment, "planned_investment")
    assert amount is not None
    if not 2000 <= int(year) <= 2100:
        raise ValidationFailed(_("年度不正确。"), field="year")
    with transaction.atomic():
        locked = _lock(project, actor)
        require(actor, "projects.change_project", locked)
        plan = AnnualPlan.objects.select_for_update().filter(project=locked, year=year).first()
        before = {"planned_investment": str(plan.planned_investment)} if plan else None
        if plan is None:
            plan = AnnualPlan.objects.create(project=locked, year=year, planned_investment=amount)
        else:
            plan.planned_investment = amount
            plan.save(update_fields=["planned_investment"])
        audit_record("project.annual_plan_set", locked, actor=actor, before=before,
                     after={"year": year, "planned_investment": str(amount)})
    return plan


# --- the task force (专班) ---------------------------------------------------------------------


def task_force_add(
    project: Project, *, name: str = "", organisation: Organisation | None = None, user: Actor | None = None,
    duty: str = "", is_lead: bool = False, actor: Actor | None,
) -> TaskForceMember:
    """Name a member of the project's 专班 (an account, or just a name and a unit)."""
    if user is not None:
        if user.role in {Role.ENTERPRISE, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}:
            raise ValidationFailed(_("专班成员须是政府部门或承办单位的工作人员。"), field="user")
        name = name or user.display_name
        organisation = organisation or user.organisation
    name = clean_text(name, field="name", max_length=64, required=_("请填写成员姓名。"))
    if organisation is None:
        raise ValidationFailed(_("请选择成员所在单位。"), field="organisation")
    with transaction.atomic():
        locked = _lock(project, actor)
        require(actor, "projects.change_project", locked)
        if user is not None and locked.task_force.filter(user=user).exists():
            raise ConflictError(_("%(n)s 已在专班中。") % {"n": name}, field="user")
        member = TaskForceMember.objects.create(project=locked, user=user, name=name, organisation=organisation,
                                                duty=(duty or "").strip()[:128], is_lead=is_lead)
        audit_record("project.task_force_add", locked, actor=actor,
                     after={"member": member.pk, "name": name, "user": getattr(user, "pk", None),
                            "organisation": organisation.pk, "is_lead": is_lead})
    return member


def task_force_remove(member: TaskForceMember, *, actor: Actor) -> None:
    with transaction.atomic():
        locked = _lock(member.project_id, actor)
        require(actor, "projects.change_project", locked)
        row = TaskForceMember.objects.select_for_update().filter(pk=member.pk, project=locked).first()
        if row is None:
            raise NotFoundError(_("该成员已不在专班中。"))
        audit_record("project.task_force_remove", locked, actor=actor,
                     before={"member": row.pk, "name": row.name, "user": row.user_id})
        row.delete()
