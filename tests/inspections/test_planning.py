"""Plans, joint inspections and preferred slots (SPEC §4: departments file plans; overlapping
plans of several departments for one enterprise are proposed as one joint inspection; the
enterprise picks preferred slots for announced inspections)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from yancheng.core.audit.models import AuditEvent
from yancheng.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.models import Role
from yancheng.core.notifications.models import Notification
from yancheng.core.services import user_create
from yancheng.inspections.models import (
    InspectionPlan,
    JointAcceptance,
    JointProposal,
    PlanEntry,
    TimeSlotPreference,
)
from yancheng.inspections.planning import access as plan_access
from yancheng.inspections.planning import common as plan_limits
from yancheng.inspections.planning import joint as joint_services
from yancheng.inspections.planning import plans as plan_services
from yancheng.inspections.planning import slots as slot_services
from yancheng.inspections.services import item_create
from yancheng.testing.inspections import build_inspection_world

# A Wednesday in April 2026: plans for May (1–5 May is the Labour Day holiday; Saturday
# 9 May is an adjusted working day).
NOW = dt.datetime(2026, 4, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
MAY = 5


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pw(frozen, world):
    """The inspection world at NOW, with a clerk for the emergency bureau and the two
    departments' May plans (drafts)."""
    iw = build_inspection_world(world)
    clerk_emergency = user_create(
        username="clerk_emergency", password=None, role=Role.HANDLER, organisation=world.emergency_bureau,
        full_name="应急法制科", must_change_password=False, actor=None,
    )
    market_plan = plan_services.plan_get_or_create(department=world.market_regulation, year=2026, month=MAY,
                                              actor=world.clerk_market)
    emergency_plan = plan_services.plan_get_or_create(department=world.emergency_bureau, year=2026, month=MAY,
                                                 actor=clerk_emergency)
    return SimpleNamespace(iw=iw, w=world, clerk_emergency=clerk_emergency, market_plan=market_plan,
                           emergency_plan=emergency_plan)


def add(pw: Any, plan: InspectionPlan, item: Any, start: int, end: int, *, enterprise: Any = None,
        actor: Any = None, **extra: Any) -> PlanEntry:
    actor = actor or (pw.w.clerk_market if plan.department_id == pw.w.market_regulation.pk else pw.clerk_emergency)
    return plan_services.plan_entry_add(
        plan, actor=actor, item=item, enterprise=enterprise or pw.w.enterprise_a, month=plan.month or MAY,
        window_start=dt.date(2026, MAY, start), window_end=dt.date(2026, MAY, end), **extra,
    )


def file(pw: Any, plan: InspectionPlan) -> InspectionPlan:
    actor = pw.w.clerk_market if plan.department_id == pw.w.market_regulation.pk else pw.clerk_emergency
    return plan_services.plan_file(plan, actor=actor)


def joint_pair(pw: Any) -> JointProposal:
    add(pw, pw.market_plan, pw.iw.food, 6, 20)
    add(pw, pw.emergency_plan, pw.iw.chemicals, 11, 29)
    file(pw, pw.market_plan)
    file(pw, pw.emergency_plan)
    return JointProposal.objects.get()


# --- plan entries -------------------------------------------------------------------------------


def test_a_plan_entry_is_refused_for_an_unpublished_item(pw):
    with pytest.raises(ValidationFailed) as exc:
        add(pw, pw.market_plan, pw.iw.unpublished, 6, 20)
    assert exc.value.field == "item"
    assert not PlanEntry.objects.exists()


def test_a_plan_entry_is_refused_for_an_item_withdrawn_after_it_was_published(pw):
    from yancheng.inspections.services import item_withdraw

    item_withdraw(pw.iw.equipment, actor=pw.w.clerk_market)
    with pytest.raises(ValidationFailed):
        add(pw, pw.market_plan, pw.iw.equipment, 6, 20)


def test_a_plan_entry_is_refused_for_another_departments_item(pw):
    with pytest.raises(ValidationFailed) as exc:
        add(pw, pw.market_plan, pw.iw.chemicals, 6, 20)
    assert exc.value.field == "item"
    assert not PlanEntry.objects.exists()


@pytest.mark.parametrize(("start", "end"), [(dt.date(2026, 4, 28), dt.date(2026, 5, 8)),
                                            (dt.date(2026, 5, 20), dt.date(2026, 6, 2)),
                                            (dt.date(2026, 5, 20), dt.date(2026, 5, 10))])
