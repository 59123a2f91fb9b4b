"""Who is told what about a case. Delivery (inbox, email, group robots) is the
notifications app's job; this module only decides recipients and wording."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from yancheng.core.models import Organisation, Role, User
from yancheng.core.typing import Actor
from yancheng.lib.deadlines import due_day_label

from .models import PETITION_KINDS, Case, CaseTask, DayUnit, ExtensionRequest

if TYPE_CHECKING:
    from yancheng.core.notifications.services import Audience


def _staff(orgs: Iterable[Organisation | None], roles: Iterable[str]) -> QuerySet[User]:
    """The active users of these roles in these organisations, as a query: read where they
    are used (once, by ``_audience``, when they are the only recipients)."""
    ids = [o.pk for o in orgs if o is not None]
    if not ids:
        return User.objects.none()
    return User.objects.filter(organisation_id__in=ids, role__in=list(roles), is_active=True)


def _reporters(case: Case) -> list[User]:
    users = list(User.objects.filter(organisation_id=case.reporter_org_id, role=Role.ENTERPRISE, is_active=True))
    # Staff who registered a case for an enterprise are not asked to confirm and rate it.
    own_matter = case.enterprise_id is None
    if own_matter and case.reporter is not None and case.reporter.is_active and case.reporter not in users:
        users.append(case.reporter)
    return users


def _dispatcher_roles(kind: str) -> list[str]:
    """Who dispatches a kind: the 信访 staff for petitions, the dispatchers otherwise."""
    return [Role.PETITION] if kind in PETITION_KINDS else [Role.DISPATCHER]


def _dispatchers(case: Case) -> QuerySet[User]:
    return _staff([case.dispatch_org], _dispatcher_roles(case.kind))


def _lead(case: Case) -> QuerySet[User]:
    return _staff([case.lead_org], [Role.HANDLER])


def _audience(recipients: Iterable[User], *, actor: Actor | None, organisations: Iterable[Organisation | None]) -> Audience | None:
    """Who is told, read from the database (nobody is told about their own action); None
    when nobody is."""
    from yancheng.core.notifications.services import notify_audience

    orgs = [o for o in organisations if o is not None]
    actor_pk = getattr(actor, "pk", None) if actor is not None else None
    people: Iterable[User]
    if isinstance(recipients, QuerySet):
        # One read: the query's active users (notify_audience adds is_active).
        people = recipients.exclude(pk=actor_pk) if actor_pk is not None else recipients
    else:
        unique = {user.pk: user for user in recipients if actor_pk is None or user.pk != actor_pk}
        if not unique and not orgs:
            return None
        people = list(unique.values())
    audience = notify_audience(recipients=people, organisations=orgs)
    if isinstance(recipients, QuerySet) and not audience.users and not orgs:
        return None
    return audience


def _send(case: Case, recipients: Iterable[User], *, verb: str, title: str, body: str = "", actor: Actor | None,
          organisations: Iterable[Organisation | None] = (), audience: Audience | None = None) -> None:
    from yancheng.core.notifications.services import notify

    if audience is None:
        if case.withheld_from_id is not None:
            recipients, organisations = _not_withheld(case, recipients, organisations)
        audience = _audience(recipients, actor=actor, organisations=organisations)
        if audience is None:
            return
    notify(
        audience=audience,
        verb=verb,
        title=f"[{case.number}] {title}",
        body=body or case.title,
        url=reverse("cases:case_detail", args=[case.pk]),
        obj=case,
        actor=actor,
    )


def _not_withheld(
    case: Case, recipients: Iterable[User], organisations: Iterable[Organisation | None]
) -> tuple[Iterable[User], list[Organisation | None]]:
    """Nobody of the organisation the case is withheld from, nor of its sub-units, is told
    (检举控告: whatever the path — escalation, city-wide supervisors — it never reaches them)."""
    withheld = case.withheld_from
    assert withheld is not None

    def inside(org: Organisation | None) -> bool:
        return org is not None and (org.pk == withheld.pk or org.path.startswith(withheld.path))

    if isinstance(recipients, QuerySet):
        kept: Iterable[User] = recipients.exclude(organisation__path__startswith=withheld.path).exclude(
            organisation_id=withheld.pk
        )
    else:
        kept = [user for user in recipients if not inside(user.organisation)]
    return kept, [org for org in organisations if not inside(org)]


def submitted_audience(dispatch_org: Organisation, *, actor: Actor | None, kind: str = "") -> Audience:
    """Who is told of a new case — the receiving unit's dispatchers and its group robots —
    read before the case is numbered (``case_submit`` holds the year's counter from then
    until it commits)."""
    audience = _audience(_staff([dispatch_org], _dispatcher_roles(kind)), actor=actor, organisations=[dispatch_org])
    assert audience is not None  # the unit itself is told (its robots)
    return audience


def case_submitted(case: Case, *, actor: Actor | None, audience: Audience | None = None) -> None:
    _send(case, _dispatchers(case), verb="case.submitted", title=_("新事项待受理：%(t)s") % {"t": case.title},
          actor=actor, organisations=[case.dispatch_org], audience=audience)


def case_assigned(case: Case, *, actor: Actor | None, co_orgs: list[Organisation], co_names: list[str],
                  reassigned_from: int | None = None, insisted: bool = False) -> None:
    due = due_day_label(case.solve_due_at)
    lead_title = (
        _("维持交办，请签收：%(t)s") if insisted else _("交办事项，请签收：%(t)s")
    ) % {"t": case.title}
    _send(case, _lead(case), verb="case.assigned", title=lead_title,
          body=_("办结期限：%(d)s。%(desc)s") % {"d": due, "desc": case.description[:200]},
          actor=actor, organisations=[case.lead_org])
    if co_orgs:
        _send(case, _staff(co_orgs, [Role.HANDLER]), verb="case.task_assigned",
              title=_("协办事项：%(t)s") % {"t": case.title}, actor=actor, organisations=co_orgs)
    if reassigned_from:
        _send(case, _staff(Organisation.objects.filter(pk=reassigned_from), [Role.HANDLER]), verb="case.reassigned",
              title=_("事项已改派其他单位：%(t)s") % {"t": case.title}, actor=actor)
    lead_name = case.lead_org.name if case.lead_org else ""
    _send(case, _reporters(case), verb="case.assigned_reporter",
          title=_("您的事项已交办给%(o)s") % {"o": lead_name}, actor=actor)


def case_accepted(case: Case, *, actor: Actor) -> None:
    lead_name = case.lead_org.name if case.lead_org else ""
    _send(case, _reporters(case), verb="case.accepted", title=_("%(o)s已签收您的事项") % {"o": lead_name},
          actor=actor)


def case_returned(case: Case, *, actor: Actor, reason: str) -> None:
    _send(case, _dispatchers(case), verb="case.returned",
          title=_("承办单位退回事项，请审核：%(t)s") % {"t": case.title}, body=reason, actor=actor,
          organisations=[case.dispatch_org])


def extension_requested(case: Case, *, actor: Actor, request: ExtensionRequest, by_lead_head: bool = False) -> None:
    """To whoever decides: the dispatchers, or the lead unit's leaders (负责人)."""
    approvers = _staff([case.lead_org], [Role.LEADER]) if by_lead_head else _dispatchers(case)
    unit = DayUnit(case.day_unit or DayUnit.WORKING).label
    _send(case, approvers, verb="case.extension_requested",
          title=_("延期申请（%(n)d 个%(unit)s），请审核") % {"n": request.working_days, "unit": unit},
          body=request.reason, actor=actor)


