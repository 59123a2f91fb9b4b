"""The matter's notices (告知书, 意见书, 协议书, 转送/交办 forms): numbered when issued, kept as
rows, rendered as 公文 (.docx, GB/T 9704 via ``core.kit.documents``) when downloaded, and
served to the 信访人 with a date (SPEC §8; 网上办理规程: each document and its date is public).

The body of a notice
--------------------
``PetitionDocument.body`` holds what the person making the notice wrote. Its structured
parts are sections, each opened by a marker line such as ``【事实】``::

    body = compose_body(request="…", facts="…", reasons="…", outcome="support", basis="…")
    parse_body(body)  # {"request": "…", "facts": "…", "reasons": "…", "outcome": "support", …}

The parts (``SECTIONS``): ``request`` 信访诉求, ``facts`` 事实, ``reasons`` 理由, ``outcome``
处理结果 (an ``Outcome`` value or free text), ``basis`` 依据, ``channel`` 途径 (第三十一条
(一)–(五)), ``reason`` 原因 (不予受理、延期), ``days`` 延长天数, ``until`` 延长至 (a date,
YYYY-MM-DD), ``next_organ`` 复查（复核）机关, ``parties`` 当事人, ``terms`` 协议内容,
``result`` 办理结果, ``deadline`` 期限 (a date). Text before the first marker is ``text``.
A part left empty is not written; the markers are Chinese whatever the user's language, so a
body reads the same in every language. ``render`` lays each kind out from these parts and
from the matter's own fields, in the language active when it is called (headings and the
fixed wording translated; what people wrote stays as they wrote it).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yancheng.core.audit.services import audit_batch
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.documents import OfficialDocument, chinese_date
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor

from . import events
from .models import DocumentKind, Outcome, Petition, PetitionDocument, PetitionReview
from .numbering import next_document_number

BODY_MAX = 20_000

# The parts of a body: the key services use, the marker stored (Chinese, never translated)
# and the heading shown in the document (translated).
SECTIONS: dict[str, tuple[str, Any]] = {
    "request": ("诉求", gettext_lazy("信访诉求")),
    "facts": ("事实", gettext_lazy("查明的事实")),
    "reasons": ("理由", gettext_lazy("处理理由")),
    "outcome": ("结论", gettext_lazy("处理意见")),
    "basis": ("依据", gettext_lazy("法律政策依据")),
    "channel": ("途径", gettext_lazy("救济途径")),
    "reason": ("原因", gettext_lazy("原因")),
    "days": ("天数", gettext_lazy("延长天数")),
    "until": ("延长至", gettext_lazy("延长至")),
    "next_organ": ("复查机关", gettext_lazy("复查（复核）机关")),
    "parties": ("当事人", gettext_lazy("当事人")),
    "terms": ("协议内容", gettext_lazy("协议内容")),
    "result": ("办理结果", gettext_lazy("办理结果")),
    "deadline": ("期限", gettext_lazy("期限")),
}
_KEY_OF_MARKER = {marker: key for key, (marker, _label) in SECTIONS.items()}
_MARKER_LINE = re.compile(r"^\s*【([^】]{1,12})】\s*$")

# The kinds a 信访人 may ask to have reviewed, and by what (第三十五条, 第三十六条).
OPINION_KINDS = frozenset({DocumentKind.OPINION, DocumentKind.REVIEW_OPINION, DocumentKind.RECHECK_OPINION})


def compose_body(text: str = "", **parts: Any) -> str:
    """A notice's body from its parts (see the module's docstring); empty parts are left out.
    An unknown part is a programming error (``KeyError``)."""
    lines: list[str] = [str(text).strip()] if str(text).strip() else []
    for key, value in parts.items():
        if key not in SECTIONS:
            raise KeyError(key)
        if value is None or str(value).strip() == "":
            continue
        shown = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
        lines.append(f"【{SECTIONS[key][0]}】")
        lines.append(shown)
    return "\n".join(lines)


def parse_body(text: str) -> dict[str, str]:
    """The parts of a body made by ``compose_body`` (a line ``【…】`` that names no part is
    kept as text of the part it stands in)."""
    parts: dict[str, list[str]] = {}
    key = "text"
    for line in (text or "").splitlines():
        match = _MARKER_LINE.match(line)
        if match and match.group(1) in _KEY_OF_MARKER:
            key = _KEY_OF_MARKER[match.group(1)]
            parts.setdefault(key, [])
            continue
        parts.setdefault(key, []).append(line)
    return {k: "\n".join(v).strip() for k, v in parts.items() if "\n".join(v).strip()}


def document_issue(
    petition: Petition,
    kind: str,
    *,
    actor: Actor | None,
    issuer: Organisation,
    body: str = "",
    review: PetitionReview | None = None,
) -> PetitionDocument:
    """Number and keep a notice. Called inside the step that makes it (受理, 不予受理, 延期,
    转送/交办, 意见书 …), so the number, the row and the step commit together; the calling
    service has checked the permission."""
    if kind not in DocumentKind.values:
        raise ValidationFailed(_("未知的文书类型。"), field="kind")
    body = clean_text(body, field="body", max_length=BODY_MAX)
    now = timezone.now()
    with transaction.atomic(), audit_batch():
        document = PetitionDocument.objects.create(
            petition=petition,
            review=review,
            kind=kind,
            number=next_document_number(issuer, kind, timezone.localdate(now)),
            issuer=issuer,
            body=body,
            created_at=now,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        events.record(petition, "document_issue", actor=actor,
                      data={"document": document.pk, "kind": kind, "number": document.number})
    return document


def document_serve(
    document: PetitionDocument, *, actor: Actor, served_on: dt.date, how: str
) -> PetitionDocument:
    """送达: the day the 信访人 received the notice; the query page shows it from then on.
    A served date cannot be in the future or before the notice was made, and a notice is
    served once. Serving a 处理/复查/复核意见书 sets the matter's ``answered_at``: the 30日
    in which the 信访人 may ask for 复查 (复核) count from it (第三十五条, 第三十六条)."""
    from yancheng.core.kit.require import require

    if how not in PetitionDocument.ServedBy.values:
        raise ValidationFailed(_("请选择送达方式。"), field="how")
    if not isinstance(served_on, dt.date):
        raise ValidationFailed(_("请填写送达日期。"), field="served_on")
    require(actor, "petitions.serve_document", document)
    with transaction.atomic(), audit_batch():
        petition = Petition.objects.select_for_update().get(pk=document.petition_id)
        locked = PetitionDocument.objects.select_for_update().get(pk=document.pk)
        if locked.served_at is not None:
            raise ConflictError(_("该文书已于 %(d)s 送达，不能重复送达。") % {"d": timezone.localdate(locked.served_at)},
                                code="already_served")
        made_on = timezone.localdate(locked.created_at)
        today = timezone.localdate()
        if served_on > today:
            raise ValidationFailed(_("送达日期不能晚于今天。"), field="served_on")
        if served_on < made_on:
            raise ValidationFailed(_("送达日期不能早于文书制作日期（%(d)s）。") % {"d": made_on}, field="served_on")
        moment = dt.datetime.combine(served_on, dt.time(12), tzinfo=timezone.get_current_timezone())
        locked.served_at = max(min(moment, timezone.now()), locked.created_at)
        locked.served_how = how
        locked.save(update_fields=["served_at", "served_how"])
        if locked.kind in OPINION_KINDS:
            petition.answered_at = locked.served_at
            petition.version += 1
            petition.save(update_fields=["answered_at", "version", "updated_at"])
        events.record(petition, "document_serve", actor=actor, public=locked.is_public,
                      data={"document": locked.pk, "kind": locked.kind, "served_on": served_on.isoformat(),
                            "how": how})
    document.served_at, document.served_how = locked.served_at, locked.served_how
    return locked


# --- the .docx ---------------------------------------------------------------------------------


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return chinese_date(value)


def _parsed_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _names(petition: Petition) -> str:
    """The 信访人's real names (the download is a reveal, audited by the view)."""
    names = [p.name.reveal() for p in petition.petitioners.all()]
    return ("、" if not _english() else ", ").join(n for n in names if n) or _("信访人")