def test_a_plan_entry_is_refused_when_its_window_is_not_inside_the_month(pw, start, end):
    with pytest.raises(ValidationFailed):
        plan_services.plan_entry_add(pw.market_plan, actor=pw.w.clerk_market, item=pw.iw.food,
                                enterprise=pw.w.enterprise_a, month=MAY, window_start=start, window_end=end)
    assert not PlanEntry.objects.exists()


def test_a_monthly_plan_takes_only_entries_of_its_month(pw):
    with pytest.raises(ValidationFailed) as exc:
        plan_services.plan_entry_add(pw.market_plan, actor=pw.w.clerk_market, item=pw.iw.food,
                                enterprise=pw.w.enterprise_a, month=6)
    assert exc.value.field == "month"


def test_a_window_that_has_already_passed_cannot_be_planned(pw):
    april = plan_services.plan_get_or_create(department=pw.w.market_regulation, year=2026, month=4,
                                        actor=pw.w.clerk_market)
    with pytest.raises(ValidationFailed):
        plan_services.plan_entry_add(april, actor=pw.w.clerk_market, item=pw.iw.food, enterprise=pw.w.enterprise_a,
                                month=4, window_start=dt.date(2026, 4, 1), window_end=dt.date(2026, 4, 10))


def test_the_window_defaults_to_the_month_and_the_legal_basis_to_the_items(pw):
    entry = plan_services.plan_entry_add(pw.market_plan, actor=pw.w.clerk_market, item=pw.iw.food,
                                    enterprise=pw.w.enterprise_a, month=MAY)
    assert (entry.window_start, entry.window_end) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert entry.legal_basis == pw.iw.food.legal_basis
    assert AuditEvent.objects.filter(action="plan_entry.add", object_id=str(entry.pk)).exists()


def test_an_entry_names_an_enterprise_or_a_class_of_enterprises(pw):
    with pytest.raises(ValidationFailed) as exc:
        plan_services.plan_entry_add(pw.market_plan, actor=pw.w.clerk_market, item=pw.iw.food, month=MAY)
    assert exc.value.field == "enterprise"
    entry = plan_services.plan_entry_add(pw.market_plan, actor=pw.w.clerk_market, item=pw.iw.food, month=MAY,
                                    enterprise_class="规上工业企业", announced=False)
    assert entry.enterprise is None and entry.enterprise_class == "规上工业企业"


@pytest.mark.parametrize("persona", ["inspector", "inspector_emergency", "supervisor", "enterprise_a_user"])
def test_only_the_departments_clerk_adds_to_its_plan(pw, persona):
    with pytest.raises(PermissionDeniedError):
        add(pw, pw.market_plan, pw.iw.food, 6, 20, actor=getattr(pw.w, persona))
    assert not PlanEntry.objects.exists()


def test_a_clerk_cannot_open_a_plan_for_another_department(pw):
    with pytest.raises(PermissionDeniedError):
        plan_services.plan_get_or_create(department=pw.w.emergency_bureau, year=2026, actor=pw.w.clerk_market)


def test_plans_are_made_for_this_year_or_the_next(pw):
    with pytest.raises(ValidationFailed):
        plan_services.plan_get_or_create(department=pw.w.market_regulation, year=2025, actor=pw.w.clerk_market)
    again = plan_services.plan_get_or_create(department=pw.w.market_regulation, year=2026, month=MAY,
                                        actor=pw.w.clerk_market)
    assert again.pk == pw.market_plan.pk


# --- filing --------------------------------------------------------------------------------------


def test_a_plan_without_entries_cannot_be_filed(pw):
    with pytest.raises(ValidationFailed):
        file(pw, pw.market_plan)
    pw.market_plan.refresh_from_db()
    assert pw.market_plan.status == InspectionPlan.Status.DRAFT


def test_filing_makes_the_plan_filed_once(pw):
    add(pw, pw.market_plan, pw.iw.food, 6, 20)
    plan = file(pw, pw.market_plan)
    assert plan.status == InspectionPlan.Status.FILED and plan.filed_by == pw.w.clerk_market
    assert AuditEvent.objects.filter(action="inspection_plan.file", object_id=str(plan.pk)).exists()
    with pytest.raises(ConflictError):
        file(pw, plan)


def test_an_inspector_cannot_file_the_plan(pw):
    add(pw, pw.market_plan, pw.iw.food, 6, 20)
    with pytest.raises(PermissionDeniedError):
        plan_services.plan_file(pw.market_plan, actor=pw.w.inspector)