def extension_decided(case: Case, *, actor: Actor, request: ExtensionRequest) -> None:
    approved = request.status == ExtensionRequest.Decision.APPROVED
    due = due_day_label(case.solve_due_at)
    title = (
        _("延期已批准，新的办结期限：%(d)s") % {"d": due} if approved else _("延期申请未获批准")
    )
    _send(case, [*_lead(case), *_reporters(case)], verb="case.extension_decided", title=title,
          body=request.decision_note or request.reason, actor=actor)


def case_suspended(case: Case, *, actor: Actor) -> None:
    _send(case, [*_reporters(case), *_dispatchers(case)], verb="case.suspended",
          title=_("事项已挂起：%(r)s") % {"r": case.suspended_reason}, actor=actor)


def case_resumed(case: Case, *, actor: Actor) -> None:
    _send(case, [*_reporters(case), *_dispatchers(case), *_lead(case)], verb="case.resumed",
          title=_("事项恢复办理"), actor=actor)


def task_completed(case: Case, *, actor: Actor, task: CaseTask) -> None:
    _send(case, _lead(case), verb="case.task_completed", title=_("%(o)s已完成协办") % {"o": task.org.name},
          body=task.result, actor=actor)


def case_resolved(case: Case, *, actor: Actor) -> None:
    _send(case, _reporters(case), verb="case.resolved", title=_("事项已办结，请确认并评价"), body=case.resolution,
          actor=actor)
    _send(case, _dispatchers(case), verb="case.resolved_dispatch", title=_("事项已办结：%(t)s") % {"t": case.title},
          actor=actor)


