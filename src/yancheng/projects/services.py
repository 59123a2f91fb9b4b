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

import rules
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import AuditEntry, audit_record, audit_record_many
from yancheng.core.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailed,
)
from yancheng.core.models import Enterprise, Organisation, Role
from yancheng.core.services import BULK_BATCH, RowsRefused

from .models import (
    STAGE_ORDER,
    AnnualPlan,
    ApprovalItem,
    Category,
    Commitment,
    DailyFeedback,
    FactorNeed,
    MonthlyReport,
    ObservationRound,
    ObservationScore,
    Project,
    Stage,
    StageChange,
    TaskForceMember,
)
from .permissions import _local_scope, can_maintain, is_project_office, projects_visible_to

PROJECT_FIELDS = (
    "name", "enterprise", "region", "park", "chain", "category", "total_investment", "planned_start",
    "planned_completion", "leader", "responsible_org", "description", "is_confidential", "is_active",
)
# The date each stage sets when a project reaches it (在建实施 continues from 开工).
STAGE_DATE_FIELD: dict[str, str | None] = {
    Stage.NEGOTIATING: None,
    Stage.SIGNED: "signed_on",
    Stage.STARTED: "started_on",
    Stage.CONSTRUCTION: None,
    Stage.COMPLETED: "completed_on",
    Stage.PRODUCING: "producing_on",
}
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


def _today() -> dt.date:
    return timezone.localdate()


def _require(actor: Any, perm: str, obj: Any = None) -> None:
    """``actor=None`` is the system itself (imports, the demo loader), recorded as such."""
    if actor is None:
        return
    if not rules.has_perm(perm, actor, obj):
        audit_record("permission_denied", obj, actor=actor, after={"perm": perm}, outcome="denied")
        raise PermissionDeniedError(_("您没有执行此操作的权限。"))


def _lock(project: Project | int, actor: Any) -> Project:
    pk = project.pk if isinstance(project, Project) else project
    locked = Project.objects.select_for_update().filter(pk=pk).first()
    if locked is None or (actor is not None and not projects_visible_to(actor, Project.objects.filter(pk=pk)).exists()):
        raise NotFoundError(_("项目不存在。"))
    return locked


def _bump(project: Project, fields: list[str]) -> None:
    project.version += 1
    project.save(update_fields=[*fields, "version", "updated_at"])


def _text(value: Any, field: str, message: str, max_length: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationFailed(message, field=field)
    return text[:max_length]


def _money(value: Any, field: str, *, allow_none: bool = False) -> Decimal | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ValidationFailed(_("请填写金额。"), field=field)
    try:
        amount = Decimal(str(value))
    except ArithmeticError as exc:
        raise ValidationFailed(_("金额格式不正确。"), field=field) from exc
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed(_("金额不能为负数。"), field=field)
    if amount >= Decimal("1e12"):
        raise ValidationFailed(_("金额过大，请以万元为单位填写。"), field=field)
    return amount.quantize(Decimal("0.01"))


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


def _check_project(data: dict[str, Any], actor: Any, *, visible_enterprises: set[int] | None = None) -> None:
    """Validate and normalise a project's fields in place. ``visible_enterprises``: the
    ids of the enterprises the actor sees, when the caller has looked them up for a batch."""
    if "name" in data:
        data["name"] = _text(data["name"], "name", _("请填写项目名称。"), 200)
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
        own = actor.organisation
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


def project_create(*, actor: Any, code: str = "", stage: str = Stage.NEGOTIATING, **fields: Any) -> Project:
    """File a major project (备案). Without a code it gets the next ``XM<year>-<nnnn>``."""
    _require(actor, "projects.add_project")
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
    rows: Sequence[Mapping[str, Any]], *, actor: Any, plan_year: int
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
    rows: Sequence[Mapping[str, Any]], *, actor: Any, plan_year: int | None = None
) -> dict[int, DomainError]:
    """Check rows for `project_create_many` without writing anything: the index of each
    refused row and why."""
    _require(actor, "projects.add_project")
    errors, _cleaned = _project_check_many(rows, actor=actor, plan_year=plan_year or _today().year)
    return errors