def test_filing_tells_the_enterprise_of_its_announced_entries_only(pw):
    add(pw, pw.market_plan, pw.iw.food, 6, 20)
    add(pw, pw.market_plan, pw.iw.equipment, 6, 20, enterprise=pw.w.enterprise_b, announced=False)
    file(pw, pw.market_plan)
    assert Notification.objects.filter(recipient=pw.w.enterprise_a_user, verb="inspection_announced").count() == 1
    assert not Notification.objects.filter(recipient=pw.w.enterprise_b_user).exists()


def test_entries_are_removed_only_while_the_plan_is_a_draft(pw):
    first = add(pw, pw.market_plan, pw.iw.food, 6, 20)
    second = add(pw, pw.market_plan, pw.iw.equipment, 6, 20)
    plan_services.plan_entry_remove(first, actor=pw.w.clerk_market)
    assert not PlanEntry.objects.filter(pk=first.pk).exists()
    file(pw, pw.market_plan)
    with pytest.raises(ConflictError):
        plan_services.plan_entry_remove(second, actor=pw.w.clerk_market)
    assert PlanEntry.objects.filter(pk=second.pk).exists()


def test_a_filed_annual_plan_takes_no_entry_but_a_filed_monthly_plan_takes_amendments(pw):
    annual = plan_services.plan_get_or_create(department=pw.w.market_regulation, year=2026, actor=pw.w.clerk_market)
    add(pw, annual, pw.iw.food, 6, 20)
    file(pw, annual)
    with pytest.raises(ConflictError):
        add(pw, annual, pw.iw.equipment, 6, 20)
    add(pw, pw.market_plan, pw.iw.food, 6, 20)
    file(pw, pw.market_plan)
    amendment = add(pw, pw.market_plan, pw.iw.equipment, 21, 29)
    assert amendment.plan_id == pw.market_plan.pk
    assert AuditEvent.objects.filter(action="plan_entry.amend", object_id=str(amendment.pk)).exists()


def test_an_annual_plan_filed_after_march_is_filed_but_marked_late(pw):
    annual = plan_services.plan_get_or_create(department=pw.w.market_regulation, year=2026, actor=pw.w.clerk_market)
    add(pw, annual, pw.iw.food, 6, 20)
    filed = file(pw, annual)
    assert filed.status == InspectionPlan.Status.FILED
    assert plan_limits.plan_is_late(filed)
    assert plan_limits.annual_plan_due(2026) == dt.date(2026, 3, 31)
    assert not plan_limits.plan_is_late(pw.market_plan)  # monthly plans have no due day


