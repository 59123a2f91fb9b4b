"""Leaders and petitions: 包案 (a leader takes a matter personally) and 领导接访日 (a leader
receives petitioners on a scheduled day; 《信访工作条例》第十八条).

- ``petition_take_personally``: a leader who sees the matter takes it; the handling organ and
  the 信访部门 are told. Releasing it, or passing it to another leader, is the 信访部门's
  (``petition_leader_release``).
- ``reception_schedule`` / ``reception_record``: the 信访部门 schedules a leader's reception
  day; after it, the 信访部门 or the leader records how it went. The matters registered at a
  reception (channel 领导接访) point to it (``Petition.reception``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_batch, audit_record
from yancheng.core.errors import ConflictError, NotFoundError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Role, User
from yancheng.core.models.visibility import is_citywide
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor, MaybeActor, organisation_of

from . import events
from .models import LeaderReception, Petition
from .permissions import withheld_filter
from .stabilise import bump, check_stage, lock_petition, petition_url, staff_of, sync, who_sees

NOTE_MAX = 500
PLACE_MAX = 200
TOPICS_MAX = 200
NOTES_MAX = 10_000
SCHEDULE_HORIZON_DAYS = 366


# --- 包案 ----------------------------------------------------------------------------------------


def _leader_name(user: User) -> str:
    return user.full_name or user.username


def _notify_taken(petition: Petition, *, actor: Actor, leader: User | None) -> None:
    recipients = who_sees(petition, [*staff_of([petition.handling_org], [Role.HANDLER]),
                                     *staff_of([petition.registering_org], [Role.PETITION]),
                                     *([leader] if leader is not None else [])])
    recipients = [u for u in recipients if u.pk != actor.pk]
    if not recipients:
        return
    if leader is None:
        title = _("包案领导已解除：%(n)s") % {"n": petition.number}
        body = _("信访事项 %(n)s 的包案领导已解除。") % {"n": petition.number}
    else:
        title = _("领导包案：%(n)s") % {"n": petition.number}
        body = _("%(leader)s 包案信访事项 %(n)s。") % {"leader": _leader_name(leader), "n": petition.number}
    notify(recipients=recipients, verb="petition.leader", title=title, body=body, url=petition_url(petition),
           obj=petition, actor=actor)


def petition_take_personally(
    petition: Petition, *, actor: Actor, note: str = "", expected_version: int | None = None
) -> Petition:
    """包案: a leader who sees the matter takes it personally. A matter already taken by
    another leader is passed on by the 信访部门, not taken over."""
    note = clean_text(note, field="note", max_length=NOTE_MAX)
    require(actor, "petitions.take_personally", petition)
    with transaction.atomic(), audit_batch():
        locked = lock_petition(petition, expected_version)
        check_stage(locked, "take_personally")
        if locked.leader_id == actor.pk:
            raise ConflictError(_("您已包案该信访事项。"), code="already_taken")
        if locked.leader_id is not None:
            raise ConflictError(_("该信访事项已由其他领导包案；如需调整，请联系信访部门。"), code="taken")
        locked.leader = actor
        bump(locked, "leader")
        events.record(locked, "take_personally", actor=actor, note=note, data={"leader": actor.pk})
        _notify_taken(locked, actor=actor, leader=actor)
    sync(petition, locked, "leader_id")
    return locked


def petition_leader_release(
    petition: Petition, *, actor: Actor, leader: User | None = None, note: str = "",
    expected_version: int | None = None,
) -> Petition:
    """解除或调整包案: the 信访部门 releases the matter's leader, or passes the matter to
    another leader (who must be allowed to see it: never a leader of the organ a 检举控告 is
    about)."""
    note = clean_text(note, field="note", max_length=NOTE_MAX)
    require(actor, "petitions.release_leader", petition)
    if leader is not None and (leader.role != Role.LEADER or not leader.is_active or leader.organisation_id is None):
        raise ValidationFailed(_("请选择一位领导。"), field="leader")
    with transaction.atomic(), audit_batch():
        locked = lock_petition(petition, expected_version)
        if leader is None and locked.leader_id is None:
            raise ConflictError(_("该信访事项没有包案领导。"), code="no_leader")
        if leader is not None:
            check_stage(locked, "take_personally")
            if leader.pk == locked.leader_id:
                raise ConflictError(_("该领导已包案该信访事项。"), code="already_taken")
            if Petition.objects.filter(pk=locked.pk).filter(withheld_filter(leader)).exists():
                raise ValidationFailed(_("该领导所在单位是被检举控告的单位，不能包案。"), field="leader")
        before = locked.leader_id
        locked.leader = leader
        bump(locked, "leader")
        events.record(locked, "leader_change" if leader is not None else "leader_release", actor=actor, note=note,
                      data={"leader": leader.pk if leader is not None else None, "before": before})
        _notify_taken(locked, actor=actor, leader=leader)
    sync(petition, locked, "leader_id")
    return locked


# --- 领导接访日 ------------------------------------------------------------------------------------


def receptions_visible_to(user: MaybeActor | None, qs: QuerySet[LeaderReception] | None = None
                          ) -> QuerySet[LeaderReception]:
    """Who sees which reception days: the 信访部门 (a city one every day, a county one its
    region's), the leader their own, a supervisor their region's (citywide: all)."""
    qs = LeaderReception.objects.all() if qs is None else qs
    if user is None or not user.is_authenticated or not user.is_active or not user.organisation_id:
        return qs.none()
    org = organisation_of(user)
    if user.role in (Role.PETITION, Role.SUPERVISOR):
        return qs if is_citywide(user) else qs.filter(Q(org_id=org.pk) | Q(org__region_id=org.region_id))
    if user.role == Role.LEADER:
        return qs.filter(leader_id=user.pk)
    return qs.none()


def reception_schedule(
    *, actor: Actor, leader: User, day: dt.date, place: str, topics: str = ""
) -> LeaderReception:
    """安排领导接访日: a leader, a day, a place and the topics it is open to."""
    require(actor, "petitions.manage_receptions")
    if leader is None or leader.role != Role.LEADER or not leader.is_active:
        raise ValidationFailed(_("请选择一位领导。"), field="leader")
    today = timezone.localdate()
    if day < today:
        raise ValidationFailed(_("接访日期不能早于今天。"), field="day")
    if day > today + dt.timedelta(days=SCHEDULE_HORIZON_DAYS):
        raise ValidationFailed(_("接访日期不能晚于一年以后。"), field="day")
    place = clean_text(place, field="place", max_length=PLACE_MAX, required=_("请填写接访地点。"))
    topics = clean_text(topics, field="topics", max_length=TOPICS_MAX)
    org = organisation_of(actor)
    with transaction.atomic(), audit_batch():
        if LeaderReception.objects.select_for_update().filter(leader=leader, day=day).exists():
            raise ConflictError(_("该领导当天已安排接访。"), code="duplicate")
        reception = LeaderReception.objects.create(leader=leader, org=org, day=day, place=place, topics=topics)
        audit_record("petition_reception.schedule", reception, actor=actor,
                     after={"leader": leader.pk, "day": day.isoformat(), "org": org.pk})
        if leader.pk != actor.pk:
            notify(
                recipients=[leader],
                verb="petition.reception",
                title=_("领导接访日安排：%(d)s") % {"d": day.isoformat()},
                body=_("%(d)s 在%(p)s接待来访群众。") % {"d": day.isoformat(), "p": place},
                url=reverse("petitions:reception_detail", args=[reception.pk]),
                obj=reception,
                actor=actor,
            )
    return reception


def reception_record(reception: LeaderReception, *, actor: Actor, notes: str) -> LeaderReception:
    """记录接访情况: how the day went, by the 信访部门 or the leader, on the day or after."""
    notes = clean_text(notes, field="notes", max_length=NOTES_MAX, required=_("请填写接访情况。"))
    if not receptions_visible_to(actor).filter(pk=reception.pk).exists():
        raise NotFoundError(_("接访日不存在。"))
    require(actor, "petitions.record_reception", reception)
    with transaction.atomic(), audit_batch():
        locked = LeaderReception.objects.select_for_update().get(pk=reception.pk)
        if locked.day > timezone.localdate():
            raise ValidationFailed(_("接访日当天或之后才能记录接访情况。"), field="notes")
        had = bool(locked.notes)
        locked.notes = notes
        locked.save(update_fields=["notes"])
        audit_record("petition_reception.record", locked, actor=actor, after={"amended": had})
    reception.notes = locked.notes
    return locked
