"""提交: a case is reported and goes to the receiving unit's inbox."""

from __future__ import annotations

import rules
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_batch
from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Enterprise, Organisation, Role
from yancheng.core.typing import Actor

from .. import notify
from ..intake import default_dispatch_org, next_case_number
from ..models import PETITION_KINDS, Case, CaseKind, Urgency
from ..permissions import CHAIN_OFFICE_KINDS
from ..steps import Step, record_event
from ..workflow import Standing
from .common import DESCRIPTION_MAX, TITLE_MAX, is_within

# --- submit ------------------------------------------------------------------------------------------


def case_submit(
    *,
    actor: Actor | None,
    title: str,
    description: str,
    kind: str = CaseKind.PROJECT_PROBLEM,
    urgency: str = Urgency.NORMAL,
    subject: str = "",
    subject_ref: str = "",
    enterprise: Enterprise | None = None,
    dispatch_org: Organisation | None = None,
    reporter_org: Organisation | None = None,
    withheld_from: Organisation | None = None,
) -> Case:
    """An enterprise (or a unit on its behalf) reports a problem: it goes to the receiving
    unit's inbox as 待受理.

    ``reporter_org`` is for system callers only (``actor`` None: a domain module such as
    petitions, which checked its own permission first): the case is reported by that
    organisation, in its region. ``withheld_from``: an organisation that must never see the
    case, nor its sub-units (检举控告: the organ complained about)."""
    if reporter_org is not None and actor is not None:
        raise ValueError("case_submit(reporter_org=...) is for system callers (actor=None) only")
    if actor is not None and actor.role == Role.CHAIN_OFFICE:
        # A 链办 raises chain-level problems and its meetings' tasks, and receives them itself
        # (it dispatches them: permissions.chain_office_dispatches); nothing else.
        if kind not in CHAIN_OFFICE_KINDS:
            raise PermissionDeniedError(_("链办只能提出产业链问题和会议交办事项。"))
        dispatch_org = actor.organisation
    elif actor is not None and not rules.has_perm("cases.report_case", actor):
        raise PermissionDeniedError(_("您不能提交事项。"))
    title = clean_text(title, field="title", max_length=TITLE_MAX, required=_("请填写标题。"))
    description = clean_text(description, field="description", max_length=DESCRIPTION_MAX, required=_("请描述问题。"))
    if kind not in CaseKind.values:
        raise ValidationFailed(_("未知的事项类型。"), field="kind")
    if actor is not None and kind in PETITION_KINDS:
        # 信访事项 are registered in the petitions module, which opens their case itself.
        raise ValidationFailed(_("信访事项请在信访模块登记。"), field="kind")
    if urgency not in Urgency.values:
        raise ValidationFailed(_("未知的紧急程度。"), field="urgency")
    if actor is not None and actor.role == Role.ENTERPRISE:
        if actor.organisation_id is None:
            raise ValidationFailed(_("您的账号没有关联企业。"))
        try:
            # With where it goes and its region (the answer shows both); get(), not first():
            # one row at most (a one-to-one), no sort.
            own = Enterprise.objects.select_related("park", "region").get(organisation_id=actor.organisation_id)
        except Enterprise.DoesNotExist:
            raise ValidationFailed(_("您的账号没有关联企业。")) from None
        if actor.organisation is not None:
            own.organisation = actor.organisation  # the same row (the filter above), read with the user
        if enterprise is not None and enterprise.pk != own.pk:
            raise PermissionDeniedError(_("只能为本企业提交事项。"))
        enterprise = own
        if kind != CaseKind.INSPECTION_COMPLAINT:
            # An enterprise does not choose who receives it. A complaint about an inspection
            # is the exception: the inspections app addresses it to the supervising
            # organisation (the 司法局) — never the views or the API, which pass none.
            dispatch_org = None
    elif (
        actor is not None
        and enterprise is not None
        and not Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists()
    ):
        raise PermissionDeniedError(_("只能为本辖区可见的企业登记事项。"))
    # The enterprise is the reporting side even when a unit registers the case on its behalf
    # (a phone call to the park): it sees the case, confirms and rates it.
    system_reporter = reporter_org is not None  # a system caller's organisation (no actor: checked above)
    if not system_reporter:
        if enterprise is not None and enterprise.organisation is not None:
            reporter_org = enterprise.organisation
        else:
            reporter_org = actor.organisation if actor is not None else None
    if reporter_org is None:
        raise ValidationFailed(_("缺少提交单位。"))
    receiver = dispatch_org or default_dispatch_org(enterprise, reporter_org)
    if withheld_from is not None and is_within(receiver, withheld_from):
        raise ValidationFailed(_("受理单位须回避本事项，不能由其受理。"), field="dispatch_org")
    now = timezone.now()
    # One chain append for the case's record and its notification's (audit_batch). No
    # savepoint when nested (the API's idempotent request, a meeting's decisions): every
    # check that can refuse is done above, so a failure below is unexpected and must roll
    # back the caller's transaction with it.
    with transaction.atomic(savepoint=False), audit_batch():
        # Read who is told before taking the year's counter, which stays locked (as the
        # audit chain's lock does) until the commit: others wait only on the writes.
        audience = notify.submitted_audience(receiver, actor=actor, kind=kind)
        case = Case.objects.create(
            number=next_case_number(now),
            kind=kind,
            urgency=urgency,
            title=title,
            description=description,
            subject=(subject or "").strip()[:200],
            subject_ref=(subject_ref or "")[:64],
            reporter=actor,
            reporter_org=reporter_org,
            enterprise=enterprise,
            region=enterprise.region if enterprise is not None else (
                reporter_org.region if system_reporter else receiver.region
            ),
            dispatch_org=receiver,
            withheld_from=withheld_from,
        )
        step = Step(case, actor, "submit", Standing(), "")
        record_event(step, data={"dispatch_org": receiver.pk})
        notify.case_submitted(case, actor=actor, audience=audience)
    return case