def project_create_many(
    rows: Sequence[Mapping[str, Any]], *, actor: Any, plan_year: int | None = None
) -> list[Project]:
    """File many projects at once (the .xlsx import). Each row holds the arguments of
    `project_create` and, under ``planned_investment``, optionally the plan of
    ``plan_year`` (this year by default) that `annual_plan_set` would set; the same checks
    apply. All or nothing: if any row is refused, `RowsRefused` names every refused row and
    nothing is written. Rows without a code get the next ``XM<year>-<nnnn>`` in order.

    One statement per kind of row and batch — projects, their first stage change, their
    plans, the audit records (the same ones, in the same order, as the single services) —
    instead of a dozen per project."""
    _require(actor, "projects.add_project")
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


def project_update(project: Project, *, actor: Any, expected_version: int | None = None, **changes: Any) -> Project:
    """Change a project's master data. The stage moves only through ``project_advance``;
    the code never changes. ``expected_version`` (If-Match) refuses a stale edit."""
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationFailed(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        locked = _lock(project, actor)
        _require(actor, "projects.change_project", locked)
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


def next_stage(stage: str) -> str | None:
    index = STAGE_ORDER.index(stage)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


def project_advance(
    project: Project, *, stage: str, on: dt.date | None = None, note: str = "", actor: Any,
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
        _require(actor, "projects.change_project", locked)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(_("该项目已被他人修改，请刷新后重试。"), code="stale_version")
        current, target = STAGE_ORDER.index(locked.stage), STAGE_ORDER.index(stage)
        before = project_to_audit(locked) | {f: str(getattr(locked, f) or "") for f in
                                             ("signed_on", "started_on", "completed_on", "producing_on")}
        changed: list[str] = ["stage"]
        if target == current:
            raise ValidationFailed(_("项目已处于“%(s)s”阶段。") % {"s": locked.get_stage_display()}, field="stage")
        if target > current + 1:
            nxt = Stage(STAGE_ORDER[current + 1]).label
            raise ValidationFailed(
                _("阶段只能逐级推进：当前为“%(s)s”，下一阶段是“%(n)s”。")
                % {"s": locked.get_stage_display(), "n": nxt},
                field="stage",
            )
        if target > current:
            last = locked.stage_changes.exclude(from_stage="").order_by("-on", "-pk").values_list("on", flat=True).first()
            if last is not None and on < last:
                raise ValidationFailed(
                    _("日期不能早于上一次阶段变更（%(d)s）。") % {"d": last.isoformat()}, field="on"
                )
            date_field = STAGE_DATE_FIELD[stage]
            if date_field:
                setattr(locked, date_field, on)
                changed.append(date_field)
        else:
            if not note:
                raise ValidationFailed(
                    _("退回到较早的阶段是更正记录，请在“说明”中写明原因。"), field="note"
                )
            for undone in STAGE_ORDER[target + 1 : current + 1]:
                date_field = STAGE_DATE_FIELD[undone]
                if date_field and getattr(locked, date_field) is not None:
                    setattr(locked, date_field, None)
                    changed.append(date_field)
        from_stage = locked.stage
        locked.stage = stage
        _bump(locked, changed)
        StageChange.objects.create(project=locked, from_stage=from_stage, to_stage=stage, on=on,
                                   actor=actor if getattr(actor, "pk", None) else None, note=note)
        audit_record(
            "project.advance" if target > current else "project.stage_correct", locked, actor=actor,
            before=before,
            after={"stage": stage, "on": on.isoformat(), "note": note}
            | {f: str(getattr(locked, f) or "") for f in ("signed_on", "started_on", "completed_on", "producing_on")},
        )
    return locked


def annual_plan_set(project: Project, *, year: int, planned_investment: Any, actor: Any) -> AnnualPlan:
    """Set the year's planned investment (年度投资计划, 万元)."""
    amount = _money(planned_investment, "planned_investment")
    assert amount is not None
    if not 2000 <= int(year) <= 2100:
        raise ValidationFailed(_("年度不正确。"), field="year")
    with transaction.atomic():
        locked = _lock(project, actor)
        _require(actor, "projects.change_project", locked)
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
    project: Project, *, name: str = "", organisation: Organisation | None = None, user: Any = None,
    duty: str = "", is_lead: bool = False, actor: Any,
) -> TaskForceMember:
    """Name a member of the project's 专班 (an account, or just a name and a unit)."""
    if user is not None:
        if user.role in {Role.ENTERPRISE, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}:
            raise ValidationFailed(_("专班成员须是政府部门或承办单位的工作人员。"), field="user")
        name = name or user.display_name
        organisation = organisation or user.organisation
    name = _text(name, "name", _("请填写成员姓名。"), 64)
    if organisation is None:
        raise ValidationFailed(_("请选择成员所在单位。"), field="organisation")
    with transaction.atomic():
        locked = _lock(project, actor)
        _require(actor, "projects.change_project", locked)
        if user is not None and locked.task_force.filter(user=user).exists():
            raise ConflictError(_("%(n)s 已在专班中。") % {"n": name}, field="user")
        member = TaskForceMember.objects.create(project=locked, user=user, name=name, organisation=organisation,
                                                duty=(duty or "").strip()[:128], is_lead=is_lead)
        audit_record("project.task_force_add", locked, actor=actor,
                     after={"member": member.pk, "name": name, "user": getattr(user, "pk", None),
                            "organisation": organisation.pk, "is_lead": is_lead})
    return member


def task_force_remove(member: TaskForceMember, *, actor: Any) -> None:
    with transaction.atomic():
        locked = _lock(member.project_id, actor)
        _require(actor, "projects.change_project", locked)
        row = TaskForceMember.objects.select_for_update().filter(pk=member.pk, project=locked).first()
        if row is None:
            raise NotFoundError(_("该成员已不在专班中。"))
        audit_record("project.task_force_remove", locked, actor=actor,
                     before={"member": row.pk, "name": row.name, "user": row.user_id})
        row.delete()


# --- 项目代办: the approvals checklist -----------------------------------------------------------


APPROVAL_FIELDS = ("title", "agent", "approving_org", "status", "planned_on", "done_on", "missing_documents")


def _check_approval(data: dict[str, Any]) -> None:
    agent = data.get("agent")
    if agent is not None and (agent.role == Role.ENTERPRISE or agent.role in {Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}):
        raise ValidationFailed(_("代办员须是政府部门的工作人员。"), field="agent")
    if data.get("status") not in ApprovalItem.ItemStatus.values:
        raise ValidationFailed(_("未知的办理状态。"), field="status")
    if data["status"] == ApprovalItem.ItemStatus.DONE:
        data["done_on"] = data.get("done_on") or _today()
        data["missing_documents"] = data.get("missing_documents") or ""
    else:
        data["done_on"] = None
    if data.get("done_on") and data["done_on"] > _today():
        raise ValidationFailed(_("实际办结日期不能晚于今天。"), field="done_on")
    data["missing_documents"] = "\n".join(
        line.strip() for line in str(data.get("missing_documents") or "").splitlines() if line.strip()
    )
    data["title"] = str(data.get("title") or "").strip()[:128]


def approval_item_add(project: Project, *, kind: str, actor: Any, **fields: Any) -> ApprovalItem:
    """Put an approval on the project's 代办 checklist (立项、用地预审、规划许可 …)."""
    if kind not in ApprovalItem.Kind.values:
        raise ValidationFailed(_("未知的审批事项。"), field="kind")
    unknown = set(fields) - set(APPROVAL_FIELDS)
    if unknown:
        raise ValidationFailed(_("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    data = {"status": ApprovalItem.ItemStatus.PENDING, **fields}
    _check_approval(data)
    with transaction.atomic():
        locked = _lock(project, actor)
        _require(actor, "projects.change_project", locked)
        item = ApprovalItem.objects.create(project=locked, kind=kind, **data)
        audit_record("project.approval_add", locked, actor=actor, after=_approval_audit(item))
    return item


def _approval_audit(item: ApprovalItem) -> dict[str, Any]:
    return {
        "item": item.pk, "kind": item.kind, "title": item.title, "status": item.status, "agent": item.agent_id,
        "approving_org": item.approving_org_id, "planned_on": str(item.planned_on or ""),
        "done_on": str(item.done_on or ""), "missing_documents": item.missing_documents,
    }


def approval_item_update(item: ApprovalItem, *, actor: Any, **changes: Any) -> ApprovalItem:
    """Update an approval: its status and dates, its agent, the 补缺清单 (one missing
    document a line). An agent may update the items assigned to him."""
    unknown = set(changes) - set(APPROVAL_FIELDS)
    if unknown:
        raise ValidationFailed(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        locked = _lock(item.project_id, actor)
        row = ApprovalItem.objects.select_for_update().filter(pk=item.pk, project=locked).first()
        if row is None:
            raise NotFoundError(_("代办事项不存在。"))
        if actor is None or row.agent_id != actor.pk:
            _require(actor, "projects.change_project", locked)
        data = {f: getattr(row, f) for f in APPROVAL_FIELDS} | changes
        _check_approval(data)
        before = _approval_audit(row)
        changed = [f for f in APPROVAL_FIELDS if getattr(row, f) != data[f]]
        for f in changed:
            setattr(row, f, data[f])
        if changed:
            row.save(update_fields=changed)
            audit_record("project.approval_update", locked, actor=actor, before=before, after=_approval_audit(row))
    return row


# --- 要素保障 ---------------------------------------------------------------------------------------


def factor_need_add(
    project: Project, *, kind: str, quantity: Any, responsible_org: Organisation, actor: Any,
    needed_by: dt.date | None = None, note: str = "",
) -> FactorNeed:
    """Record a need of land, power, water, gas, labour or finance and who arranges it."""
    if kind not in FactorNeed.Kind.values:
        raise ValidationFailed(_("未知的要素类型。"), field="kind")
    amount = _money(quantity, "quantity")
    if not amount:
        raise ValidationFailed(_("数量须大于 0。"), field="quantity")
    if responsible_org.kind == Organisation.Kind.ENTERPRISE:
        raise ValidationFailed(_("“%(o)s”不能作为责任单位。") % {"o": responsible_org}, field="responsible_org")
    with transaction.atomic():
        locked = _lock(project, actor)
        _require(actor, "projects.change_project", locked)
        need = FactorNeed.objects.create(project=locked, kind=kind, quantity=amount, responsible_org=responsible_org,
                                         needed_by=needed_by, note=(note or "").strip()[:500])
        audit_record("project.factor_add", locked, actor=actor,
                     after={"need": need.pk, "kind": kind, "quantity": str(amount), "org": responsible_org.pk})
    return need


def factor_need_set_status(need: FactorNeed, *, status: str, actor: Any, note: str | None = None) -> FactorNeed:
    """requested → arranged → delivered (or back, when an arrangement fell through). The
    unit responsible for the need may report it arranged or delivered."""
    if status not in FactorNeed.NeedStatus.values:
        raise ValidationFailed(_("未知的状态。"), field="status")
    with transaction.atomic():
        locked = _lock(need.project_id, actor)
        row = FactorNeed.objects.select_for_update().filter(pk=need.pk, project=locked).first()
        if row is None:
            raise NotFoundError(_("要素需求不存在。"))
        own_unit = actor is not None and actor.organisation_id == row.responsible_org_id and actor.role in {
            Role.DISPATCHER, Role.HANDLER}
        if not own_unit:
            _require(actor, "projects.change_project", locked)
        before = {"status": row.status, "note": row.note}
        row.status = status
        fields = ["status"]
        if note is not None and note.strip() != row.note:
            row.note = note.strip()[:500]
            fields.append("note")
        row.save(update_fields=fields)
        audit_record("project.factor_status", locked, actor=actor, before=before,
                     after={"need": row.pk, "status": status, "note": row.note})
    return row


# --- 日反馈 and monthly reports ---------------------------------------------------------------


def daily_feedback_save(
    project: Project, *, progress: str, actor: Any, problems: str = "", day: dt.date | None = None
) -> DailyFeedback:
    """日反馈: one note per project per day, written on the day and editable that day only."""
    today = _today()
    day = day or today
    if day != today:
        raise ValidationFailed(_("日反馈只能填报当天的，且只能在当天修改。"), field="day")
    progress = _text(progress, "progress", _("请填写当日进展。"), 5000)
    with transaction.atomic():
        locked = _lock(project, actor)
        _require(actor, "projects.report_progress", locked)
        row = DailyFeedback.objects.select_for_update().filter(project=locked, day=day).first()
        if row is None:
            row = DailyFeedback.objects.create(project=locked, day=day, author=actor, progress=progress,
                                               problems=(problems or "").strip())
            audit_record("project.feedback_add", locked, actor=actor, after={"day": day.isoformat(),
                                                                              "progress": progress[:500]})
        else:
            before = {"progress": row.progress[:500], "problems": row.problems[:500], "author": row.author_id}
            row.progress, row.problems, row.author = progress, (problems or "").strip(), actor
            row.save(update_fields=["progress", "problems", "author"])
            audit_record("project.feedback_edit", locked, actor=actor, before=before,
                         after={"day": day.isoformat(), "progress": progress[:500]})
    return row


def _first_of_month(value: dt.date) -> dt.date:
    return value.replace(day=1)


def monthly_report_submit(
    project: Project,
    *,
    month: dt.date,
    invested_this_month: Any,
    actor: Any,
    invested_ytd: Any = None,
    progress_percent: int = 0,
    correction_note: str = "",
) -> MonthlyReport:
    """The month's investment report (万元). The year to date must be the previous month's
    year to date plus this month; a figure that does not add up, or that would make the
    year to date fall, is a correction and needs a note saying why (统计更正). Without a
    year-to-date figure it is computed. Resubmitting a month replaces it (with a note when
    the figures change)."""
    month = _first_of_month(month)
    if month > _first_of_month(_today()):
        raise ValidationFailed(_("不能报送未来月份的投资。"), field="month")
    this_month = _money(invested_this_month, "invested_this_month")
    assert this_month is not None
    ytd = _money(invested_ytd, "invested_ytd", allow_none=True)
    if not 0 <= int(progress_percent) <= 100:
        raise ValidationFailed(_("形象进度应在 0 到 100 之间。"), field="progress_percent")
    note = (correction_note or "").strip()[:500]
    with transaction.atomic():
        locked = _lock(project, actor)
        _require(actor, "projects.report_progress", locked)
        earlier = (
            MonthlyReport.objects.filter(project=locked, month__year=month.year, month__lt=month)
            .order_by("-month").first()
        )
        base = earlier.invested_ytd if earlier is not None else Decimal("0.00")
        expected = base + this_month
        if ytd is None:
            ytd = expected
        gap = earlier is not None and (earlier.month.month != month.month - 1)
        if month.month > 1 and earlier is None:
            gap = True  # earlier months of the year were never reported
        problems: list[str] = []
        if earlier is not None and ytd < earlier.invested_ytd:
            problems.append(
                _("年度累计完成投资 %(ytd)s 万元比 %(m)s 月报送的 %(prev)s 万元还少，累计数不应减少。")
                % {"ytd": ytd, "m": earlier.month.strftime("%Y-%m"), "prev": earlier.invested_ytd}
            )
        elif ytd != expected and not (gap and ytd > expected):
            if earlier is None and month.month == 1:
                problems.append(
                    _("1 月的年度累计完成投资应等于本月完成投资 %(e)s 万元，填报的是 %(ytd)s 万元。")
                    % {"e": expected, "ytd": ytd}
                )
            elif earlier is None:
                problems.append(
                    _("年度累计完成投资 %(ytd)s 万元少于本月完成投资 %(e)s 万元。") % {"e": expected, "ytd": ytd}
                )
            else:
                problems.append(
                    _("年度累计完成投资应为 %(m)s 月累计 %(prev)s 万元 + 本月 %(this)s 万元 = %(e)s 万元，"
                      "填报的是 %(ytd)s 万元。")
                    % {"m": earlier.month.strftime("%Y-%m"), "prev": earlier.invested_ytd, "this": this_month,
                       "e": expected, "ytd": ytd}
                )
        existing = MonthlyReport.objects.select_for_update().filter(project=locked, month=month).first()
        if existing is not None and (existing.invested_this_month, existing.invested_ytd) != (this_month, ytd):
            later = MonthlyReport.objects.filter(project=locked, month__year=month.year, month__gt=month).exists()
            problems.append(
                _("%(m)s 已经报送过（本月 %(a)s 万元、累计 %(b)s 万元），修改已报数据属于更正%(later)s。")
                % {"m": month.strftime("%Y-%m"), "a": existing.invested_this_month, "b": existing.invested_ytd,
                   "later": _("，且之后月份的累计数也会受影响") if later else ""}
            )
        if problems and not note:
            raise ValidationFailed(" ".join([*problems, _("如确需更正，请在“更正说明”中写明原因后再提交。")]),
                                   field="correction_note", code="ytd_mismatch")
        before = None
        if existing is None:
            report = MonthlyReport(project=locked, month=month)
        else:
            report = existing
            before = {"invested_this_month": str(existing.invested_this_month),
                      "invested_ytd": str(existing.invested_ytd), "progress_percent": existing.progress_percent}
        report.invested_this_month = this_month
        report.invested_ytd = ytd
        report.progress_percent = int(progress_percent)
        report.correction_note = note if problems else (note or "")
        report.reported_by = actor if getattr(actor, "pk", None) else None
        report.save()
        audit_record(
            "project.monthly_report", locked, actor=actor, before=before,
            after={"month": month.strftime("%Y-%m"), "invested_this_month": str(this_month),
                   "invested_ytd": str(ytd), "progress_percent": int(progress_percent),
                   "correction": bool(problems), "correction_note": note},
        )
    return report


# --- 承诺兑现 and 现场观摩 ------------------------------------------------------------------------


def commitment_add(
    *, organisation: Organisation, year: int, kind: str, promise: str, actor: Any, project: Project | None = None,
    promised_date: dt.date | None = None, promised_amount: Any = None,
) -> Commitment:
    """Record a county's or park's commitment (start date, annual investment, a node)."""
    _require(actor, "projects.supervise")
    if kind not in Commitment.Kind.values:
        raise ValidationFailed(_("未知的承诺类型。"), field="kind")
    promise = _text(promise, "promise", _("请填写承诺内容。"), 255)
    amount = _money(promised_amount, "promised_amount", allow_none=True)
    if kind == Commitment.Kind.ANNUAL_INVESTMENT and amount is None:
        raise ValidationFailed(_("年度投资承诺须填写承诺金额。"), field="promised_amount")
    if kind in {Commitment.Kind.START_DATE, Commitment.Kind.MILESTONE} and promised_date is None:
        raise ValidationFailed(_("请填写承诺日期。"), field="promised_date")
    with transaction.atomic():
        commitment = Commitment.objects.create(
            organisation=organisation, project=project, year=year, kind=kind, promise=promise,
            promised_date=promised_date, promised_amount=amount,
        )
        audit_record("project.commitment_add", commitment, actor=actor,
                     after={"organisation": organisation.pk, "project": getattr(project, "pk", None), "year": year,
                            "kind": kind, "promise": promise, "promised_date": str(promised_date or ""),
                            "promised_amount": str(amount or "")})
    return commitment


def commitment_record_actual(
    commitment: Commitment, *, actor: Any, actual_date: dt.date | None = None, actual_amount: Any = None
) -> Commitment:
    """Record what actually happened against a commitment (承诺兑现)."""
    _require(actor, "projects.supervise")
    amount = _money(actual_amount, "actual_amount", allow_none=True)
    if actual_date is None and amount is None:
        raise ValidationFailed(_("请填写实际日期或实际金额。"), field="actual_date")
    with transaction.atomic():
        row = Commitment.objects.select_for_update().get(pk=commitment.pk)
        before = {"actual_date": str(row.actual_date or ""), "actual_amount": str(row.actual_amount or "")}
        row.actual_date, row.actual_amount = actual_date, amount
        row.save(update_fields=["actual_date", "actual_amount"])
        audit_record("project.commitment_actual", row, actor=actor, before=before,
                     after={"actual_date": str(actual_date or ""), "actual_amount": str(amount or "")})
    return row


def observation_round_create(*, title: str, held_on: dt.date, actor: Any) -> ObservationRound:
    """A round of on-site observation (现场观摩)."""
    _require(actor, "projects.supervise")
    title = _text(title, "title", _("请填写观摩名称。"), 128)
    with transaction.atomic():
        obs = ObservationRound.objects.create(title=title, held_on=held_on)
        audit_record("project.observation_round", obs, actor=actor, after={"title": title,
                                                                           "held_on": held_on.isoformat()})
    return obs


def observation_score_set(
    obs: ObservationRound, *, organisation: Organisation, score: Any, actor: Any, project: Project | None = None,
    remark: str = "",
) -> ObservationScore:
    """Score a county or park (and, optionally, the project shown) in a round, 0–100."""
    _require(actor, "projects.supervise")
    try:
        value = Decimal(str(score)).quantize(Decimal("0.01"))
    except ArithmeticError as exc:
        raise ValidationFailed(_("得分格式不正确。"), field="score") from exc
    if not Decimal(0) <= value <= Decimal(100):
        raise ValidationFailed(_("得分应在 0 到 100 之间。"), field="score")
    with transaction.atomic():
        row = ObservationScore.objects.select_for_update().filter(round=obs, organisation=organisation,
                                                                  project=project).first()
        before = {"score": str(row.score), "remark": row.remark} if row else None
        if row is None:
            row = ObservationScore(round=obs, organisation=organisation, project=project)
        row.score, row.remark = value, (remark or "").strip()[:500]
        row.save()
        audit_record("project.observation_score", obs, actor=actor, before=before,
                     after={"organisation": organisation.pk, "project": getattr(project, "pk", None),
                            "score": str(value), "remark": row.remark})
    return row
