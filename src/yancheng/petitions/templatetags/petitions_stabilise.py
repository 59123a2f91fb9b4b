"""``{% stabilise_panel petition as panel %}``: what the matter's 稳控 panel
(``petitions/_stabilise.html``) shows the signed-in user, and which of its forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template

from yancheng.petitions.forms_stabilise import (
    FollowUpDoneForm,
    FollowUpPlanForm,
    LeaderChangeForm,
    RiskForm,
    TakeForm,
    UrgentForm,
)
from yancheng.petitions.models import FollowUp, Petition
from yancheng.petitions.stabilise import follow_up_orgs
from yancheng.petitions.workflow import can_move

register = template.Library()


@dataclass
class Row:
    follow_up: FollowUp
    overdue: bool
    done_form: FollowUpDoneForm | None


@dataclass
class Panel:
    petition: Petition
    rows: list[Row] = field(default_factory=list)
    risk_form: RiskForm | None = None
    plan_form: FollowUpPlanForm | None = None
    urgent_form: UrgentForm | None = None
    take_form: TakeForm | None = None
    change_form: LeaderChangeForm | None = None


@register.simple_tag(takes_context=True)
def stabilise_panel(context: dict[str, Any], petition: Petition) -> Panel:
    from django.utils import timezone

    user = context["request"].user
    version = {"version": petition.version}
    today = timezone.localdate()
    panel = Panel(petition)
    if user.has_perm("petitions.follow_up", petition):
        if can_move(petition.stage, "set_risk"):
            panel.risk_form = RiskForm(initial={**version, "level": petition.risk_level}, auto_id="risk_%s")
        if can_move(petition.stage, "follow_up"):
            orgs = follow_up_orgs(petition)
            panel.plan_form = FollowUpPlanForm(initial={**version, "org": user.organisation_id}, orgs=orgs,
                                               auto_id="plan_%s")
    for follow_up in petition.follow_ups.select_related("org"):
        open_ = follow_up.done_at is None
        can_do = open_ and user.has_perm("petitions.complete_follow_up", follow_up)
        panel.rows.append(Row(
            follow_up, open_ and follow_up.due_on < today,
            FollowUpDoneForm(initial=version, auto_id=f"done{follow_up.pk}_%s") if can_do else None,
        ))
    if not petition.is_urgent and can_move(petition.stage, "mark_urgent") and user.has_perm(
        "petitions.mark_urgent", petition
    ):
        panel.urgent_form = UrgentForm(initial=version, auto_id="urgent_%s")
    if (petition.leader_id is None and can_move(petition.stage, "take_personally")
            and user.has_perm("petitions.take_personally", petition)):
        panel.take_form = TakeForm(initial=version, auto_id="take_%s")
    if user.has_perm("petitions.release_leader", petition):
        panel.change_form = LeaderChangeForm(initial=version, auto_id="leader_%s")
    return panel
