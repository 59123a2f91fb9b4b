"""溯源 and 分类: registering a matter (one record whatever the channel), linking it to the
same person's earlier matters, and classifying it (SPEC §8; 条例 第十七至二十一条, 第二十九至三十一条)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yancheng.core import calendar
from yancheng.core.audit.services import audit_batch, audit_record
from yancheng.core.crypto.fields import digest_for
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Organisation, Region
from yancheng.core.typing import Actor, organisation_of
from yancheng.lib import idcard

from . import events, querycode
from .models import (
    OPEN_STAGES,
    Channel,
    ClaimRoute,
    DocumentKind,
    LeaderReception,
    Petition,
    PetitionDocument,
    Petitioner,
    PetitionType,
    Stage,
    Topic,
)
from .numbering import next_petition_number
from .workflow import can_move, target_of

logger = logging.getLogger("yancheng.petitions")

TITLE_MAX = 200
TEXT_MAX = 10_000
NAME_MAX = 50
ADDRESS_MAX = 200
MAX_REPRESENTATIVES = 5  # 第二十条: 多人走访 推选代表，代表人数不超过5人
TRANSFER_DAYS = 15  # 第二十二条: 转送、交办 within 15日 of registration


@dataclass(frozen=True)
class PetitionerInput:
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    is_representative: bool = False


@dataclass(frozen=True)
class Registered:
    """The matter and its 查询码, which exists only here (the database keeps its digest)."""

    petition: Petition
    query_code: str


def _clean_petitioners(people: Sequence[PetitionerInput], *, petition_type: str) -> list[PetitionerInput]:
    cleaned: list[PetitionerInput] = []
    for index, person in enumerate(people, start=1):
        name = " ".join((person.name or "").split())
        if not name:
            if any((person.id_number, person.phone, person.address)):
                raise ValidationFailed(_("第 %(n)d 位信访人：请填写姓名。") % {"n": index}, field="petitioners")
            continue
        if len(name) > NAME_MAX:
            raise ValidationFailed(_("第 %(n)d 位信访人：姓名过长（最多 %(m)d 个字）。") % {"n": index, "m": NAME_MAX},
                                   field="petitioners")
        id_number = ""
        if (person.id_number or "").strip():
            try:
                id_number = idcard.validate(person.id_number)
            except idcard.IdNumberError as exc:
                raise ValidationFailed(
                    _("第 %(n)d 位信访人的身份证号码有误：%(why)s") % {"n": index, "why": exc.message},
                    field="petitioners",
                ) from None
        address = " ".join((person.address or "").split())
        if len(address) > ADDRESS_MAX:
            raise ValidationFailed(_("第 %(n)d 位信访人：住址过长（最多 %(m)d 个字）。") % {"n": index, "m": ADDRESS_MAX},
                                   field="petitioners")
        cleaned.append(PetitionerInput(name, id_number, (person.phone or "").strip(), address,
                                       person.is_representative))
    if not cleaned and petition_type != PetitionType.ACCUSATION:
        # 第十九条: name, address and request in writing. Only a 检举控告 may be anonymous.
        raise ValidationFailed(_("请填写信访人姓名（只有检举控告类信访可以匿名）。"), field="petitioners")
    ids = [p.id_number for p in cleaned if p.id_number]
    if len(ids) != len(set(ids)):
        raise ValidationFailed(_("同一身份证号码填写了两次。"), field="petitioners")
    return cleaned


def _same_person_matters(people: Sequence[PetitionerInput]) -> list[Petition]:
    """Earlier matters of the same people, newest first, found by the ID number's keyed digest."""
    digests = [digest_for(Petitioner, "id_number", p.id_number) for p in people if p.id_number]
    if not digests:
        return []
    return list(
        Petition.objects.filter(petitioners__id_digest__in=digests).distinct().order_by("-registered_at", "-pk")[:50]
    )