def _outcome_text(value: str) -> str:
    return str(Outcome(value).label) if value in Outcome.values else value


def _superior(org: Organisation | None) -> Organisation | None:
    return org.parent if org is not None else None


def _query_url() -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        path = reverse("petitions:query")
    except NoReverseMatch:
        path = "/petitions/query/"
    return f"{settings.YANCHENG_SITE_URL}{path}"


def _section(doc: OfficialDocument, key: str, parts: dict[str, str]) -> None:
    if parts.get(key):
        doc.heading(str(SECTIONS[key][1]))
        doc.paragraph(parts[key])


def _matter_line(petition: Petition) -> str:
    return _("您（们）于%(d)s提出的信访事项（信访件编号%(n)s，%(t)s）") % {
        "d": _day(petition.received_on), "n": petition.number, "t": petition.title}


def _acceptance(doc: OfficialDocument, document: PetitionDocument, parts: dict[str, str]) -> None:
    petition = document.petition
    accepted = petition.accepted_at or document.created_at
    doc.paragraph(_("%(matter)s，本机关已于%(d)s依法受理。") % {"matter": _matter_line(petition), "d": _day(accepted)})
    if petition.claim_route == "petition" or not petition.claim_route:
        from yancheng.core.calendar import natural_deadline

        due = natural_deadline(accepted, 60)
        doc.paragraph(_("根据《信访工作条例》第三十二条，本机关将自受理之日起60日内办结，即于%(d)s前出具书面答复；"
                        "情况复杂的，经本机关负责人批准，可以适当延长办理期限，但延长期限不超过30日，并告知您延期理由。")
                      % {"d": _day(due.date)})
    doc.paragraph(_("您可以凭登记时取得的查询码在%(url)s查询办理进展和送达的文书。") % {"url": _query_url()})
    if parts.get("text"):
        doc.paragraph(parts["text"])


