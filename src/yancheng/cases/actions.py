"""The case workflow's actions, written once for the case page (``views.case_act``) and the
API (``api.cases_action``). For each action:

* the guard on the user's standing (``workflow.GUARDS``; the service checks it again);
* how the page reads its inputs (a form of ``forms.py``) and how the API reads them (a JSON
  body; unknown fields are refused), and how either becomes the service's arguments — the
  page names units and cases by choice and number, the API by id;
* the service it calls, with the version the page or the ``If-Match`` header carried;
* the page's words: heading, button, explanation, and the message after it is done.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict, Field

from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor

from . import forms, services
from .models import Case, ExtensionRequest, Satisfaction, Urgency
from .subjects import worked_elsewhere_kinds
from .workflow import GUARDS, Standing

Inputs = Mapping[str, Any]

# --- the API's bodies: one per action, every one refusing unknown fields ----------------------------

_Id = Field(..., ge=1, le=2**31 - 1)
_Text = Field(..., min_length=1, max_length=5_000)


class ActionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssignIn(ActionBody):
    lead_org: int = _Id
    co_orgs: list[int] = Field(default_factory=list, max_length=20)
    co_instruction: str = Field("", max_length=500)
    urgency: Urgency | None = None
    accept_days: int | None = Field(None, ge=0, le=30)
    solve_days: int | None = Field(None, ge=1, le=365)
    note: str = Field("", max_length=5_000)


class NoteOptionalIn(ActionBody):
    note: str = Field("", max_length=5_000)


class ReasonIn(ActionBody):
    reason: str = _Text


class ReasonOptionalIn(ActionBody):
    reason: str = Field("", max_length=5_000)


class ReassignIn(ActionBody):
    lead_org: int = _Id
    solve_days: int | None = Field(None, ge=1, le=365)
    note: str = Field("", max_length=5_000)


class NoteIn(ActionBody):
    note: str = _Text


class ExtensionRequestIn(ActionBody):
    working_days: int = Field(..., ge=1, le=services.MAX_EXTENSION_DAYS)
    reason: str = _Text


class ExtensionDecisionIn(ActionBody):
    approve: bool
    note: str = Field("", max_length=500)


class CompleteTaskIn(ActionBody):
    result: str = _Text


class ResolveIn(ActionBody):
    resolution: str = Field(..., min_length=1, max_length=20_000)


class RateIn(ActionBody):
    satisfaction: Satisfaction
    comment: str = Field("", max_length=500)


class RevisitIn(ActionBody):
    solved: bool
    note: str = Field("", max_length=5_000)


class MergeIn(ActionBody):
    into: int = _Id
    note: str = Field("", max_length=5_000)


class AddNoteIn(ActionBody):
    note: str = _Text
    internal: bool = False


# --- from the inputs to the service's arguments -------------------------------------------------------


def unit(pk: int, field: str) -> Organisation:
    """A unit that may handle cases (any active organisation but an enterprise), by id."""
    org = (
        Organisation.objects.filter(pk=pk, is_active=True).exclude(kind=Organisation.Kind.ENTERPRISE).first()
    )
    if org is None:
        raise ValidationFailed(_("承办单位不存在或不可选。"), field=field)
    return org


def _as_posted(user: Actor, data: Inputs) -> Inputs:
    return data


def _as_sent(user: Actor, body: Any) -> Inputs:
    return dict(body)


def _assign_sent(user: Actor, body: Any) -> Inputs:
    lead_org = unit(body.lead_org, "lead_org")
    return dict(body) | {
        "lead_org": lead_org, "co_orgs": [unit(pk, "co_orgs") for pk in dict.fromkeys(body.co_orgs)],
    }


def _reassign_sent(user: Actor, body: Any) -> Inputs:
    return dict(body) | {"lead_org": unit(body.lead_org, "lead_org")}


def _merge_posted(user: Actor, data: Inputs) -> Inputs:
    number = data["into"].strip().upper()
    target = Case.objects.visible_to(user).filter(number=number).first()
    if target is None:
        raise ValidationFailed(_("没有找到编号为 %(n)s 的事项。") % {"n": number}, field="into")
    return {**data, "into": target}


def _merge_sent(user: Actor, body: Any) -> Inputs:
    target = Case.objects.visible_to(user).filter(pk=body.into).first()
    if target is None:
        raise ValidationFailed(_("要并入的事项不存在或您无权查看。"), field="into")
    return dict(body) | {"into": target}


# --- whether an action applies to the case now (beyond its status and the user's standing) ------------


def _always(case: Case) -> bool:
    return True


def _has_pending_extension(case: Case) -> bool:
    return any(e.status == ExtensionRequest.Decision.PENDING for e in case.extensions.all())


def _revisit_is_due(case: Case) -> bool:
    """回访 is asked N days after the rating (the policy's revisit delay), not the moment
    the enterprise rates."""
    if case.revisit_asked_at is not None:
        return True
    return case.revisit_due_at is not None and case.revisit_due_at <= timezone.now()


# --- the table --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CaseAction:
    """One step a user may take on a case, as both the page and the API take it."""

    name: str
    form: type[forms.ActionForm]
    body: type[ActionBody]
    call: Callable[[Case, Any, Inputs, int | None], object]
    done: Callable[[Inputs], str]
    heading: Any
    button: Any
    help: Any = ""
    unfolded: bool = False  # shown open on the page: the step the user most likely came for
    from_form: Callable[[Any, Inputs], Inputs] = _as_posted
    from_body: Callable[[Any, Any], Inputs] = _as_sent
    # Offered on the page and listed by the API only when this holds: no 审核延期申请 form
    # without a pending request, no 回访 question before it is due.
    applies: Callable[[Case], bool] = _always

    def allowed_for(self, standing: Standing) -> bool:
        return GUARDS[self.name](standing)

    def perform(self, case: Case, user: Any, inputs: Inputs, version: int | None) -> object:
        """The step as the page and the API take it: refused for a kind its module works on its
        own pages (``subjects.register_case_home``), whose steps carry notices this table skips."""
        if case.kind in worked_elsewhere_kinds():
            raise ConflictError(_("该事项在其所属模块的页面办理，请从那里操作。"), code="worked_elsewhere")
        return self.call(case, user, inputs, version)


def offered_actions(case: Case, allowed: Iterable[str]) -> list[str]:
    """Of the actions the workflow allows, those that apply to the case as it is now (none for
    a kind worked on its module's pages)."""
    if case.kind in worked_elsewhere_kinds():
        return []
    return [name for name in allowed if CASE_ACTIONS[name].applies(case)]


_ACTIONS = (
    CaseAction(
        "withdraw", forms.WithdrawForm, ReasonOptionalIn,
        lambda c, u, d, v: services.case_withdraw(c, actor=u, reason=d["reason"], expected_version=v),
        lambda d: _("已撤回。"),
        gettext_lazy("撤回"), gettext_lazy("撤回"), gettext_lazy("承办单位签收前可以撤回。"),
    ),
    CaseAction(
        "assign", forms.AssignForm, AssignIn,
        lambda c, u, d, v: services.case_assign(
            c, actor=u, lead_org=d["lead_org"], co_orgs=list(d["co_orgs"]), co_instruction=d["co_instruction"],
            urgency=d["urgency"] or None, accept_days=d["accept_days"], solve_days=d["solve_days"],
            note=d["note"], expected_version=v,
        ),
        lambda d: _("已交办给%(org)s。") % {"org": d["lead_org"].name},
        gettext_lazy("交办"), gettext_lazy("交办"),
        gettext_lazy("指定一个主办单位，可加协办单位；签收和办结时限从交办时起算。"), unfolded=True,
        from_body=_assign_sent,
    ),
    CaseAction(
        "accept", forms.PlainForm, NoteOptionalIn,
        lambda c, u, d, v: services.case_accept(c, actor=u, note=d.get("note", ""), expected_version=v),
        lambda d: _("已签收。"),
        gettext_lazy("签收"), gettext_lazy("签收"), gettext_lazy("确认本单位承办此事项。签收后不能再退回。"),
        unfolded=True,
    ),
    CaseAction(
        "return", forms.ReturnForm, ReasonIn,
        lambda c, u, d, v: services.case_return(c, actor=u, reason=d["reason"], expected_version=v),
        lambda d: _("已退回，等待受理单位审核。"),
        gettext_lazy("退回"), gettext_lazy("退回"), gettext_lazy("不属于本单位职责时，在异议时限内退回受理单位审核。"),
    ),
    CaseAction(
        "reassign", forms.ReassignForm, ReassignIn,
        lambda c, u, d, v: services.case_reassign(
            c, actor=u, lead_org=d["lead_org"], solve_days=d.get("solve_days"), note=d["note"], expected_version=v,
        ),
        lambda d: _("已改派给%(org)s。") % {"org": d["lead_org"].name},
        gettext_lazy("改派"), gettext_lazy("改派"), gettext_lazy("交给另一个主办单位，时限重新起算。"),
        from_body=_reassign_sent,
    ),
    CaseAction(
        "insist", forms.InsistForm, NoteIn,
        lambda c, u, d, v: services.case_insist(c, actor=u, note=d["note"], expected_version=v),
        lambda d: _("已维持交办。"),
        gettext_lazy("维持交办"), gettext_lazy("维持交办"), gettext_lazy("退回理由不成立：仍由原主办单位办理，时限重新起算。"),
        unfolded=True,
    ),
    CaseAction(
        "request_extension", forms.ExtensionRequestForm, ExtensionRequestIn,
        lambda c, u, d, v: services.case_request_extension(
            c, actor=u, working_days=d["working_days"], reason=d["reason"], expected_version=v,
        ),
        lambda d: _("延期申请已提交。"),
        gettext_lazy("申请延期"), gettext_lazy("提交延期申请"), gettext_lazy("说明理由，由受理单位审核。"),
        applies=lambda case: not _has_pending_extension(case),
    ),
    CaseAction(
        "decide_extension", forms.DecideExtensionForm, ExtensionDecisionIn,
        lambda c, u, d, v: services.case_decide_extension(
            c, actor=u, approve=d["approve"], note=d["note"], expected_version=v,
        ),
        lambda d: _("已批准延期。") if d["approve"] else _("已不批准延期。"),
        gettext_lazy("审核延期申请"), gettext_lazy("提交审核"), gettext_lazy("批准后办结期限顺延，企业会收到通知。"),
        unfolded=True, applies=_has_pending_extension,
    ),
    CaseAction(
        "suspend", forms.SuspendForm, ReasonIn,
        lambda c, u, d, v: services.case_suspend(c, actor=u, reason=d["reason"], expected_version=v),
        lambda d: _("已挂起，停止计时。"),
        gettext_lazy("挂起"), gettext_lazy("挂起"), gettext_lazy("等待企业补充材料或听证期间挂起，停止计时。"),
    ),
    CaseAction(
        "resume", forms.ResumeForm, NoteOptionalIn,
        lambda c, u, d, v: services.case_resume(c, actor=u, note=d["note"], expected_version=v),
        lambda d: _("已恢复计时。"),
        gettext_lazy("恢复计时"), gettext_lazy("恢复计时"), gettext_lazy("挂起的工作日计入时限，期限相应顺延。"),
    ),
    CaseAction(
        "complete_task", forms.CompleteTaskForm, CompleteTaskIn,
        lambda c, u, d, v: services.case_complete_task(c, actor=u, result=d["result"], expected_version=v),
        lambda d: _("协办任务已完成。"),
        gettext_lazy("完成协办任务"), gettext_lazy("提交协办结果"),
        gettext_lazy("本单位的协办任务完成后提交结果，主办单位方可办结。"), unfolded=True,
    ),
    CaseAction(
        "resolve", forms.ResolveForm, ResolveIn,
        lambda c, u, d, v: services.case_resolve(
            c, actor=u, resolution=d["resolution"], attachments=d.get("attachments", ()), expected_version=v,
        ),
        lambda d: _("已办结，等待企业评价。"),
        gettext_lazy("办结"), gettext_lazy("办结"),
        gettext_lazy("填写办理结果，交企业确认评价。协办任务全部完成后才能办结。"), unfolded=True,
    ),
    CaseAction(
        "rate", forms.RateForm, RateIn,
        lambda c, u, d, v: services.case_rate(
            c, actor=u, satisfaction=d["satisfaction"], comment=d["comment"], expected_version=v,
        ),
        lambda d: _("感谢您的评价。"),
        gettext_lazy("确认并评价"), gettext_lazy("提交评价"), gettext_lazy("满意或基本满意即结案；不满意时事项重新办理。"),
        unfolded=True,
    ),
    CaseAction(
        "revisit", forms.RevisitForm, RevisitIn,
        lambda c, u, d, v: services.case_revisit(c, actor=u, solved=d["solved"], note=d["note"], expected_version=v),
        lambda d: _("回访已记录。"),
        gettext_lazy("回访"), gettext_lazy("提交回访"), gettext_lazy("问题是否真正解决？未解决时事项重新办理。"),
        unfolded=True, applies=_revisit_is_due,
    ),
    CaseAction(
        "urge", forms.UrgeForm, NoteOptionalIn,
        lambda c, u, d, v: services.case_urge(c, actor=u, note=d["note"], expected_version=v),
        lambda d: _("已催办。"),
        gettext_lazy("催办"), gettext_lazy("催办"), gettext_lazy("每个工作日可以催办一次。"),
    ),
    CaseAction(
        "merge", forms.MergeForm, MergeIn,
        lambda c, u, d, v: services.case_merge(c, actor=u, into=d["into"], note=d["note"], expected_version=v),
        lambda d: _("已并入 %(n)s。") % {"n": d["into"].number},
        gettext_lazy("并单"), gettext_lazy("并入"), gettext_lazy("重复事项并入另一个未办结的事项，提交人都会收到通知。"),
        from_form=_merge_posted, from_body=_merge_sent,
    ),
    CaseAction(
        "note", forms.NoteForm, AddNoteIn,
        lambda c, u, d, v: services.case_add_note(
            c, actor=u, note=d["note"], internal=bool(d.get("internal")), expected_version=v,
        ),
        lambda d: _("已添加备注。"),
        gettext_lazy("添加备注"), gettext_lazy("添加备注"),
    ),
)

# In the API's order (its schema lists the bodies so).
CASE_ACTIONS: dict[str, CaseAction] = {action.name: action for action in _ACTIONS}

# The order of the forms on the case page, as people work through a case.
PAGE_ORDER = ("assign", "accept", "resolve", "complete_task", "rate", "revisit", "decide_extension", "insist",
              "reassign", "return", "request_extension", "suspend", "resume", "urge", "merge", "withdraw", "note")
