"""The handling steps offered on a matter's page, as one table. For each step: the
permission (``permissions.py``; the service checks it again, audited), when it applies to
the matter as it is now (its stage, and its case's state), the form that reads it, the
service it calls with the version the page showed, and the page's words."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import rules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yancheng.cases.models import Case, ExtensionRequest, Status
from yancheng.core.errors import ConflictError
from yancheng.core.typing import Actor

from . import forms_handling as f
from . import handling, reviews
from .models import ClaimRoute, Petition, PetitionReview, PetitionType, Stage, TransferMode
from .workflow import can_move, has_reviews

Inputs = Mapping[str, Any]


def _case_status(p: Petition) -> str:
    return p.case.status if p.case is not None else ""


def _pending_extension(case: Case | None) -> bool:
    return case is not None and case.extensions.filter(status=ExtensionRequest.Decision.PENDING).exists()


def _paused(case: Case | None) -> bool:
    return case is not None and case.suspended_at is not None


def _transferable(p: Petition) -> bool:
    """Registered, classified, and not a 申诉求决 matter of another legal channel (第三十一条
    (一)–(五) get a 不予受理告知书 instead): what ``petition_transfer`` accepts."""
    if not can_move(p.stage, "transfer") or not p.petition_type:
        return False
    return p.petition_type != PetitionType.CLAIM or p.claim_route == ClaimRoute.PETITION


def _handling_now(p: Petition) -> bool:
    return p.stage == Stage.ACCEPTED and p.case is not None


def review_case(p: Petition) -> Case | None:
    """The case of the pending 复查 (复核), while the matter is at that stage."""
    if p.stage not in (Stage.REVIEWING, Stage.RECHECKING):
        return None
    review = f.pending_review(p)
    return review.case if review is not None else None


def _the_review(p: Petition) -> PetitionReview:
    review = f.pending_review(p)
    if review is None:
        raise ConflictError(_("没有待作出意见的复查、复核申请。"), code="no_review")
    return review


@dataclasses.dataclass(frozen=True)
class PetitionAction:
    name: str
    perm: str
    applies: Callable[[Petition], bool]
    form: type[f.HandlingForm]
    call: Callable[[Petition, Actor, Inputs, int | None], object]
    done: Callable[[Inputs], str]
    heading: Any
    button: Any
    help: Any = ""
    unfolded: bool = False
    danger: bool = False

    def offered_to(self, user: Actor, petition: Petition) -> bool:
        return self.applies(petition) and rules.has_perm(self.perm, user, petition)


def _decide_review(p: Petition, u: Actor, d: Inputs, v: int | None) -> object:
    return reviews.review_decide(_the_review(p), actor=u, outcome=d["outcome"], facts=d["facts"],
                                 reasons=d["reasons"], legal_basis=d["legal_basis"], expected_version=v)


_ACTIONS = (
    PetitionAction(
        "transfer", "petitions.transfer", _transferable, f.TransferForm,
        lambda p, u, d, v: handling.petition_transfer(
            p, actor=u, organ=d["organ"], mode=d["mode"], instruction=d["instruction"],
            report_days=d["report_days"] if d["mode"] == TransferMode.ASSIGN else None, expected_version=v),
        lambda d: _("已转送交办给%(o)s。") % {"o": d["organ"].name},
        gettext_lazy("转送交办"), gettext_lazy("转送交办"),
        gettext_lazy("登记之日起15日内转送或交办有权处理的机关；交办的须报送办结报告。检举控告类不得交给被检举控告的机关。"),
        unfolded=True,
    ),
    PetitionAction(
        "accept", "petitions.handle", lambda p: p.stage == Stage.TRANSFERRED and _case_status(p) == Status.ASSIGNED,
        f.PlainNoteForm,
        lambda p, u, d, v: handling.petition_accept(p, actor=u, note=d["note"], expected_version=v),
        lambda d: _("已受理，请送达受理告知书。"),
        gettext_lazy("受理"), gettext_lazy("受理"),
        gettext_lazy("收到之日起15日内告知信访人是否受理；受理后生成受理告知书。"), unfolded=True,
    ),
    PetitionAction(
        "refuse", "petitions.handle", lambda p: p.stage == Stage.TRANSFERRED and _case_status(p) == Status.ASSIGNED,
        f.ReasonForm,
        lambda p, u, d, v: handling.petition_refuse(p, actor=u, reason=d["reason"], expected_version=v),
        lambda d: _("已决定不予受理，请送达不予受理告知书。"),
        gettext_lazy("不予受理"), gettext_lazy("不予受理"), gettext_lazy("说明理由，生成不予受理告知书。"),
        danger=True,
    ),
    PetitionAction(
        "object", "petitions.handle", lambda p: p.stage == Stage.TRANSFERRED and _case_status(p) == Status.ASSIGNED,
        f.ReasonForm,
        lambda p, u, d, v: handling.petition_object(p, actor=u, reason=d["reason"], expected_version=v),
        lambda d: _("已提出异议，等待信访部门审核。"),
        gettext_lazy("提出异议"), gettext_lazy("提出异议"),
        gettext_lazy("认为不属于本机关职责的，自收到之日起5个工作日内提出异议（《信访工作条例》第二十三条）。"),
    ),
    PetitionAction(
        "decide_objection", "petitions.decide_objection",
        lambda p: p.stage == Stage.TRANSFERRED and _case_status(p) == Status.RETURNED, f.DecideObjectionForm,
        lambda p, u, d, v: handling.petition_decide_objection(
            p, actor=u, uphold=d["uphold"], organ=d["organ"], note=d["note"], expected_version=v),
        lambda d: _("异议成立，已改由%(o)s办理。") % {"o": d["organ"].name} if d["uphold"] else _("已维持原办理机关。"),
        gettext_lazy("审核异议"), gettext_lazy("提交审核意见"),
        gettext_lazy("仍有争议的，报共同的上一级机关或信访工作联席会议协调决定。"), unfolded=True,
    ),
    PetitionAction(
        "request_extension", "petitions.handle",
        lambda p: _handling_now(p) and not _pending_extension(p.case), f.ExtensionRequestForm,
        lambda p, u, d, v: handling.petition_request_extension(p, actor=u, days=d["days"], reason=d["reason"],
                                                               expected_version=v),
        lambda d: _("延期申请已提交本机关负责人。"),
        gettext_lazy("申请延期"), gettext_lazy("提交延期申请"),
        gettext_lazy("情况复杂的，经本机关负责人批准可延长，累计不超过30日，并告知信访人延期理由。"),
    ),
    PetitionAction(
        "decide_extension", "petitions.approve_extension", lambda p: _handling_now(p) and _pending_extension(p.case),
        f.DecideExtensionForm,
        lambda p, u, d, v: handling.petition_decide_extension(p, actor=u, approve=d["approve"], note=d["note"],
                                                              expected_version=v),
        lambda d: _("已批准延期，请送达延期告知书。") if d["approve"] else _("已不批准延期。"),
        gettext_lazy("审批延期"), gettext_lazy("提交审批"), unfolded=True,
    ),
    PetitionAction(
        "hearing_start", "petitions.handle", lambda p: _handling_now(p) and not _paused(p.case), f.HearingStartForm,
        lambda p, u, d, v: handling.petition_hearing_start(p, actor=u, reason=d["reason"], expected_version=v),
        lambda d: _("听证开始，办理期限暂停计算。"),
        gettext_lazy("组织听证"), gettext_lazy("开始听证"), gettext_lazy("听证所需时间不计入办理期限。"),
    ),
    PetitionAction(
        "hearing_end", "petitions.handle", lambda p: _handling_now(p) and _paused(p.case), f.PlainNoteForm,
        lambda p, u, d, v: handling.petition_hearing_end(p, actor=u, note=d["note"], expected_version=v),
        lambda d: _("听证结束，办理期限继续计算。"),
        gettext_lazy("结束听证"), gettext_lazy("结束听证"), unfolded=True,
    ),
    PetitionAction(
        "answer", "petitions.handle", lambda p: _handling_now(p) and not _paused(p.case), f.AnswerForm,
        lambda p, u, d, v: handling.petition_answer(
            p, actor=u, outcome=d["outcome"], facts=d["facts"], reasons=d["reasons"],
            legal_basis=d["legal_basis"], result_text=d["result_text"], expected_version=v),
        lambda d: _("已出具处理意见，请送达信访人。"),
        gettext_lazy("出具处理意见"), gettext_lazy("出具处理意见"),
        gettext_lazy("写明诉求、事实、理由、处理结果和依据；调解、和解的生成协议书。"), unfolded=True,
    ),
    PetitionAction(
        "report", "petitions.file_report",
        lambda p: p.transfer_mode == TransferMode.ASSIGN and p.report_received_at is None and bool(p.outcome),
        f.ReportForm,
        lambda p, u, d, v: handling.petition_receive_report(p, actor=u, summary=d["summary"], expected_version=v),
        lambda d: _("办结报告已报送。"),
        gettext_lazy("报送办结报告"), gettext_lazy("报送"), gettext_lazy("交办事项办结后向交办的信访部门报送办结报告。"),
        unfolded=True,
    ),
    PetitionAction(
        "request_review", "petitions.request_review",
        lambda p: has_reviews(p.petition_type, p.claim_route) and p.stage in (Stage.ANSWERED, Stage.REVIEWED),
        f.ReviewRequestForm,
        lambda p, u, d, v: reviews.review_request(
            p, actor=u, level="review" if p.stage == Stage.ANSWERED else "recheck", requested_on=d["requested_on"],
            request=d["request"], organ=d["organ"], expected_version=v),
        lambda d: _("已登记申请，转交%(o)s办理。") % {"o": d["organ"].name},
        gettext_lazy("登记复查（复核）申请"), gettext_lazy("登记申请"),
        gettext_lazy("信访人自收到书面答复之日起30日内提出；复核须在复查意见之后。"),
    ),
    PetitionAction(
        "review_request_extension", "petitions.handle_review",
        lambda p: review_case(p) is not None and not _pending_extension(review_case(p)), f.ExtensionRequestForm,
        lambda p, u, d, v: reviews.review_request_extension(_the_review(p), actor=u, days=d["days"],
                                                            reason=d["reason"], expected_version=v),
        lambda d: _("延期申请已提交本机关负责人。"),
        gettext_lazy("申请延长复查（复核）期限"), gettext_lazy("提交延期申请"),
        gettext_lazy("情况复杂的，经本机关负责人批准可延长，累计不超过30日，并告知信访人延期理由。"),
    ),
    PetitionAction(
        "review_decide_extension", "petitions.approve_review_extension",
        lambda p: _pending_extension(review_case(p)), f.DecideExtensionForm,
        lambda p, u, d, v: reviews.review_decide_extension(_the_review(p), actor=u, approve=d["approve"],
                                                           note=d["note"], expected_version=v),
        lambda d: _("已批准延期，请送达延期告知书。") if d["approve"] else _("已不批准延期。"),
        gettext_lazy("审批复查（复核）延期"), gettext_lazy("提交审批"), unfolded=True,
    ),
    PetitionAction(
        "review_hearing_start", "petitions.handle_review",
        lambda p: review_case(p) is not None and not _paused(review_case(p)), f.HearingStartForm,
        lambda p, u, d, v: reviews.review_hearing_start(_the_review(p), actor=u, reason=d["reason"],
                                                        expected_version=v),
        lambda d: _("听证开始，复查（复核）期限暂停计算。"),
        gettext_lazy("组织听证"), gettext_lazy("开始听证"), gettext_lazy("听证所需时间不计入复查（复核）期限。"),
    ),
    PetitionAction(
        "review_hearing_end", "petitions.handle_review", lambda p: _paused(review_case(p)), f.PlainNoteForm,
        lambda p, u, d, v: reviews.review_hearing_end(_the_review(p), actor=u, note=d["note"], expected_version=v),
        lambda d: _("听证结束，复查（复核）期限继续计算。"),
        gettext_lazy("结束听证"), gettext_lazy("结束听证"), unfolded=True,
    ),
    PetitionAction(
        "decide_review", "petitions.decide_review",
        lambda p: p.stage in (Stage.REVIEWING, Stage.RECHECKING) and not _paused(review_case(p)),
        f.ReviewDecideForm, _decide_review,
        lambda d: _("已出具意见，请送达信访人。"),
        gettext_lazy("出具复查（复核）意见"), gettext_lazy("出具意见"),
        gettext_lazy("自收到申请之日起30日内作出；复核意见为终结意见。"), unfolded=True,
    ),
)

PETITION_ACTIONS: dict[str, PetitionAction] = {a.name: a for a in _ACTIONS}


def offered(user: Actor, petition: Petition) -> list[PetitionAction]:
    """The steps the user may take on the matter now, in the order people work through it."""
    return [a for a in _ACTIONS if a.offered_to(user, petition)]