def _non_acceptance(doc: OfficialDocument, document: PetitionDocument, parts: dict[str, str]) -> None:
    petition = document.petition
    doc.paragraph(_("%(matter)s，经审查，本机关决定不予受理。") % {"matter": _matter_line(petition)})
    reason = parts.get("reason") or parts.get("text") or ""
    if reason:
        doc.heading(_("不予受理的理由"))
        doc.paragraph(reason)
    routed = bool(petition.claim_route and petition.claim_route != "petition")
    if parts.get("channel") or routed:
        # 第三十一条(一)–(五): the matter belongs to another procedure, which the notice names.
        doc.heading(_("救济途径"))
        if routed:
            doc.paragraph(_("您反映的事项属于《信访工作条例》第三十一条%(route)s规定的情形，请依照相应的法定途径提出。")
                          % {"route": petition.get_claim_route_display()})
        if parts.get("channel"):
            doc.paragraph(parts["channel"])
    _section(doc, "basis", parts)


def _no_longer(doc: OfficialDocument, document: PetitionDocument, parts: dict[str, str]) -> None:
    petition = document.petition
    earlier = petition.earlier
    recheck = None
    while earlier is not None and recheck is None:
        recheck = earlier.reviews.filter(level=PetitionReview.Level.RECHECK).select_related("organ").first()
        earlier = earlier.earlier
    doc.paragraph(_("%(matter)s，经查，") % {"matter": _matter_line(petition)})
    if recheck is not None:
        doc.paragraph(_("该信访事项已于%(d)s经%(org)s复核终结。") % {
            "d": _day(recheck.decided_at), "org": recheck.organ.name})
    else:
        doc.paragraph(_("该信访事项已经复核终结。"))
    doc.paragraph(_("根据《信访工作条例》第三十六条第三款，信访人对信访事项复核意见不服，仍然以同一事实和理由提出信访事项的，"
                    "各级机关不再受理。本机关对您提出的上述信访事项不再受理。"))
    if parts.get("text"):
        doc.paragraph(parts["text"])