def petition_register(
    *,
    actor: Actor,
    channel: str,
    received_on: dt.date,
    region: Region,
    topic: Topic,
    title: str,
    request: str,
    petitioners: Sequence[PetitionerInput],
    facts: str = "",
    respondent_org: Organisation | None = None,
    respondent_person: str = "",
    is_group: bool = False,
    head_count: int | None = None,
    is_urgent: bool = False,
    reception: LeaderReception | None = None,
    petition_type: str = "",
    claim_route: str = "",
) -> Registered:
    """登记: one record per matter, whatever the channel. The same person's earlier matters
    are linked; a matter of theirs on the same topic still within its time limit is flagged
    as 重复信访 (kept as a record of the visit, not a new matter); a matter ended by 复核 is
    flagged (终结后再次反映) for a 不再受理告知书."""
    require(actor, "petitions.register")
    if channel not in Channel.values:
        raise ValidationFailed(_("请选择信访形式。"), field="channel")
    if petition_type and petition_type not in PetitionType.values:
        raise ValidationFailed(_("未知的信访类型。"), field="petition_type")
    if claim_route and (petition_type != PetitionType.CLAIM or claim_route not in ClaimRoute.values):
        raise ValidationFailed(_("只有申诉求决类信访需要选择处理途径。"), field="claim_route")
    today = timezone.localdate()
    if received_on > today:
        raise ValidationFailed(_("收信（来访）日期不能晚于今天。"), field="received_on")
    if received_on < today - dt.timedelta(days=366):
        raise ValidationFailed(_("收信（来访）日期早于一年前，请核对。"), field="received_on")
    if not topic.is_active:
        raise ValidationFailed(_("该问题类别已停用，请另选。"), field="topic")
    title = clean_text(title, field="title", max_length=TITLE_MAX, required=_("请填写内容摘要。"))
    request = clean_text(request, field="request", max_length=TEXT_MAX, required=_("请填写信访诉求。"))
    facts = clean_text(facts, field="facts", max_length=TEXT_MAX)
    respondent_person = clean_text(respondent_person, field="respondent_person", max_length=100)
    people = _clean_petitioners(petitioners, petition_type=petition_type)
    representatives = [p for p in people if p.is_representative]
    if is_group:
        if not representatives:
            raise ValidationFailed(_("集体访请至少指定一名代表。"), field="petitioners")
        if len(representatives) > MAX_REPRESENTATIVES:
            raise ValidationFailed(
                _("多人走访应推选代表，代表不超过 %(n)d 人（《信访工作条例》第二十条）。") % {"n": MAX_REPRESENTATIVES},
                field="petitioners",
            )
    count = head_count if head_count is not None else max(len(people), 1)
    if count < max(len(people), 1):
        raise ValidationFailed(_("人数不能少于登记的信访人数。"), field="head_count")
    if is_group and count < 2:
        raise ValidationFailed(_("集体访人数应不少于 2 人。"), field="head_count")
    if reception is not None and channel != Channel.LEADER_DAY:
        raise ValidationFailed(_("只有领导接访的信访事项才关联接访日。"), field="reception")
    org = organisation_of(actor)
    now = timezone.now()
    code = querycode.new_code()
    with transaction.atomic(), audit_batch():
        earlier = _same_person_matters(people)
        same_topic = [p for p in earlier if p.topic_id == topic.pk]
        final = next((p for p in same_topic if p.stage == Stage.FINAL), None)
        running = next((p for p in same_topic if p.stage in OPEN_STAGES), None)
        petition = Petition(
            number=next_petition_number(timezone.localdate(now)),
            query_code_digest=querycode.digest(code),
            channel=channel,
            petition_type=petition_type,
            claim_route=claim_route if petition_type == PetitionType.CLAIM else "",
            received_on=received_on,
            registered_at=now,
            registered_by=actor,
            registering_org=org,
            region=region,
            topic=topic,
            respondent_org=respondent_org,
            respondent_person=respondent_person,
            title=title,
            request=request,
            facts=facts,
            is_group=is_group,
            head_count=count,
            is_urgent=is_urgent,
            reception=reception,
            earlier=(same_topic or earlier)[0] if (same_topic or earlier) else None,
            duplicate_of=running,
            after_final=final is not None,
            transfer_due_at=None,
        )
        if running is not None:
            # 第十九条: a matter still being handled is not registered again; the visit is kept.
            petition.stage = Stage.NOT_ACCEPTED
            petition.end_reason = _("重复信访：原信访事项 %(n)s 仍在办理期限内。") % {"n": running.number}
            petition.ended_at = now
        else:
            petition.transfer_due_at = calendar.natural_deadline(now, TRANSFER_DAYS).at
        petition.save()
        Petitioner.objects.bulk_create(
            [
                Petitioner(petition=petition, name=p.name, id_number=p.id_number, phone=p.phone, address=p.address,
                           is_representative=p.is_representative, order=i)
                for i, p in enumerate(people)
            ]
        )
        events.record(
            petition, "register", actor=actor, public=True,
            data={"channel": channel, "earlier": petition.earlier_id, "duplicate_of": petition.duplicate_of_id,
                  "after_final": petition.after_final, "petitioners": len(people)},
        )
        if petition.is_urgent and running is None:
            # 第二十五条: a major or urgent matter is reported upward at once.
            from .stabilise import report_urgent

            report_urgent(petition, actor=actor)
        phone = next((p.phone for p in people if p.phone), "")
        if phone and running is None:
            # A 重复信访 is not a new matter: the 信访人 follows the running one.
            pk, number = petition.pk, petition.number
            transaction.on_commit(lambda: _send_query_code(pk, number, phone, code))
    return Registered(petition, code)


