"""The matter's notices (告知书, 意见书, 协议书, 转送/交办 forms): numbered when issued, kept as
rows, rendered as 公文 (.docx, GB/T 9704 via ``core.kit.documents``) when downloaded, and
served to the 信访人 with a date (SPEC §8; 网上办理规程: each document and its date is public)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_batch
from yancheng.core.errors import ConflictError, ValidationFailed
from yancheng.core.kit.documents import OfficialDocument
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor

from . import events
from .models import DocumentKind, Petition, PetitionDocument, PetitionReview
from .numbering import next_document_number

BODY_MAX = 20_000


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
    A served date cannot be in the future or before the notice was made."""
    from yancheng.core.kit.require import require

    if how not in PetitionDocument.ServedBy.values:
        raise ValidationFailed(_("请选择送达方式。"), field="how")
    with transaction.atomic(), audit_batch():
        locked = PetitionDocument.objects.select_for_update().select_related("petition").get(pk=document.pk)
        petition = locked.petition
        require(actor, "petitions.serve", petition)
        if locked.served_at is not None:
            raise ConflictError(_("该文书已于 %(d)s 送达。") % {"d": timezone.localdate(locked.served_at)},
                                code="already_served")
        made_on = timezone.localdate(locked.created_at)
        if served_on > timezone.localdate() or served_on < made_on:
            raise ValidationFailed(_("送达日期应在制作日期（%(d)s）和今天之间。") % {"d": made_on}, field="served_on")
        moment = dt.datetime.combine(served_on, dt.time(12), tzinfo=timezone.get_current_timezone())
        locked.served_at = min(moment, timezone.now())
        locked.served_how = how
        locked.save(update_fields=["served_at", "served_how"])
        events.record(petition, "document_serve", actor=actor, public=locked.is_public,
                      data={"document": locked.pk, "kind": locked.kind, "served_on": served_on.isoformat()})
    document.served_at, document.served_how = locked.served_at, locked.served_how
    return locked


def render(document: PetitionDocument) -> bytes:
    """The .docx of a notice, made from the row and the matter each time it is asked for."""
    petition = document.petition
    doc = OfficialDocument(document.get_kind_display(), issuer=document.issuer.name,
                           date=timezone.localdate(document.created_at))
    doc.subtitle(document.number)
    names = "、".join(p.name.reveal() for p in petition.petitioners.all()) or _("信访人")
    doc.paragraph(_("%(names)s：") % {"names": names})
    doc.paragraph(
        _("您（们）于 %(d)s 提出的信访事项（编号 %(n)s）：%(t)s。")
        % {"d": petition.received_on, "n": petition.number, "t": petition.title}
    )
    for line in (document.body or "").splitlines():
        if line.strip():
            doc.paragraph(line.strip())
    return doc.to_bytes()