def test_an_annual_plan_filed_in_march_is_on_time(world):
    with time_machine.travel(dt.datetime(2026, 3, 20, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        iw = build_inspection_world(world)
        annual = plan_services.plan_get_or_create(department=world.market_regulation, year=2026, actor=world.clerk_market)
        plan_services.plan_entry_add(annual, actor=world.clerk_market, item=iw.food, enterprise=world.enterprise_a, month=6)
        filed = plan_services.plan_file(annual, actor=world.clerk_market)
        assert not plan_limits.plan_is_late(filed)


# --- joint matching ------------------------------------------------------------------------------


def test_overlapping_entries_of_two_departments_for_one_enterprise_make_one_proposal(pw):
    market = add(pw, pw.market_plan, pw.iw.food, 6, 20)
    emergency = add(pw, pw.emergency_plan, pw.iw.chemicals, 11, 29)
    file(pw, pw.market_plan)
    assert not JointProposal.objects.exists()  # one department alone is no joint inspection
    file(pw, pw.emergency_plan)
    proposal = JointProposal.objects.get()
    assert proposal.enterprise == pw.w.enterprise_a
    assert (proposal.window_start, proposal.window_end) == (dt.date(2026, 5, 11), dt.date(2026, 5, 20))
    assert proposal.status == JointProposal.Status.PROPOSED
    assert set(proposal.entries.values_list("pk", flat=True)) == {market.pk, emergency.pk}
    # The other department's clerk is told; the one who filed is not told of their own act.
    assert Notification.objects.filter(recipient=pw.w.clerk_market, verb="joint_proposal").count() == 1
    assert not Notification.objects.filter(recipient=pw.clerk_emergency, verb="joint_proposal").exists()


def test_entries_whose_windows_do_not_overlap_are_not_proposed(pw):
    add(pw, pw.market_plan, pw.iw.food, 6, 12)
    add(pw, pw.emergency_plan, pw.iw.chemicals, 13, 29)
    file(pw, pw.market_plan)
    file(pw, pw.emergency_plan)
    assert not JointProposal.objects.exists()


def test_entries_for_different_enterprises_are_not_proposed(pw):
    add(pw, pw.market_plan, pw.iw.food, 6, 20)
    add(pw, pw.emergency_plan, pw.iw.chemicals, 6, 20, enterprise=pw.w.enterprise_b)
    file(pw, pw.market_plan)
    file(pw, pw.emergency_plan)
    assert not JointProposal.objects.exists()


def test_draft_entries_are_not_proposed(pw):
    add(pw, pw.market_plan, pw.iw.food, 6, 20)
    add(pw, pw.emergency_plan, pw.iw.chemicals, 6, 20)
    file(pw, pw.market_plan)
    assert joint_services.joint_proposals_match() == []
    assert not JointProposal.objects.exists()


def test_matching_again_creates_nothing_new(pw):
    joint_pair(pw)
    assert joint_services.joint_proposals_match() == []
    assert joint_services.joint_proposals_match(year=2026) == []
    assert JointProposal.objects.count() == 1


def test_two_entries_of_one_department_join_the_same_proposal(pw):
    add(pw, pw.market_plan, pw.iw.food, 6, 20)
    add(pw, pw.market_plan, pw.iw.equipment, 8, 15)
    add(pw, pw.emergency_plan, pw.iw.chemicals, 11, 29)
    file(pw, pw.market_plan)
    file(pw, pw.emergency_plan)
    proposal = JointProposal.objects.get()
    assert proposal.entries.count() == 3
    assert (proposal.window_start, proposal.window_end) == (dt.date(2026, 5, 11), dt.date(2026, 5, 15))


def test_a_partner_is_not_crowded_out_by_the_seeds_own_department(pw):
    # The market's short early entry must not narrow the window so that the emergency
    # bureau's entry, which overlaps the market's long one, is left out.
    long = add(pw, pw.market_plan, pw.iw.food, 6, 29)
    add(pw, pw.market_plan, pw.iw.equipment, 6, 8)
    emergency = add(pw, pw.emergency_plan, pw.iw.chemicals, 18, 29)
    file(pw, pw.market_plan)
    file(pw, pw.emergency_plan)
    proposal = JointProposal.objects.get()
    assert set(proposal.entries.values_list("pk", flat=True)) == {long.pk, emergency.pk}


def test_the_daily_job_is_registered():
    from yancheng.core.jobs import registered_jobs

    joint_services.register_jobs()
    job = next(j for j in registered_jobs() if j.name == "inspections.joint_matching")
    assert job.every == dt.timedelta(days=1)
    assert job.task is joint_services.joint_matching_task


# --- answering proposals -------------------------------------------------------------------------


def test_a_proposal_accepted_by_every_department_is_led_by_the_one_with_most_entries(pw):
    add(pw, pw.market_plan, pw.iw.food, 6, 20)
    add(pw, pw.market_plan, pw.iw.equipment, 6, 20)
    add(pw, pw.emergency_plan, pw.iw.chemicals, 11, 29)
    file(pw, pw.market_plan)
    file(pw, pw.emergency_plan)
    proposal = JointProposal.objects.get()
    proposal = joint_services.joint_proposal_answer(proposal, actor=pw.clerk_emergency, decision="accepted")
    assert proposal.status == JointProposal.Status.PROPOSED  # still waiting for the market bureau
    proposal = joint_services.joint_proposal_answer(proposal, actor=pw.w.clerk_market, decision="accepted")
    assert proposal.status == JointProposal.Status.ACCEPTED
    assert proposal.lead_department == pw.w.market_regulation
    assert Notification.objects.filter(recipient=pw.clerk_emergency, verb="joint_proposal_answer").count() == 1


def test_a_tie_goes_to_the_first_department_to_accept(pw):
    proposal = joint_pair(pw)
    joint_services.joint_proposal_answer(proposal, actor=pw.clerk_emergency, decision="accepted")
    proposal = joint_services.joint_proposal_answer(proposal, actor=pw.w.clerk_market, decision="accepted")
    assert proposal.lead_department == pw.w.emergency_bureau


def test_one_decline_ends_the_proposal_and_its_entries_are_not_proposed_again(pw):
    proposal = joint_pair(pw)
    proposal = joint_services.joint_proposal_answer(proposal, actor=pw.w.clerk_market, decision="declined",
                                              reason="检查内容差异大")
    assert proposal.status == JointProposal.Status.DECLINED and proposal.lead_department is None
    assert Notification.objects.filter(recipient=pw.clerk_emergency, verb="joint_proposal_answer").exists()
    assert joint_services.joint_proposals_match() == []
    with pytest.raises(ConflictError):
        joint_services.joint_proposal_answer(proposal, actor=pw.clerk_emergency, decision="accepted")


def test_declining_needs_a_reason(pw):
    proposal = joint_pair(pw)
    with pytest.raises(ValidationFailed) as exc:
        joint_services.joint_proposal_answer(proposal, actor=pw.w.clerk_market, decision="declined")
    assert exc.value.field == "reason"
    assert not JointAcceptance.objects.exists()


def test_a_department_answers_once(pw):
    proposal = joint_pair(pw)
    joint_services.joint_proposal_answer(proposal, actor=pw.w.clerk_market, decision="accepted")
    with pytest.raises(ConflictError):
        joint_services.joint_proposal_answer(proposal, actor=pw.w.clerk_market, decision="accepted")


def test_a_clerk_of_a_department_outside_the_proposal_cannot_answer(pw):
    proposal = joint_pair(pw)
    with pytest.raises(PermissionDeniedError):
        joint_services.joint_proposal_answer(proposal, actor=pw.w.handler_other, decision="accepted")
    with pytest.raises(NotFoundError):
        plan_access.get_proposal_for(pw.w.handler_other, proposal.pk)
    assert not JointAcceptance.objects.exists()


@pytest.mark.parametrize("persona", ["inspector", "inspector_emergency", "supervisor", "enterprise_a_user"])
def test_only_a_clerk_answers_for_the_department(pw, persona):
    proposal = joint_pair(pw)
    with pytest.raises(PermissionDeniedError):
        joint_services.joint_proposal_answer(proposal, actor=getattr(pw.w, persona), decision="accepted")


# --- preferred slots ------------------------------------------------------------------------------


@pytest.fixture
def announced(pw):
    entry = add(pw, pw.market_plan, pw.iw.food, 6, 20)
    file(pw, pw.market_plan)
    return entry


def test_the_enterprise_picks_a_slot_for_its_announced_inspection(pw, announced):
    slot = slot_services.slot_pick(announced, actor=pw.w.enterprise_a_user, day=dt.date(2026, 5, 7), period="am")
    assert slot.entry == announced and slot.chosen_by == pw.w.enterprise_a_user
    assert list(plan_access.announcements_for(pw.w.enterprise_a_user)) == [announced]
    assert list(plan_access.announcements_for(pw.w.enterprise_b_user)) == []


@pytest.mark.parametrize("persona", ["enterprise_b_user", "clerk_market", "inspector", "supervisor"])
def test_nobody_but_the_enterprises_own_users_picks_its_slots(pw, announced, persona):
    with pytest.raises(PermissionDeniedError):
        slot_services.slot_pick(announced, actor=getattr(pw.w, persona), day=dt.date(2026, 5, 7), period="am")
    assert not TimeSlotPreference.objects.exists()


def test_no_slot_for_an_unannounced_inspection_or_a_draft_plan(pw):
    unannounced = add(pw, pw.market_plan, pw.iw.food, 6, 20, announced=False)
    draft = add(pw, pw.emergency_plan, pw.iw.chemicals, 6, 20)
    file(pw, pw.market_plan)
    for entry in (unannounced, draft):
        with pytest.raises(ValidationFailed):
            slot_services.slot_pick(entry, actor=pw.w.enterprise_a_user, day=dt.date(2026, 5, 7), period="am")
    assert plan_access.announcements_for(pw.w.enterprise_a_user).count() == 0


@pytest.mark.parametrize(("day", "why"), [
    (dt.date(2026, 5, 21), "outside the window"),
    (dt.date(2026, 5, 10), "a Sunday"),
])
def test_a_slot_must_be_a_working_day_inside_the_window(pw, announced, day, why):
    with pytest.raises(ValidationFailed) as exc:
        slot_services.slot_pick(announced, actor=pw.w.enterprise_a_user, day=day, period="am")
    assert exc.value.field == "day", why
    assert not TimeSlotPreference.objects.exists()


def test_a_slot_cannot_be_in_the_past(pw):
    april = plan_services.plan_get_or_create(department=pw.w.market_regulation, year=2026, month=4,
                                        actor=pw.w.clerk_market)
    entry = plan_services.plan_entry_add(april, actor=pw.w.clerk_market, item=pw.iw.food, enterprise=pw.w.enterprise_a,
                                    month=4)  # 1–30 April: it has begun but not ended
    file(pw, april)
    with pytest.raises(ValidationFailed) as exc:
        slot_services.slot_pick(entry, actor=pw.w.enterprise_a_user, day=dt.date(2026, 4, 14), period="pm")
    assert exc.value.field == "day"
    assert slot_services.slot_pick(entry, actor=pw.w.enterprise_a_user, day=dt.date(2026, 4, 16), period="pm")


def test_a_holiday_is_no_slot_but_an_adjusted_working_saturday_is(pw):
    entry = add(pw, pw.market_plan, pw.iw.food, 1, 20)
    file(pw, pw.market_plan)
    with pytest.raises(ValidationFailed):
        slot_services.slot_pick(entry, actor=pw.w.enterprise_a_user, day=dt.date(2026, 5, 4), period="am")  # 劳动节
    assert slot_services.slot_pick(entry, actor=pw.w.enterprise_a_user, day=dt.date(2026, 5, 9), period="pm")  # 调休


def test_at_most_three_slots_per_inspection_and_each_once(pw, announced):
    user = pw.w.enterprise_a_user
    slot_services.slot_pick(announced, actor=user, day=dt.date(2026, 5, 7), period="am")
    with pytest.raises(ConflictError):
        slot_services.slot_pick(announced, actor=user, day=dt.date(2026, 5, 7), period="am")
    slot_services.slot_pick(announced, actor=user, day=dt.date(2026, 5, 7), period="pm")
    slot_services.slot_pick(announced, actor=user, day=dt.date(2026, 5, 8), period="am")
    with pytest.raises(ValidationFailed):
        slot_services.slot_pick(announced, actor=user, day=dt.date(2026, 5, 11), period="am")
    assert announced.slots.count() == 3


def test_the_enterprise_removes_its_own_slot_only(pw, announced):
    slot = slot_services.slot_pick(announced, actor=pw.w.enterprise_a_user, day=dt.date(2026, 5, 7), period="am")
    with pytest.raises(PermissionDeniedError):
        slot_services.slot_remove(slot, actor=pw.w.enterprise_b_user)
    with pytest.raises(NotFoundError):
        plan_access.get_slot_for(pw.w.enterprise_b_user, slot.pk)
    slot_services.slot_remove(slot, actor=pw.w.enterprise_a_user)
    assert not TimeSlotPreference.objects.exists()


def test_plans_and_proposals_are_seen_by_their_own_department_only(pw):
    proposal = joint_pair(pw)
    assert set(plan_access.plans_visible_to(pw.w.inspector)) == {pw.market_plan}
    assert set(plan_access.plans_visible_to(pw.w.inspector_emergency)) == {pw.emergency_plan}
    for persona in ("supervisor", "enterprise_a_user", "handler_power", "handler_other"):
        assert not plan_access.plans_visible_to(getattr(pw.w, persona)).exists(), persona
    with pytest.raises(NotFoundError):
        plan_access.get_plan_for(pw.w.inspector_emergency, pw.market_plan.pk)
    with pytest.raises(PermissionDeniedError):
        plan_access.get_plan_for(pw.w.inspector, pw.market_plan.pk, write=True)
    assert list(plan_access.proposals_visible_to(pw.w.inspector)) == [proposal]
    assert not plan_access.proposals_visible_to(pw.w.supervisor).exists()


def test_nothing_is_written_when_an_item_was_withdrawn_before_filing(pw):
    from yancheng.inspections.services import item_withdraw

    extra = item_create(department=pw.w.market_regulation, code="SC-03", name="计量检查", legal_basis="《计量法》",
                        actor=pw.w.clerk_market, publish=True)
    add(pw, pw.market_plan, extra, 6, 20)
    item_withdraw(extra, actor=pw.w.clerk_market)
    with pytest.raises(ValidationFailed):
        file(pw, pw.market_plan)
    pw.market_plan.refresh_from_db()
    assert pw.market_plan.status == InspectionPlan.Status.DRAFT