def petition_classify(
    petition: Petition, *, actor: Actor, petition_type: str, claim_route: str = "",
    expected_version: int | None = None,
) -> Petition:
    """分类: the type decides the route and the clocks. A 申诉求决 matter names its route
    (第三十一条); only (六) is handled in the 信访 channel with the 60-day clock."""
    if petition_type not in PetitionType.values:
        raise ValidationFailed(_("请选择信访类型。"), field="petition_type")
    if petition_type == PetitionType.CLAIM and claim_route not in ClaimRoute.values:
        raise ValidationFailed(_("申诉求决类信访请选择处理途径（《信访工作条例》第三十一条）。"), field="claim_route")
    with transaction.atomic(), audit_batch():
        locked = Petition.objects.select_for_update().get(pk=petition.pk)
        require(actor, "petitions.classify", locked)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(_("该信访事项已被他人更新，请刷新后再操作。"), code="stale_version")
        if not can_move(locked.stage, "classify"):
            raise ConflictError(
                _("该信访事项当前环节为“%(s)s”，不能再分类。") % {"s": locked.get_stage_display()}, code="invalid_stage"
            )
        before = {"type": locked.petition_type, "route": locked.claim_route}
        locked.petition_type = petition_type
        locked.claim_route = claim_route if petition_type == PetitionType.CLAIM else ""
        locked.version += 1
        locked.save(update_fields=["petition_type", "claim_route", "version", "updated_at"])
        events.record(locked, "classify", actor=actor,
                      data={"type": petition_type, "route": locked.claim_route, "before": before})
    for name in ("petition_type", "claim_route", "version"):
        setattr(petition, name, getattr(locked, name))
    return locked


# --- the 查询码 by SMS ------------------------------------------------------------------------

QUERY_PATH = "/petitions/query/"  # the public query page (``petitions:query``)


def _send_query_code(petition_id: int, number: str, phone: str, code: str) -> None:
    """Sent once the registration has committed (nothing goes out for a rolled-back one).
    The gateway is the site's SMS interface; neither the phone nor the code is logged."""
    from django.utils import translation

    from yancheng.core.notifications.channels import send_sms

    with translation.override(settings.LANGUAGE_CODE):  # the 信访人 reads Chinese
        title = _("您的信访事项 %(n)s 已登记，查询码 %(c)s，可凭此码查询办理进度和结果：") % {
            "n": number, "c": querycode.display(code),
        }
    try:
        send_sms(phone=phone, title=title, url=QUERY_PATH)
    except Exception as exc:  # DeliveryError or the gateway's own: the class only, never the message
        logger.warning("query code SMS for petition %s not sent (%s)", petition_id, type(exc).__name__)