def _extension(doc: OfficialDocument, document: PetitionDocument, parts: dict[str, str]) -> None:
    petition = document.petition
    days, until = parts.get("days", ""), _parsed_date(parts.get("until", ""))
    until_text = _day(until) if until else (parts.get("until") or "—")
    review = document.review
    if review is not None:
        # 复查 (第三十五条) or 复核 (第三十六条): 30日, extendable by 30 with the head's approval.
        level = review.get_level_display()
        article = _("第三十五条") if review.level == PetitionReview.Level.REVIEW else _("第三十六条")
        doc.paragraph(_("%(matter)s，您于%(d)s提出的%(l)s申请，本机关正在办理。") % {
            "matter": _matter_line(petition), "d": _day(review.requested_on), "l": level})
        doc.paragraph(_("因情况复杂，经本机关负责人批准，根据《信访工作条例》%(a)s，%(l)s期限延长%(n)s日，至%(until)s。")
                      % {"a": article, "l": level, "n": days or "—", "until": until_text})
    else:
        doc.paragraph(_("%(matter)s，本机关已于%(d)s受理。") % {"matter": _matter_line(petition),
                                                        "d": _day(petition.accepted_at)})
        doc.paragraph(_("因情况复杂，经本机关负责人批准，根据《信访工作条例》第三十四条，办理期限延长%(n)s日，至%(until)s。")
                      % {"n": days or "—", "until": until_text})
    if parts.get("reason") or parts.get("text"):
        doc.heading(_("延期理由"))
        doc.paragraph(parts.get("reason") or parts.get("text", ""))


def _transfer(doc: OfficialDocument, document: PetitionDocument, parts: dict[str, str]) -> None:
    petition = document.petition
    assign = document.kind == DocumentKind.ASSIGNMENT
    doc.paragraph(_("现将%(d)s收到的信访事项（信访件编号%(n)s）%(how)s你单位，请依照《信访工作条例》办理。")
                  % {"d": _day(petition.received_on), "n": petition.number, "how": _("交由") if assign else _("转送给")})
    doc.heading(_("事项摘要"))
    doc.paragraph(_("类型：%(t)s；问题类别：%(c)s；问题属地：%(r)s。") % {
        "t": petition.get_petition_type_display() or "—", "c": str(petition.topic), "r": petition.region.name})
    doc.paragraph(_("内容摘要：%(t)s") % {"t": petition.title})
    doc.paragraph(_("信访诉求：%(r)s") % {"r": petition.request})
    if not petition.is_accusation:
        # The 检举控告's 信访人 is not named to any organ (第三十条: 保护检举控告人).
        doc.paragraph(_("信访人：%(n)s") % {"n": _names(petition)})
    doc.heading(_("办理要求"))
    doc.paragraph(_("请自收到之日起15日内决定是否受理，并书面告知信访人；不属于你单位职责范围的，请于5个工作日内提出异议。"))
    if assign:
        due = _parsed_date(parts.get("deadline", "")) or (
            timezone.localdate(petition.report_due_at) if petition.report_due_at else None)
        doc.paragraph(_("本事项为交办事项，请于%(d)s前办结，并向本机关报送办结报告。") % {"d": _day(due)})
    if parts.get("text"):
        doc.paragraph(parts["text"])


def _opinion(doc: OfficialDocument, document: PetitionDocument, parts: dict[str, str]) -> None:
    petition = document.petition
    review = document.review
    doc.paragraph(_("%(matter)s，本机关已依法办理，现提出意见如下。") % {"matter": _matter_line(petition)})
    if parts.get("request") or petition.request:
        doc.heading(str(SECTIONS["request"][1]))
        doc.paragraph(parts.get("request") or (review.request if review else petition.request))
    _section(doc, "facts", parts)
    _section(doc, "reasons", parts)
    outcome = parts.get("outcome") or (review.outcome if review else "") or petition.outcome
    if outcome:
        doc.heading(str(SECTIONS["outcome"][1]))
        doc.paragraph(_outcome_text(outcome))
    _section(doc, "basis", parts)
    if parts.get("text"):
        doc.paragraph(parts["text"])
    doc.heading(_("告知事项"))
    if document.kind == DocumentKind.RECHECK_OPINION:
        doc.paragraph(_("本复核意见为终结意见。根据《信访工作条例》第三十六条第三款，您对复核意见不服，仍然以同一事实和理由"
                        "提出信访事项的，各级机关不再受理。"))
        return
    review_kind = _("复查") if document.kind == DocumentKind.OPINION else _("复核")
    article = _("第三十五条") if document.kind == DocumentKind.OPINION else _("第三十六条")
    organ_name = parts.get("next_organ") or getattr(_superior(document.issuer), "name", "") or _("上一级机关")
    doc.paragraph(_("如对本意见不服，您可以自收到本意见书之日起30日内，向%(organ)s书面提出%(what)s申请（《信访工作条例》%(a)s）。")
                  % {"organ": organ_name, "what": review_kind, "a": article})