def case_rated(case: Case, *, actor: Actor) -> None:
    _send(case, [*_lead(case), *_dispatchers(case)], verb="case.rated",
          title=_("企业评价：%(s)s") % {"s": case.get_satisfaction_display()}, body=case.rating_comment, actor=actor)


def case_reopened(case: Case, *, actor: Actor, escalated: bool) -> None:
    title = _("企业不满意，事项已升级督办并重新办理") if escalated else _("事项重新办理：企业反馈问题未解决")
    recipients = [*_lead(case), *_dispatchers(case)]
    if escalated and case.escalated_to is not None:
        recipients += _staff([case.escalated_to], [Role.LEADER, Role.DISPATCHER, Role.HANDLER, Role.SUPERVISOR])
    _send(case, recipients, verb="case.reopened", title=title, body=case.rating_comment, actor=actor,
          organisations=[case.lead_org])


def case_withdrawn(case: Case, *, actor: Actor) -> None:
    _send(case, [*_dispatchers(case), *_lead(case)], verb="case.withdrawn", title=_("企业已撤回事项"), actor=actor)


def case_urged(case: Case, *, actor: Actor) -> None:
    recipients = _lead(case) if case.lead_org_id else _dispatchers(case)
    _send(case, recipients, verb="case.urged", title=_("企业催办：%(t)s") % {"t": case.title}, actor=actor,
          organisations=[case.lead_org or case.dispatch_org])


def case_merged(case: Case, target: Case, *, actor: Actor) -> None:
    title = _("您的事项已与 %(n)s 合并办理") % {"n": target.number}
    _send(case, _reporters(case), verb="case.merged", title=title, actor=actor)
    _send(target, _reporters(target), verb="case.merged_in",
          title=_("另一企业反映的相同问题已并入本事项"), actor=actor)


def note_added(case: Case, *, actor: Actor) -> None:
    side_enterprise = getattr(actor, "role", None) == Role.ENTERPRISE
    recipients = [*_lead(case), *_dispatchers(case)] if side_enterprise else _reporters(case)
    _send(case, recipients, verb="case.note", title=_("事项有新的留言"), actor=actor)


def case_escalated(case: Case, *, level: int, actor: Actor | None = None) -> None:
    names = {1: _("催办"), 2: _("督办"), 3: _("通报")}
    recipients = [*_lead(case), *_dispatchers(case)]
    if level >= 2 and case.escalated_to is not None:
        recipients += _staff([case.escalated_to], [Role.LEADER, Role.DISPATCHER, Role.HANDLER, Role.SUPERVISOR])
    if level >= 3:
        recipients += list(User.objects.filter(role=Role.SUPERVISOR, is_active=True))
    _send(case, recipients, verb=f"case.escalated.{level}",
          title=_("逾期%(what)s：%(t)s") % {"what": names.get(level, ""), "t": case.title}, actor=actor,
          organisations=[case.lead_org, case.escalated_to])




def revisit_asked(case: Case) -> None:
    _send(case, _reporters(case), verb="case.revisit", title=_("回访：您反映的问题是否已真正解决？"),
          body=_("请在事项页面回答“已解决”或“未解决”；未解决的事项将重新办理。"), actor=None)
