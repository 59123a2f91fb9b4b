"""稳控 and 重大紧急 (issue 13 "Stabilisation"; 《信访工作条例》第二十五条、第三十七条).

- A risk level (低/中/高) is assessed on a matter; a high one is reported to the 信访部门 and to
  the leader who took the matter personally (包案).
- Follow-up visits and care tasks (回访、疏导教育、帮扶救助) are planned once the matter is
  answered and continue after 终结: the 条例 asks the organs to keep helping a petitioner whose
  matter is closed.
- A major or urgent matter is reported upward at once: the leaders on duty are told by inbox,
  email and SMS (``report_urgent``).

Notifications name the matter by its number only: never a petitioner, never a 检举控告's
content, and only people who may see the matter are told (a 检举控告 never reaches the organ
complained about).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_batch
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Organisation, Role, User
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor

from . import events
from .models import FollowUp, Petition, RiskLevel
from .workflow import can_move

NOTE_MAX = 500
PLAN_MAX = 500
RESULT_MAX = 5_000
PLAN_HORIZON_DAYS = 366


# --- shared steps ---------------------------------------------------------------------------


def lock_petition(petition: Petition, expected_version: int | None) -> Petition:
    """The matter, locked for the step; a stale version is refused."""
    locked = Petition.objects.select_for_update().get(pk=petition.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("该信访事项已被他人更新，请刷新后再操作。"), code="stale_version")
    return locked


def check_stage(petition: Petition, move: str) -> None:
    if not can_move(petition.stage, move):
        raise ConflictError(
            _("该信访事项当前环节为“%(s)s”，不能进行此操作。") % {"s": petition.get_stage_display()},
            code="invalid_stage",
        )


def bump(petition: Petition, *fields: str) -> None:
    petition.version += 1
    petition.save(update_fields=[*fields, "version", "updated_at"])


def sync(petition: Petition, locked: Petition, *fields: str) -> None:
    """The caller's copy follows the saved row."""
    for name in (*fields, "version"):
        setattr(petition, name, getattr(locked, name))


def who_sees(petition: Petition, users: Iterable[User | None]) -> list[User]:
    """Of ``users``, the active ones who may see the matter (``visible_to``): a notification
    about a matter goes to nobody else, so a 检举控告 never reaches the organ complained about."""
    seen: list[User] = []
    for user in users:
        if user is None or not user.is_active or any(u.pk == user.pk for u in seen):
            continue
        if Petition.objects.visible_to(user).filter(pk=petition.pk).exists():
            seen.append(user)
    return seen


def staff_of(orgs: Iterable[Organisation | None], roles: Iterable[str]) -> QuerySet[User]:
    ids = [o.pk for o in orgs if o is not None]
    return User.objects.filter(organisation_id__in=ids, role__in=list(roles), is_active=True).order_by("pk")


def petition_url(petition: Petition) -> str:
    return reverse("petitions:petition_detail", args=[petition.pk])


def _petition_office_of(petition: Petition) -> QuerySet[User]:
    """The 信访部门 behind the matter: the one that registered it and the one that dispatched
    its handling case."""
    orgs: list[Organisation | None] = [petition.registering_org]
    if petition.case_id is not None and petition.case is not None:
        orgs.append(petition.case.dispatch_org)
    return staff_of(orgs, [Role.PETITION])


def _notify_high_risk(petition: Petition, *, actor: Actor | None) -> None:
    recipients = who_sees(petition, [*_petition_office_of(petition), petition.leader])
    recipients = [u for u in recipients if actor is None or u.pk != actor.pk]
    if not recipients:
        return
    notify(
        recipients=recipients,
        verb="petition.high_risk",
        title=_("高风险信访事项：%(n)s") % {"n": petition.number},
        body=_("信访事项 %(n)s 的风险等级评估为“高”，请关注稳控工作。") % {"n": petition.number},
        url=petition_url(petition),
        obj=petition,
        actor=actor,
    )


# --- risk ------------------------------------------------------------------------------------


def petition_set_risk(
    petition: Petition, *, actor: Actor, level: str, note: str = "", expected_version: int | None = None
) -> Petition:
    """风险评估: the matter's risk level (低/中/高). A high level tells the 信访部门 and the
    leader who took the matter."""
    if level not in RiskLevel.values:
        raise ValidationFailed(_("请选择风险等级。"), field="level")
    note = clean_text(note, field="note", max_length=NOTE_MAX)
    require(actor, "petitions.follow_up", petition)
    with transaction.atomic(), audit_batch():
        locked = lock_petition(petition, expected_version)
        check_stage(locked, "set_risk")
        if locked.risk_level == level:
            raise ValidationFailed(_("风险等级没有变化。"), field="level")
        before = locked.risk_level
        locked.risk_level = level
        bump(locked, "risk_level")
        events.record(locked, "set_risk", actor=actor, note=note, data={"risk": level, "before": before})
        if level == RiskLevel.HIGH:
            _notify_high_risk(locked, actor=actor)
    sync(petition, locked, "risk_level")
    return locked


