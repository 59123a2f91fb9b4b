"""The organisations and people of the petition-clock tests (no tests here): the city's
信访局 and its staff, a handling organ (the city 发改委) with a handler and a leader
(负责人), and the organ complained about (the market bureau) with a sub-unit, each with a
user of every staff role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import time_machine

from yancheng.cases import services as svc
from yancheng.cases.models import Case, CaseKind
from yancheng.core.models import Organisation, Role, User
from yancheng.core.services import organisation_create, user_create
from yancheng.testing.world import PERSONA_PASSWORD, World

SH = dt.timezone(dt.timedelta(hours=8))
STAFF_ROLES = (Role.SUPERVISOR, Role.HANDLER, Role.DISPATCHER, Role.LEADER, Role.PETITION)


def end_of(day: dt.date) -> dt.datetime:
    """A deadline "end of `day`" as the engine stores it: 24:00 Asia/Shanghai."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=SH)


def at(moment: dt.datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


@dataclass
class PetitionWorld:
    world: World
    bureau: Organisation  # 信访局
    clerk: User  # its 信访 staff (the dispatcher of petition cases)
    lead: Organisation  # the handling organ
    handler: User
    head: User  # the handling organ's leader (负责人)
    other_head: User  # a leader of another organ
    respondent: Organisation  # the organ complained about
    respondent_sub: Organisation  # one of its sub-units
    withheld_users: dict[str, User] = field(default_factory=dict)  # "<role>" and "sub_<role>"


def make_user(username: str, role: str, organisation: Organisation) -> User:
    return user_create(username=username, password=PERSONA_PASSWORD, role=role, organisation=organisation,
                       full_name=username, must_change_password=False, actor=None)


def build_petition_world(world: World) -> PetitionWorld:
    bureau = organisation_create(code="hy-xfj", name="衡阳市信访局", kind="office", region=world.city,
                                 parent=world.city_gov, actor=None)
    respondent = world.market_regulation
    respondent_sub = organisation_create(code="hy-scjg-zfdd", name="衡阳市市场监管综合执法支队", kind="department",
                                         region=world.city, parent=respondent, actor=None)
    pw = PetitionWorld(
        world=world,
        bureau=bureau,
        clerk=make_user("xf_clerk", Role.PETITION, bureau),
        lead=world.city_ndrc,
        handler=make_user("ndrc_handler", Role.HANDLER, world.city_ndrc),
        head=make_user("ndrc_head", Role.LEADER, world.city_ndrc),
        other_head=make_user("emergency_head", Role.LEADER, world.emergency_bureau),
        respondent=respondent,
        respondent_sub=respondent_sub,
    )
    for role in STAFF_ROLES:
        pw.withheld_users[str(role)] = make_user(f"resp_{role}", role, respondent)
        pw.withheld_users[f"sub_{role}"] = make_user(f"respsub_{role}", role, respondent_sub)
    return pw


def petition_case(pw: PetitionWorld, *, kind: str = CaseKind.PETITION, withheld: bool = False,
                  title: str = "反映某项补贴未发放") -> Case:
    """A petition case as the petitions module opens it: no actor, the 信访局 reports and
    receives it."""
    return svc.case_submit(
        actor=None, title=title, description="信访人反映的事项。", kind=kind, reporter_org=pw.bureau,
        dispatch_org=pw.bureau, withheld_from=pw.respondent if withheld else None,
    )


def assigned_petition(pw: PetitionWorld, when: dt.datetime, **kwargs: object) -> Case:
    with at(when):
        case = petition_case(pw, **kwargs)  # type: ignore[arg-type]
        svc.case_assign(case, actor=pw.clerk, lead_org=pw.lead)
    case.refresh_from_db()
    return case