# --- 不再受理 and 不予受理 ---------------------------------------------------------------------

# 第三十一条(一)–(五): the channel a 不予受理告知书 names, editable before it is issued.
ROUTE_CHANNELS: dict[str, Any] = {
    ClaimRoute.LITIGATION: gettext_lazy("请依法向人民法院提起诉讼，或者依法申请行政复议，或者向人民检察院、公安机关等有关机关提出。"),
    ClaimRoute.ARBITRATION: gettext_lazy("请依法申请仲裁（劳动人事争议请向劳动人事争议仲裁委员会申请仲裁）。"),
    ClaimRoute.PARTY: gettext_lazy("请依照党内法规的规定向有关党组织提出申诉。"),
    ClaimRoute.ADMINISTRATIVE: gettext_lazy("请依照有关法律、行政法规规定的程序向有关行政机关提出。"),
    ClaimRoute.STATUTORY_DUTY: gettext_lazy("请向依法负有履行该项职责的机关提出，由其依法履行或者答复。"),
}
ROUTE_ITEMS: dict[str, str] = {
    ClaimRoute.LITIGATION: "一", ClaimRoute.ARBITRATION: "二", ClaimRoute.PARTY: "三",
    ClaimRoute.ADMINISTRATIVE: "四", ClaimRoute.STATUTORY_DUTY: "五",
}
REASON_MAX = 2_000


def channel_text_for(route: str) -> str:
    """The channel a 不予受理告知书 names for a route of 第三十一条 (一)–(五); "" for (六)."""
    text = ROUTE_CHANNELS.get(route)
    return str(text) if text else ""


def _locked_for(petition: Petition, *, actor: Actor, perm: str, move: str, expected_version: int | None) -> Petition:
    locked = Petition.objects.select_for_update().get(pk=petition.pk)
    require(actor, perm, locked)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("该信访事项已被他人更新，请刷新后再操作。"), code="stale_version")
    if not can_move(locked.stage, move):
        raise ConflictError(
            _("该信访事项当前环节为“%(s)s”，不能执行此操作。") % {"s": locked.get_stage_display()}, code="invalid_stage"
        )
    return locked


def _end(locked: Petition, *, reason: str, now: dt.datetime, move: str) -> str:
    before = locked.stage
    locked.stage = target_of(locked.stage, move)
    locked.ended_at = now
    locked.end_reason = reason[:255]
    locked.transfer_due_at = None
    locked.version += 1
    locked.save(update_fields=["stage", "ended_at", "end_reason", "transfer_due_at", "version", "updated_at"])
    return before


def _copy_back(petition: Petition, locked: Petition) -> None:
    for name in ("stage", "ended_at", "end_reason", "transfer_due_at", "version"):
        setattr(petition, name, getattr(locked, name))


def petition_refuse_again(
    petition: Petition, *, actor: Actor, body: str = "", expected_version: int | None = None
) -> PetitionDocument:
    """第三十六条第三款: the same facts and reasons after 复核 are not accepted again. The
    信访部门 issues a 不再受理告知书 and the new filing leaves the books."""
    from .documents import document_issue

    body = clean_text(body, field="body", max_length=REASON_MAX)
    now = timezone.now()
    with transaction.atomic(), audit_batch():
        locked = _locked_for(petition, actor=actor, perm="petitions.classify", move="refuse_again",
                             expected_version=expected_version)
        if not locked.after_final:
            raise ConflictError(_("该信访事项不是终结后再次反映，不能出具不再受理告知书。"), code="not_after_final")
        text = body or str(_("您反映的问题已经复查、复核终结。根据《信访工作条例》第三十六条第三款，"
                             "以同一事实和理由提出的信访事项，不再受理。"))
        document = document_issue(locked, DocumentKind.NO_LONGER_ACCEPTED, actor=actor,
                                  issuer=organisation_of(actor), body=text)
        before = _end(locked, reason=_("终结后再次反映，不再受理"), now=now, move="refuse_again")
        events.record(locked, "refuse_again", actor=actor, public=True, before_stage=before,
                      data={"document": document.pk})
    _copy_back(petition, locked)
    return document