# --- follow-ups --------------------------------------------------------------------------------


def follow_up_orgs(petition: Petition) -> list[Organisation]:
    """The units a 稳控 task may be given to: the 信访部门 that registered the matter, the organ
    that handled it and the organs that reviewed it — never, for a 检举控告, the organ
    complained about or one of its sub-units."""
    ids: list[int] = [petition.registering_org_id]
    if petition.handling_org_id:
        ids.append(petition.handling_org_id)
    ids.extend(petition.reviews.values_list("organ_id", flat=True))
    orgs = list(Organisation.objects.filter(pk__in=ids, is_active=True).order_by("path"))
    if petition.is_accusation and petition.respondent_org_id:
        orgs = [o for o in orgs if petition.respondent_org_id not in o.ancestors_ids()]
    return orgs


def _notify_follow_up_unit(follow_up: FollowUp, petition: Petition, *, actor: Actor) -> None:
    if follow_up.org_id == actor.organisation_id:
        return
    recipients = who_sees(petition, staff_of([follow_up.org], [Role.PETITION, Role.HANDLER]))
    if not recipients:
        return
    notify(
        recipients=recipients,
        verb="petition.follow_up",
        title=_("稳控任务：%(n)s") % {"n": petition.number},
        body=_("信访事项 %(n)s 安排了%(kind)s，计划日期 %(d)s。")
        % {"n": petition.number, "kind": follow_up.get_kind_display(), "d": follow_up.due_on.isoformat()},
        url=reverse("petitions:follow_up_list") + "?mine=1",
        obj=petition,
        actor=actor,
    )


def follow_up_plan(
    petition: Petition,
    *,
    actor: Actor,
    kind: str,
    org: Organisation,
    due_on: dt.date,
    plan: str,
    expected_version: int | None = None,
) -> FollowUp:
    """安排回访或帮扶: a follow-up visit, counselling or assistance, by a unit, on a day. Allowed
    once the matter is answered, and after 终结 (第三十七条)."""
    if kind not in FollowUp.Kind.values:
        raise ValidationFailed(_("请选择稳控工作类型。"), field="kind")
    plan = clean_text(plan, field="plan", max_length=PLAN_MAX, required=_("请填写工作内容。"))
    today = timezone.localdate()
    if due_on < today:
        raise ValidationFailed(_("计划日期不能早于今天。"), field="due_on")
    if due_on > today + dt.timedelta(days=PLAN_HORIZON_DAYS):
        raise ValidationFailed(_("计划日期不能晚于一年以后。"), field="due_on")
    require(actor, "petitions.follow_up", petition)
    with transaction.atomic(), audit_batch():
        locked = lock_petition(petition, expected_version)
        check_stage(locked, "follow_up")
        if org.pk not in {o.pk for o in follow_up_orgs(locked)}:
            raise ValidationFailed(_("责任单位应为登记、办理或复查（复核）该事项的单位。"), field="org")
        follow_up = FollowUp.objects.create(
            petition=locked, kind=kind, org=org, due_on=due_on, plan=plan, created_by=actor,
        )
        bump(locked)
        events.record(locked, "follow_up_plan", actor=actor, note=plan,
                      data={"follow_up": follow_up.pk, "kind": kind, "org": org.pk, "due_on": due_on.isoformat()})
        _notify_follow_up_unit(follow_up, locked, actor=actor)
    sync(petition, locked)
    return follow_up