def _agreement(doc: OfficialDocument, document: PetitionDocument, parts: dict[str, str]) -> None:
    petition = document.petition
    doc.heading(str(SECTIONS["parties"][1]))
    doc.paragraph(parts.get("parties") or _("甲方（信访人）：%(n)s\n乙方：%(o)s") % {
        "n": _names(petition), "o": document.issuer.name})
    doc.paragraph(_("就信访事项（信访件编号%(n)s，%(t)s），双方在平等自愿的基础上经%(how)s达成如下协议：") % {
        "n": petition.number, "t": petition.title,
        "how": _("和解") if petition.outcome == Outcome.SETTLEMENT else _("调解")})
    doc.heading(str(SECTIONS["terms"][1]))
    doc.paragraph(parts.get("terms") or parts.get("text") or "—")
    doc.paragraph(_("本协议自双方签字（盖章）之日起生效。"))
    doc.blank()
    doc.paragraph(_("甲方（签字）：　　　　　　乙方（盖章）："))


def _completion(doc: OfficialDocument, document: PetitionDocument, parts: dict[str, str]) -> None:
    petition = document.petition
    doc.paragraph(_("你机关交办的信访事项（信访件编号%(n)s，%(t)s），本机关已办理完毕，现将办理情况报告如下。")
                  % {"n": petition.number, "t": petition.title})
    _section(doc, "facts", parts)
    _section(doc, "result", parts)
    if parts.get("outcome"):
        doc.heading(str(SECTIONS["outcome"][1]))
        doc.paragraph(_outcome_text(parts["outcome"]))
    if parts.get("text"):
        doc.paragraph(parts["text"])


_LAYOUTS = {
    DocumentKind.ACCEPTANCE: _acceptance,
    DocumentKind.NON_ACCEPTANCE: _non_acceptance,
    DocumentKind.NO_LONGER_ACCEPTED: _no_longer,
    DocumentKind.EXTENSION: _extension,
    DocumentKind.FORWARD: _transfer,
    DocumentKind.ASSIGNMENT: _transfer,
    DocumentKind.OPINION: _opinion,
    DocumentKind.REVIEW_OPINION: _opinion,
    DocumentKind.RECHECK_OPINION: _opinion,
    DocumentKind.AGREEMENT: _agreement,
    DocumentKind.COMPLETION_REPORT: _completion,
}


def addressee_of(document: PetitionDocument) -> str:
    """主送: the 信访人 for a notice to them; the organ for a 转送函/交办单 (only the handling
    organ: a 检举控告's goes to the competent organ, never to the one complained about); the
    信访部门 that assigned the matter for an 办结报告."""
    petition = document.petition
    if document.kind in (DocumentKind.FORWARD, DocumentKind.ASSIGNMENT):
        return petition.handling_org.name if petition.handling_org else _("承办机关")
    if document.kind == DocumentKind.COMPLETION_REPORT:
        return petition.registering_org.name
    return _names(petition)


def render(document: PetitionDocument) -> bytes:
    """The .docx of a notice, laid out as a 公文 per kind, made from the row and the matter
    each time it is asked for (in the active language)."""
    doc = OfficialDocument(document.get_kind_display(), issuer=document.issuer.name,
                           date=timezone.localdate(document.created_at))
    doc.reference_number(document.number)
    doc.blank()
    doc.addressee(addressee_of(document))
    _LAYOUTS[DocumentKind(document.kind)](doc, document, parse_body(document.body))
    return doc.to_bytes()


def filename(document: PetitionDocument) -> str:
    """``<文书>-<文号>.docx``."""
    return f"{document.get_kind_display()}-{document.number}.docx"