def petition_not_accept(
    petition: Petition, *, actor: Actor, reason: str, channel_text: str = "", expected_version: int | None = None
) -> PetitionDocument:
    """第三十一条(一)–(五): a 申诉求决 matter that belongs to another legal channel is not
    accepted in the 信访 channel; the 不予受理告知书 names the channel."""
    from .documents import document_issue

    reason = clean_text(reason, field="reason", max_length=REASON_MAX, required=_("请填写不予受理的理由。"))
    channel_text = clean_text(channel_text, field="channel_text", max_length=REASON_MAX)
    now = timezone.now()
    with transaction.atomic(), audit_batch():
        locked = _locked_for(petition, actor=actor, perm="petitions.classify", move="not_accept",
                             expected_version=expected_version)
        route = locked.claim_route
        if locked.petition_type != PetitionType.CLAIM or route not in ROUTE_ITEMS:
            raise ConflictError(
                _("只有归入《信访工作条例》第三十一条第（一）至（五）项途径的申诉求决类信访才出具不予受理告知书。"),
                code="not_other_channel",
            )
        if locked.stage != Stage.REGISTERED:
            raise ConflictError(_("已转送交办的信访事项由办理机关决定是否受理。"), code="invalid_stage")
        channel_text = channel_text or channel_text_for(route)
        basis = _("根据《信访工作条例》第三十一条第（%(i)s）项，本机关不予受理。") % {"i": ROUTE_ITEMS[route]}
        document = document_issue(locked, DocumentKind.NON_ACCEPTANCE, actor=actor, issuer=organisation_of(actor),
                                  body="\n".join(line for line in (reason, basis, channel_text) if line))
        before = _end(locked, reason=_("不予受理：属第三十一条第（%(i)s）项") % {"i": ROUTE_ITEMS[route]}, now=now,
                      move="not_accept")
        events.record(locked, "not_accept", actor=actor, public=True, before_stage=before,
                      data={"document": document.pk, "route": route})
    _copy_back(petition, locked)
    return document


# --- reveal -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RevealedPerson:
    name: str
    id_number: str
    phone: str
    address: str
    is_representative: bool


def petitioner_reveal(petitioner: Petitioner, *, actor: Actor) -> RevealedPerson:
    """An explicit, audited view of one 信访人's personal data. The audit record names the
    matter and the petitioner by id only, never the values."""
    petition = petitioner.petition
    require(actor, "petitions.reveal_personal", petition)
    audit_record("petition.personal_reveal", petition, actor=actor, after={"petitioner": petitioner.pk})
    return RevealedPerson(
        name=petitioner.name.reveal() if petitioner.name.is_set else "",
        id_number=petitioner.id_number.reveal() if petitioner.id_number.is_set else "",
        phone=petitioner.phone.reveal() if petitioner.phone.is_set else "",
        address=petitioner.address.reveal() if petitioner.address.is_set else "",
        is_representative=petitioner.is_representative,
    )


def petition_reissue_query_code(petition: Petition, *, actor: Actor | None) -> str:
    """A new 查询码 for a petitioner who lost theirs (the 信访部门 prints or sends it again);
    the old code stops opening the page at once. Returns the code, which exists only here."""
    if actor is not None:
        require(actor, "petitions.classify", petition)  # the 信访部门 that sees the matter
    code = querycode.new_code()
    with transaction.atomic(), audit_batch():
        locked = Petition.objects.select_for_update().get(pk=petition.pk)
        locked.query_code_digest = querycode.digest(code)
        locked.version += 1
        locked.save(update_fields=["query_code_digest", "version", "updated_at"])
        events.record(locked, "reissue_query_code", actor=actor)
    petition.query_code_digest, petition.version = locked.query_code_digest, locked.version
    return code