def follow_up_done(
    follow_up: FollowUp, *, actor: Actor, result: str, risk_level: str = "", expected_version: int | None = None
) -> FollowUp:
    """记录回访情况: what was found, and the risk as assessed at the visit (it becomes the
    matter's risk level; a new 高 is reported as ``petition_set_risk`` does)."""
    result = clean_text(result, field="result", max_length=RESULT_MAX, required=_("请填写情况记录。"))
    if risk_level and risk_level not in RiskLevel.values:
        raise ValidationFailed(_("请选择风险等级。"), field="risk_level")
    require(actor, "petitions.complete_follow_up", follow_up)
    with transaction.atomic(), audit_batch():
        locked = lock_petition(follow_up.petition, expected_version)
        task = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if task.done_at is not None:
            raise ConflictError(_("该稳控任务已于 %(d)s 完成。") % {"d": timezone.localdate(task.done_at)},
                                code="already_done")
        task.done_at = timezone.now()
        task.result = result
        task.risk_level = risk_level
        task.save(update_fields=["done_at", "result", "risk_level"])
        fields: list[str] = []
        before = locked.risk_level
        raised = bool(risk_level) and risk_level != before
        if raised:
            locked.risk_level = risk_level
            fields.append("risk_level")
        bump(locked, *fields)
        events.record(locked, "follow_up_done", actor=actor, note=result,
                      data={"follow_up": task.pk, "kind": task.kind, "risk": risk_level})
        if raised:
            events.record(locked, "set_risk", actor=actor, data={"risk": risk_level, "before": before,
                                                                  "follow_up": task.pk})
            if risk_level == RiskLevel.HIGH:
                _notify_high_risk(locked, actor=actor)
    follow_up.done_at, follow_up.result, follow_up.risk_level = task.done_at, task.result, task.risk_level
    return task


# --- 重大紧急 (第二十五条) -------------------------------------------------------------------------


def government_of(org: Organisation) -> Organisation | None:
    """The people's government an organisation belongs to: the top ancestor of kind
    government (祁东县信访局 → 祁东县人民政府; 衡阳市信访局 → 衡阳市人民政府)."""
    ids = org.ancestors_ids() or [org.pk]
    governments = {o.pk: o for o in Organisation.objects.filter(pk__in=ids, kind=Organisation.Kind.GOVERNMENT)}
    return next((governments[i] for i in ids if i in governments), None)


def leaders_on_duty(org: Organisation) -> QuerySet[User]:
    """The leaders told of a major or urgent matter at once: the LEADER-role users of the
    registering organisation's government and of the city government. There is no duty
    roster (值班表) yet: every leader of these governments is told."""
    ids: set[int] = set()
    own = government_of(org)
    if own is not None:
        ids.add(own.pk)
    ids.update(
        Organisation.objects.filter(kind=Organisation.Kind.GOVERNMENT, region__kind="city", is_active=True)
        .values_list("pk", flat=True)
    )
    return User.objects.filter(organisation_id__in=ids, role=Role.LEADER, is_active=True).order_by("pk")


def report_urgent(petition: Petition, *, actor: Actor | None) -> list[User]:
    """报告重大紧急信访事项: tell the leaders on duty at once (inbox, email and SMS) and keep an
    ``urgent_report`` event. Called by ``petition_mark_urgent`` and by registration for a
    matter registered as urgent; the caller has checked its own permission. Only leaders who
    may see the matter are told; the message names its number, nothing of its content."""
    if not petition.is_urgent:
        raise ValueError("report_urgent() is for a matter marked urgent")
    with transaction.atomic(), audit_batch():
        leaders = [u for u in who_sees(petition, leaders_on_duty(petition.registering_org))
                   if actor is None or u.pk != actor.pk]
        if leaders:
            notify(
                recipients=leaders,
                verb="petition.urgent",
                title=_("重大紧急信访事项：%(n)s") % {"n": petition.number},
                body=_("信访事项 %(n)s 为重大紧急信访事项，请及时阅处。") % {"n": petition.number},
                url=petition_url(petition),
                obj=petition,
                actor=actor,
                email=True,
                sms=True,
            )
        events.record(petition, "urgent_report", actor=actor, data={"leaders": [u.pk for u in leaders]})
    return leaders


def petition_mark_urgent(
    petition: Petition, *, actor: Actor, reason: str, expected_version: int | None = None
) -> Petition:
    """标为重大紧急 (第二十五条): a matter still being handled is marked urgent and reported
    upward at once."""
    reason = clean_text(reason, field="reason", max_length=NOTE_MAX, required=_("请说明重大紧急的情况。"))
    require(actor, "petitions.mark_urgent", petition)
    with transaction.atomic(), audit_batch():
        locked = lock_petition(petition, expected_version)
        check_stage(locked, "mark_urgent")
        if locked.is_urgent:
            raise ConflictError(_("该信访事项已标为重大紧急。"), code="already_urgent")
        locked.is_urgent = True
        bump(locked, "is_urgent")
        events.record(locked, "mark_urgent", actor=actor, note=reason)
        report_urgent(locked, actor=actor)
    sync(petition, locked, "is_urgent")
    return locked

