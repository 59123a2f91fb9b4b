"""明责 and 化解: a matter goes to the organ that handles it (转送 or 交办, 第二十二条), which
says whether it accepts it (受理告知, 第二十三条), may object to a wrong assignment within
5个工作日, handles it within 60日 of 受理 (+30 with its head's approval, 听证 not counted,
第三十四条) and answers with a 处理意见书 or an agreement (第三十二、三十三条).

The handling runs on the case engine: each step here calls the engine's own service on the
matter's case (``Petition.case``), in the same transaction, and moves the matter's stage
(``workflow.py``). The 信访部门 is the case's dispatcher; the handling organ its lead unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import rules
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.cases import services as cases
from yancheng.cases.models import Case, CaseKind, ExtensionRequest, Status
from yancheng.core import calendar
from yancheng.core.audit.services import audit_batch
from yancheng.core.errors import ConflictError, PermissionDeniedError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Organisation, Role, User
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor

from . import events
from .documents import compose_body, document_issue
from .models import (
    ClaimRoute,
    DocumentKind,
    Outcome,
    Petition,
    PetitionDocument,
    PetitionReview,
    PetitionType,
    Stage,
    TransferMode,
)
from .workflow import answered_stage, can_move, has_reviews, target_of

INSTRUCTION_MAX = 2_000
TEXT_MAX = 10_000
REASON_MAX = 500
DEFAULT_REPORT_DAYS = 90  # 交办: 15日 to accept + 60日 to handle + 15日 to write the 办结报告
MAX_REPORT_DAYS = 180
AGREEMENT_OUTCOMES = frozenset({Outcome.MEDIATION, Outcome.SETTLEMENT})
OPINION_OUTCOMES = frozenset({Outcome.SUPPORT, Outcome.EXPLAIN, Outcome.REJECT})


# --- the frame every step here runs in -----------------------------------------------------------------


@dataclass
class Locked:
    petition: Petition
    before_stage: str
    changed: set[str]

    def set(self, **values: object) -> None:
        for name, value in values.items():
            if getattr(self.petition, name) != value:
                setattr(self.petition, name, value)
                self.changed.add(name)


def stale_check(petition: Petition, expected_version: int | None) -> None:
    if expected_version is not None and petition.version != expected_version:
        raise ConflictError(_("该信访事项已被他人更新，请刷新后再操作。"), code="stale_version")


def stage_refusal(petition: Petition) -> ConflictError:
    return ConflictError(
        _("该信访事项当前环节为“%(s)s”，不能执行此操作（可能已被他人处理），请刷新查看。")
        % {"s": petition.get_stage_display()},
        code="invalid_stage",
    )


@contextmanager
def step(
    petition: Petition, *, actor: Actor | None, perm: str, move: str | None = None,
    expected_version: int | None = None,
) -> Iterator[Locked]:
    """Check the permission on the matter as it is now (audited, before the transaction so
    the refusal's record stays), then lock it, check the version and the stage, and save the
    changed fields with the version bumped."""
    current = Petition.objects.filter(pk=petition.pk).first()
    if current is None:
        raise ConflictError(_("该信访事项不存在。"), code="not_found")
    require(actor, perm, current)
    with transaction.atomic(), audit_batch():
        locked = Petition.objects.select_for_update().get(pk=petition.pk)
        if actor is not None and not rules.has_perm(perm, actor, locked):  # changed while we waited
            raise PermissionDeniedError(_("您没有执行此操作的权限。"))
        stale_check(locked, expected_version)
        if move is not None and not can_move(locked.stage, move):
            raise stage_refusal(locked)
        frame = Locked(locked, locked.stage, set())
        yield frame
        if frame.changed:
            locked.version += 1
            locked.save(update_fields=sorted(frame.changed | {"version", "updated_at"}))
    for name in frame.changed | {"version"}:
        setattr(petition, name, getattr(locked, name))


def petition_url(petition: Petition) -> str:
    return reverse("petitions:petition_detail", args=[petition.pk])


def neutral_title(petition: Petition, *, prefix: str = "") -> str:
    """The handling case's title. A 检举控告's says nothing of its content (the case title
    reaches audit records and notifications)."""
    if petition.is_accusation:
        return _("%(p)s检举控告类信访事项 %(n)s") % {"p": prefix, "n": petition.number}
    return (_("%(p)s信访事项 %(n)s：%(t)s") % {"p": prefix, "n": petition.number, "t": petition.title})[:200]


def case_description(petition: Petition, text: str) -> str:
    """The handling case's description: the request, or for a 检举控告 only a pointer to the
    matter (the engine's notifications quote the description)."""
    if petition.is_accusation:
        return _("检举控告内容见信访事项 %(n)s。") % {"n": petition.number}
    return text


def office_staff(petition: Petition) -> list[User]:
    return list(User.objects.filter(organisation_id=petition.registering_org_id, role=Role.PETITION, is_active=True))


def tell_office(petition: Petition, *, actor: Actor | None, verb: str, title: str) -> None:
    """The 信访部门 that registered the matter is told (no content, no personal data)."""
    notify(recipients=office_staff(petition), verb=verb, title=title, url=petition_url(petition), obj=petition,
           actor=actor, email=False)


def check_organ(petition: Petition, organ: Organisation, *, field: str = "organ") -> None:
    """An organ that may take the matter: active, not an enterprise, not the office itself;
    for a 检举控告 never the organ complained about, nor one above or below it (第三十条)."""
    if not organ.is_active or organ.kind == Organisation.Kind.ENTERPRISE:
        raise ValidationFailed(_("“%(o)s”不能办理信访事项。") % {"o": organ.name}, field=field)
    if petition.is_accusation and petition.respondent_org_id is not None:
        respondent = petition.respondent_org
        assert respondent is not None
        if organ.path.startswith(respondent.path) or respondent.path.startswith(organ.path):
            raise ValidationFailed(
                _("检举控告类信访事项不得转送、交办给被检举控告的机关或其上下级（《信访工作条例》第三十条），"
                  "请转送纪检监察机关或有权处理的机关。"),
                field=field,
            )


def the_case(petition: Petition) -> Case:
    if petition.case_id is None:
        raise ConflictError(_("该信访事项尚未转送交办。"), code="no_case")
    case = petition.case
    assert case is not None
    return case


def engine_note(petition: Petition, document: PetitionDocument) -> str:
    """What the handling case keeps of an answer: the notice's name and number. The content
    stays on the matter (the case's notes reach its audit records and notifications)."""
    return _("已出具%(k)s（%(no)s），见信访事项 %(n)s。") % {
        "k": document.get_kind_display(), "no": document.number, "n": petition.number}


def days_text(days: int) -> str:
    return _("%(n)d日") % {"n": days}


# --- 转送 / 交办 ----------------------------------------------------------------------------------------


def petition_transfer(
    petition: Petition,
    *,
    actor: Actor,
    organ: Organisation,
    mode: str,
    instruction: str = "",
    report_days: int | None = None,
    expected_version: int | None = None,
) -> Petition:
    """转送 or 交办 (第二十二条) within 15日 of registration; later is allowed and recorded
    late. The handling case is opened on the engine (dispatch: the registering 信访部门; lead:
    the organ), with a 转送函 or a 交办单; a 交办 also sets the date of its 办结报告."""
    if mode not in TransferMode.values:
        raise ValidationFailed(_("请选择转送或交办。"), field="mode")
    instruction = clean_text(instruction, field="instruction", max_length=INSTRUCTION_MAX)
    if mode == TransferMode.ASSIGN:
        report_days = DEFAULT_REPORT_DAYS if report_days is None else int(report_days)
        if not 15 <= report_days <= MAX_REPORT_DAYS:
            raise ValidationFailed(
                _("办结报告期限应在 15 到 %(n)d 日之间。") % {"n": MAX_REPORT_DAYS}, field="report_days"
            )
    with step(petition, actor=actor, perm="petitions.transfer", move="transfer",
              expected_version=expected_version) as frame:
        p = frame.petition
        if not p.petition_type:
            raise ValidationFailed(_("请先对信访事项分类，再转送交办。"), field="organ")
        if p.petition_type == PetitionType.CLAIM and p.claim_route != ClaimRoute.PETITION:
            raise ValidationFailed(
                _("属于《信访工作条例》第三十一条（一）至（五）的事项，应告知信访人通过相应途径解决（不予受理），不转送交办。"),
                field="organ",
            )
        if organ.pk == p.registering_org_id:
            raise ValidationFailed(_("不能转送交办给本机关。"), field="organ")
        check_organ(p, organ)
        now = timezone.now()
        case = cases.case_submit(
            actor=None, reporter_org=p.registering_org, dispatch_org=p.registering_org, kind=CaseKind.PETITION,
            withheld_from=p.respondent_org if p.is_accusation else None,
            title=neutral_title(p), description=case_description(p, p.request),
            subject_ref=f"petition:{p.pk}",
        )
        cases.case_assign(case, actor=actor, lead_org=organ)
        late = p.transfer_due_at is not None and now > p.transfer_due_at
        frame.set(case=case, handling_org=organ, transfer_mode=mode, transferred_at=now,
                  stage=target_of(p.stage, "transfer"))
        if mode == TransferMode.ASSIGN:
            assert report_days is not None
            frame.set(report_due_at=calendar.natural_deadline(now, report_days).at)
        kind = DocumentKind.ASSIGNMENT if mode == TransferMode.ASSIGN else DocumentKind.FORWARD
        document = document_issue(p, kind, actor=actor, issuer=p.registering_org,
                                  body=transfer_body(p, organ, mode, instruction))
        events.record(p, "transfer", actor=actor, public=True, before_stage=frame.before_stage,
                      data={"organ": organ.pk, "mode": mode, "late": late, "case": case.pk, "document": document.pk})
    return frame.petition


def transfer_body(petition: Petition, organ: Organisation, mode: str, instruction: str) -> str:
    lines = [_("%(o)s：") % {"o": organ.name}]
    if mode == TransferMode.ASSIGN:
        lines.append(_("现将该信访事项交办你单位，请依法按政策处理，自收到之日起15日内告知信访人是否受理，"
                       "办结后于 %(d)s 前报送办结报告。")
                     % {"d": timezone.localdate(petition.report_due_at - dt.timedelta(microseconds=1))
                        if petition.report_due_at else "—"})
    else:
        lines.append(_("现将该信访事项转送你单位，请依法按政策处理，自收到之日起15日内告知信访人是否受理。"))
    if instruction:
        lines.append(instruction)
    lines.append(_("信访诉求：%(r)s") % {"r": petition.request})
    return "\n".join(lines)


# --- 受理 / 不予受理 ---------------------------------------------------------------------------------------


def petition_accept(
    petition: Petition, *, actor: Actor, note: str = "", expected_version: int | None = None
) -> Petition:
    """受理: the organ accepts (第二十三条, within 15日); the engine starts the 60日 clock
    from now for a 申诉求决 matter. A 受理告知书 is made, to be served to the 信访人."""
    note = clean_text(note, field="note", max_length=REASON_MAX)
    with step(petition, actor=actor, perm="petitions.handle", move="accept",
              expected_version=expected_version) as frame:
        p = frame.petition
        case = cases.case_accept(the_case(p), actor=actor)
        frame.set(accepted_at=case.accepted_at or timezone.now(), stage=target_of(p.stage, "accept"))
        body = [_("经审查，您反映的事项属于本机关职责范围，本机关决定受理。")]
        if has_reviews(p.petition_type, p.claim_route):
            body.append(_("本机关将自受理之日起60日内办结，并出具书面处理意见。"))
        assert p.handling_org is not None
        document = document_issue(p, DocumentKind.ACCEPTANCE, actor=actor, issuer=p.handling_org,
                                  body="\n".join(body))
        events.record(p, "accept", actor=actor, public=True, before_stage=frame.before_stage,
                      note=note, data={"document": document.pk})
    return frame.petition


def petition_refuse(
    petition: Petition, *, actor: Actor, reason: str, expected_version: int | None = None
) -> Petition:
    """不予受理 by the organ (not a 信访 matter, or one for another channel): a 不予受理告知书
    with the reason; the handling case is taken in and resolved with it, so its clocks stop."""
    reason = clean_text(reason, field="reason", max_length=TEXT_MAX, required=_("请说明不予受理的理由。"))
    with step(petition, actor=actor, perm="petitions.handle", move="not_accept",
              expected_version=expected_version) as frame:
        p = frame.petition
        if p.stage != Stage.TRANSFERRED:
            raise stage_refusal(p)
        case = the_case(p)
        assert p.handling_org is not None
        document = document_issue(p, DocumentKind.NON_ACCEPTANCE, actor=actor, issuer=p.handling_org,
                                  body=_("经审查，本机关决定不予受理，理由如下：") + "\n" + reason)
        cases.case_accept(case, actor=actor)
        cases.case_resolve(case, actor=actor, resolution=engine_note(p, document))
        now = timezone.now()
        frame.set(stage=target_of(p.stage, "not_accept"), ended_at=now, end_reason=_("办理机关不予受理"))
        events.record(p, "refuse", actor=actor, public=True, before_stage=frame.before_stage, note=reason,
                      data={"document": document.pk})
        tell_office(p, actor=actor, verb="petition_refused",
                    title=_("信访事项 %(n)s：办理机关不予受理") % {"n": p.number})
    return frame.petition


# --- 异议 (第二十三条) ---------------------------------------------------------------------------------------


def petition_object(
    petition: Petition, *, actor: Actor, reason: str, expected_version: int | None = None
) -> Petition:
    """The organ objects that the matter is not its own (5个工作日 from the 转送交办; the
    engine refuses after). The 信访部门 decides."""
    reason = clean_text(reason, field="reason", max_length=TEXT_MAX, required=_("请说明异议理由。"))
    with step(petition, actor=actor, perm="petitions.handle", move="reassign",
              expected_version=expected_version) as frame:
        p = frame.petition
        case = the_case(p)
        if case.status != Status.ASSIGNED:
            raise ConflictError(_("已提出异议，等待信访部门审核。"), code="objection_pending")
        cases.case_return(case, actor=actor, reason=_("异议理由见信访事项 %(n)s。") % {"n": p.number})
        frame.changed.add("updated_at")
        events.record(p, "object", actor=actor, note=reason, data={"organ": p.handling_org_id})
    return frame.petition


def petition_decide_objection(
    petition: Petition,
    *,
    actor: Actor,
    uphold: bool,
    organ: Organisation | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Petition:
    """The 信访部门 decides an objection: upheld, the matter goes to another organ (a new
    转送函 or 交办单, the clocks start again); refused, it stays (维持). Where two organs still
    disagree, the common superior or the 联席会议 decides (docs/petitions.md)."""
    note = clean_text(note, field="note", max_length=TEXT_MAX, required=_("请说明审核意见。"))
    with step(petition, actor=actor, perm="petitions.decide_objection", move="reassign",
              expected_version=expected_version) as frame:
        p = frame.petition
        case = the_case(p)
        if case.status != Status.RETURNED:
            raise ConflictError(_("没有待审核的异议。"), code="no_objection")
        if uphold:
            if organ is None:
                raise ValidationFailed(_("异议成立时请选择改由哪个机关办理。"), field="organ")
            if organ.pk == p.handling_org_id:
                raise ValidationFailed(_("改派机关与原办理机关相同。"), field="organ")
            if organ.pk == p.registering_org_id:
                raise ValidationFailed(_("不能转送交办给本机关。"), field="organ")
            check_organ(p, organ)
            previous = p.handling_org_id
            cases.case_reassign(case, actor=actor, lead_org=organ, note=_("异议成立，改派。"))
            now = timezone.now()
            frame.set(handling_org=organ, transferred_at=now, stage=target_of(p.stage, "reassign"))
            kind = DocumentKind.ASSIGNMENT if p.transfer_mode == TransferMode.ASSIGN else DocumentKind.FORWARD
            document = document_issue(p, kind, actor=actor, issuer=p.registering_org,
                                      body=transfer_body(p, organ, p.transfer_mode, note))
            events.record(p, "reassign", actor=actor, public=True, note=note, before_stage=frame.before_stage,
                          data={"from_org": previous, "organ": organ.pk, "document": document.pk})
        else:
            cases.case_insist(case, actor=actor, note=_("异议不成立，维持。审核意见见信访事项 %(n)s。") % {"n": p.number})
            frame.changed.add("updated_at")
            events.record(p, "objection_refused", actor=actor, note=note, data={"organ": p.handling_org_id})
    return frame.petition


# --- 延期, 听证 (第三十四条; the same on a 复查/复核 case, 第三十五、三十六条: reviews.py) -----------------


def clock_extension_request(
    petition: Petition, case: Case, *, actor: Actor, days: int, reason: str, prefix: str = "",
    data: dict[str, object] | None = None,
) -> ExtensionRequest:
    """The organ asks its head for more days on ``case`` (the engine keeps the 30-day cap and
    refuses a second pending request), and the matter's timeline says so. Called inside the
    step; ``prefix`` names the event of a review (``review_request_extension``)."""
    request = cases.case_request_extension(case, actor=actor, working_days=int(days), reason=reason)
    events.record(petition, f"{prefix}request_extension", actor=actor, note=reason,
                  data={"days": int(days), "extension": request.pk, **(data or {})})
    return request


def extension_notice_body(request: ExtensionRequest, case: Case, *, sentence: str) -> str:
    """The 延期告知书: ``sentence`` (translated, with the reason ``r``, the days ``n`` and the
    new last day ``d``) and the same as the parts the .docx lays out (documents.compose_body)."""
    due = timezone.localdate(case.solve_due_at - dt.timedelta(microseconds=1)) if case.solve_due_at else None
    text = sentence % {"r": request.reason, "n": days_text(request.working_days), "d": due or "—"}
    return compose_body(text, reason=request.reason, days=request.working_days, until=due)


def clock_extension_decide(
    petition: Petition, case: Case, *, actor: Actor, approve: bool, note: str, issuer: Organisation,
    sentence: str, review: PetitionReview | None = None, prefix: str = "",
    data: dict[str, object] | None = None,
) -> ExtensionRequest:
    """The head (本机关负责人) decides the pending request on ``case``; approved, the
    deadline moves and a 延期告知书 is made for the 信访人 (linked to the review, if any)."""
    request = cases.case_decide_extension(case, actor=actor, approve=approve, note=note)
    logged: dict[str, object] = {"days": request.working_days, "extension": request.pk, "approved": approve,
                                 **(data or {})}
    if approve:
        document = document_issue(petition, DocumentKind.EXTENSION, actor=actor, issuer=issuer, review=review,
                                  body=extension_notice_body(request, case, sentence=sentence))
        logged["document"] = document.pk
    events.record(petition, f"{prefix}extension_approved" if approve else f"{prefix}extension_refused", actor=actor,
                  note=note, public=approve, data=logged)
    return request


def clock_pause(
    petition: Petition, case: Case, *, actor: Actor, reason: str, prefix: str = "",
    data: dict[str, object] | None = None,
) -> None:
    """听证: the case's clock stops (听证所需时间不计入期限)."""
    if case.suspended_at is not None:
        raise ConflictError(_("听证已在进行中。"), code="hearing_running")
    cases.case_suspend(case, actor=actor, reason=_("听证"))
    events.record(petition, f"{prefix}hearing_start", actor=actor, note=reason, data=data)


def clock_resume(
    petition: Petition, case: Case, *, actor: Actor, note: str, prefix: str = "",
    data: dict[str, object] | None = None,
) -> None:
    """The hearing is over: the clock runs again, the days it took added to the limit."""
    if case.suspended_at is None:
        raise ConflictError(_("没有进行中的听证。"), code="no_hearing")
    cases.case_resume(case, actor=actor)
    events.record(petition, f"{prefix}hearing_end", actor=actor, note=note, data=data)


def petition_request_extension(
    petition: Petition, *, actor: Actor, days: int, reason: str, expected_version: int | None = None
) -> ExtensionRequest:
    """The organ asks its head for more days (at most 30日 in all; the engine keeps the cap)."""
    reason = clean_text(reason, field="reason", max_length=REASON_MAX, required=_("请说明延期理由。"))
    with step(petition, actor=actor, perm="petitions.handle", move="answer",
              expected_version=expected_version) as frame:
        p = frame.petition
        request = clock_extension_request(p, the_case(p), actor=actor, days=days, reason=reason)
        frame.changed.add("updated_at")
    return request


def petition_decide_extension(
    petition: Petition, *, actor: Actor, approve: bool, note: str = "", expected_version: int | None = None
) -> ExtensionRequest:
    """The organ's head (本机关负责人) approves or refuses; approved, a 延期告知书 with the
    reason and the new date is made for the 信访人."""
    note = clean_text(note, field="note", max_length=REASON_MAX)
    with step(petition, actor=actor, perm="petitions.approve_extension", move="answer",
              expected_version=expected_version) as frame:
        p = frame.petition
        assert p.handling_org is not None
        request = clock_extension_decide(p, the_case(p), actor=actor, approve=approve, note=note,
                                         issuer=p.handling_org,
                                         sentence=_("因%(r)s，经本机关负责人批准，办理期限延长%(n)s，至 %(d)s 前办结。"))
        frame.changed.add("updated_at")
    return request


def petition_hearing_start(
    petition: Petition, *, actor: Actor, reason: str = "", expected_version: int | None = None
) -> Petition:
    """听证: the clock pauses (听证所需时间不计入办理期限)."""
    reason = clean_text(reason, field="reason", max_length=200)
    with step(petition, actor=actor, perm="petitions.handle", move="answer",
              expected_version=expected_version) as frame:
        p = frame.petition
        clock_pause(p, the_case(p), actor=actor, reason=reason)
        frame.changed.add("updated_at")
    return frame.petition


def petition_hearing_end(
    petition: Petition, *, actor: Actor, note: str = "", expected_version: int | None = None
) -> Petition:
    """The hearing is over: the clock runs again, the days it took added to the limit."""
    note = clean_text(note, field="note", max_length=REASON_MAX)
    with step(petition, actor=actor, perm="petitions.handle", move="answer",
              expected_version=expected_version) as frame:
        p = frame.petition
        clock_resume(p, the_case(p), actor=actor, note=note)
        frame.changed.add("updated_at")
    return frame.petition


# --- 处理意见 (第三十二、三十三条) ---------------------------------------------------------------------------


def opinion_body(
    petition: Petition, *, outcome: str, facts: str, reasons: str, legal_basis: str, result_text: str,
    review_organ: str = "",
) -> str:
    lines = [
        _("一、信访诉求：%(t)s") % {"t": petition.request},
        _("二、查明的事实：%(t)s") % {"t": facts or "—"},
        _("三、处理理由：%(t)s") % {"t": reasons},
        _("四、处理意见：%(o)s。%(t)s") % {"o": Outcome(outcome).label, "t": result_text},
    ]
    if legal_basis:
        lines.append(_("五、依据：%(t)s") % {"t": legal_basis})
    if review_organ:
        lines.append(_("如对本意见不服，可以自收到本意见书之日起30日内向%(o)s请求复查。") % {"o": review_organ})
    return "\n".join(lines)


def petition_answer(
    petition: Petition,
    *,
    actor: Actor,
    outcome: str,
    facts: str = "",
    reasons: str = "",
    legal_basis: str = "",
    result_text: str = "",
    expected_version: int | None = None,
) -> PetitionDocument:
    """The written answer. A 申诉求决 (六) matter gets a 信访处理意见书 stating the request, the
    facts, the reasons, the outcome (支持 / 解释说明 / 不予支持) and its basis, or a 协议书 when
    mediated or settled; it then stays open for 复查 (30日 from the day it is served). A 建议意见
    or 检举控告 matter gets a written reply (a 信访处理意见书 with the reply) and is closed —
    unless it was 交办, when it closes once its 办结报告 is in."""
    if outcome not in Outcome.values:
        raise ValidationFailed(_("请选择处理结果。"), field="outcome")
    facts = clean_text(facts, field="facts", max_length=TEXT_MAX)
    reasons = clean_text(reasons, field="reasons", max_length=TEXT_MAX, required=_("请填写处理理由。"))
    legal_basis = clean_text(legal_basis, field="legal_basis", max_length=TEXT_MAX)
    result_text = clean_text(result_text, field="result_text", max_length=TEXT_MAX)
    with step(petition, actor=actor, perm="petitions.handle", move="answer",
              expected_version=expected_version) as frame:
        p = frame.petition
        claim = has_reviews(p.petition_type, p.claim_route)
        if outcome in AGREEMENT_OUTCOMES and not claim:
            raise ValidationFailed(_("调解、和解只适用于申诉求决类信访事项。"), field="outcome")
        if claim and outcome in OPINION_OUTCOMES:
            if not facts:
                raise ValidationFailed(_("请写明查明的事实。"), field="facts")
            if not legal_basis:
                raise ValidationFailed(_("请写明处理意见所依据的法律、法规、政策。"), field="legal_basis")
        if outcome in AGREEMENT_OUTCOMES and not result_text:
            raise ValidationFailed(_("请写明协议内容。"), field="result_text")
        case = the_case(p)
        if case.suspended_at is not None:
            raise ConflictError(_("听证尚未结束，结束听证后再出具处理意见。"), code="hearing_running")
        assert p.handling_org is not None
        superior = p.handling_org.parent.name if p.handling_org.parent_id and p.handling_org.parent else ""
        if outcome in AGREEMENT_OUTCOMES:
            kind = DocumentKind.AGREEMENT
            body = "\n".join([_("信访诉求：%(t)s") % {"t": p.request}, _("协议内容：%(t)s") % {"t": result_text},
                              *([reasons] if reasons else [])])
        else:
            kind = DocumentKind.OPINION
            body = opinion_body(p, outcome=outcome, facts=facts, reasons=reasons, legal_basis=legal_basis,
                                result_text=result_text,
                                review_organ=(superior or _("上一级行政机关")) if claim else "")
        document = document_issue(p, kind, actor=actor, issuer=p.handling_org, body=body)
        cases.case_resolve(case, actor=actor, resolution=engine_note(p, document))
        target = answered_stage(p.petition_type, p.claim_route)
        if target == Stage.CLOSED and p.transfer_mode == TransferMode.ASSIGN and p.report_received_at is None:
            target = Stage.ANSWERED  # 交办: closed on the office side once the 办结报告 is in
        frame.set(outcome=outcome, stage=target)
        if target == Stage.CLOSED:
            frame.set(ended_at=timezone.now(), end_reason=_("办结"))
        events.record(p, "answer", actor=actor, public=True, before_stage=frame.before_stage,
                      data={"outcome": outcome, "document": document.pk})
        tell_office(p, actor=actor, verb="petition_answered",
                    title=_("信访事项 %(n)s 已出具处理意见") % {"n": p.number})
    return document


def petition_receive_report(
    petition: Petition, *, actor: Actor, summary: str, expected_version: int | None = None
) -> PetitionDocument:
    """办结报告 of a 交办 matter, once answered: kept as a document of the organ; a matter
    without reviews (建议意见, 检举控告) is closed with it."""
    summary = clean_text(summary, field="summary", max_length=TEXT_MAX, required=_("请填写办结报告内容。"))
    with step(petition, actor=actor, perm="petitions.file_report", expected_version=expected_version) as frame:
        p = frame.petition
        if p.transfer_mode != TransferMode.ASSIGN:
            raise ValidationFailed(_("只有交办的信访事项需要报送办结报告。"), field="summary")
        if p.report_received_at is not None:
            raise ConflictError(_("办结报告已于 %(d)s 收到。") % {"d": timezone.localdate(p.report_received_at)},
                                code="report_received")
        if p.outcome == "" or p.stage in (Stage.TRANSFERRED, Stage.ACCEPTED, Stage.REGISTERED):
            raise ConflictError(_("出具处理意见后才能报送办结报告。"), code="not_answered")
        now = timezone.now()
        frame.set(report_received_at=now)
        if p.stage == Stage.ANSWERED and not has_reviews(p.petition_type, p.claim_route):
            frame.set(stage=target_of(p.stage, "close"), ended_at=now, end_reason=_("办结"))
        assert p.handling_org is not None
        document = document_issue(p, DocumentKind.COMPLETION_REPORT, actor=actor, issuer=p.handling_org,
                                  body=summary)
        events.record(p, "report", actor=actor, before_stage=frame.before_stage,
                      data={"document": document.pk, "late": bool(p.report_due_at and now > p.report_due_at)})
    return document
