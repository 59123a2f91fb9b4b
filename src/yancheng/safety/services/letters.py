"""安全生产责任书: each year the 安委办 issues a letter to each responsible unit; the unit signs
it and the signed file (a scan: PDF or image, its type checked by its content) is uploaded as
the letter's attachment. A letter issued and not signed is missing — on the 安委办's to-dos and
on the unit's own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.attachments.services import attachment_add
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Organisation, Role, User
from yancheng.core.models.visibility import is_citywide
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor, organisation_of

from ..models import ResponsibilityLetter
from .common import check_version, lock_visible, now
from .registry import ORG_KINDS

SIGNED_FILE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
FIRST_YEAR = 2000


def default_title(year: int) -> str:
    return _("%(year)d年度安全生产目标管理责任书") % {"year": year}


def _issuer_for(actor: Actor | None, issuer: Organisation | None) -> Organisation:
    """The 安委办 issuing: the actor's own office; the system (imports, the demo) names it."""
    if actor is not None:
        return organisation_of(actor)
    if issuer is None or issuer.kind != Organisation.Kind.OFFICE:
        raise ValidationFailed(_("没有可下达责任书的安委办。"), field="units")
    return issuer


def letters_issue(
    *, actor: Actor | None, year: int, units: Sequence[Organisation], title: str = "",
    issuer: Organisation | None = None,
) -> list[ResponsibilityLetter]:
    """Issue the year's letters to ``units`` in one step: all of them or none (a unit that
    already has the year's letter, or is not a unit the office may issue to, refuses the
    whole batch, naming it). A county's 安委办 issues to the units of its county."""
    require(actor, "safety.manage_letters")
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not FIRST_YEAR <= year <= this_year + 1:
        raise ValidationFailed(_("年度应在 %(a)d 至 %(b)d 之间。") % {"a": FIRST_YEAR, "b": this_year + 1}, field="year")
    if not units:
        raise ValidationFailed(_("请选择责任单位。"), field="units")
    title = clean_text(title, field="title", max_length=120) or default_title(year)
    seen: set[int] = set()
    for unit in units:
        if unit.pk in seen:
            raise ValidationFailed(_("「%(name)s」重复。") % {"name": unit.name}, field="units")
        seen.add(unit.pk)
        if unit.kind not in ORG_KINDS or not unit.is_active:
            raise ValidationFailed(_("「%(name)s」不能作为责任单位。") % {"name": unit.name}, field="units")
        if actor is not None and not is_citywide(actor) and unit.region_id != organisation_of(actor).region_id:
            raise ValidationFailed(_("「%(name)s」不在本辖区。") % {"name": unit.name}, field="units")
    issuer = _issuer_for(actor, issuer)
    at = now()
    with transaction.atomic():
        taken = list(
            ResponsibilityLetter.objects.select_for_update().filter(year=year, unit_id__in=seen)
            .select_related("unit").order_by("unit__code")
        )
        if taken:
            raise ValidationFailed(
                _("以下单位已有%(year)d年度责任书：%(names)s") % {"year": year, "names": "、".join(t.unit.name for t in taken)},
                field="units", code="duplicate",
            )
        letters = [
            ResponsibilityLetter.objects.create(
                year=year, unit=unit, issuer=issuer, title=title, issued_at=at, issued_by=actor,
            )
            for unit in units
        ]
        for letter in letters:
            audit_record("safety.letter.issue", letter, actor=actor,
                         after={"year": year, "unit": letter.unit.code, "issuer": issuer.code})
        recipients = User.objects.filter(organisation_id__in=seen, role=Role.SAFETY, is_active=True)
        transaction.on_commit(lambda: notify(
            recipients=recipients, verb="safety.letter_issued", title=title,
            body=_("请签订本单位%(year)d年度安全生产责任书，并上传签字盖章后的扫描件。") % {"year": year},
            url="/safety/letters/", actor=actor,
        ))
    return letters


def letter_sign(
    letter: ResponsibilityLetter, *, actor: Actor | None, signed_on: dt.date | None, signatory: str, file: Any,
    expected_version: int | None = None,
) -> ResponsibilityLetter:
    """Record the signing of a letter with its signed file (PDF or image, by content). The
    unit's own safety staff, or the 安委办 that sees it, records it (``actor`` None: the system,
    e.g. the demo); a letter is signed once."""
    require(actor, "safety.sign_letter", letter)
    signatory = clean_text(signatory, field="signatory", max_length=64, required=_("请填写签订人。"))
    if signed_on is None:
        raise ValidationFailed(_("请填写签订日期。"), field="signed_on")
    if signed_on > timezone.localdate():
        raise ValidationFailed(_("签订日期不能晚于今天。"), field="signed_on")
    if file is None:
        raise ValidationFailed(_("请上传签订后的责任书扫描件。"), field="file")
    with transaction.atomic():
        visible = ResponsibilityLetter.objects.all() if actor is None else ResponsibilityLetter.objects.visible_to(actor)
        letter = lock_visible(visible, letter.pk,
                              missing=_("责任书不存在或您无权查看。"))
        check_version(letter, expected_version)
        if letter.status != ResponsibilityLetter.Status.ISSUED:
            raise ValidationFailed(_("该责任书已签订。"), code="already_signed")
        if signed_on < timezone.localdate(letter.issued_at):
            raise ValidationFailed(_("签订日期不能早于下达日期。"), field="signed_on")
        attachment = attachment_add(letter, file=file, actor=actor)  # type: ignore[arg-type]  # None: the system
        if attachment.mime_type not in SIGNED_FILE_TYPES:
            path = attachment.storage_path
            path.unlink(missing_ok=True)
            raise ValidationFailed(_("签订后的责任书应为 PDF 或图片（jpg、png）扫描件。"), field="file",
                                   code="file_type_not_allowed")
        letter.status = ResponsibilityLetter.Status.SIGNED
        letter.signed_on = signed_on
        letter.signatory = signatory
        letter.signed_recorded_by = actor
        letter.version += 1
        letter.save(update_fields=["status", "signed_on", "signatory", "signed_recorded_by", "version"])
        audit_record("safety.letter.sign", letter, actor=actor,
                     after={"signed_on": signed_on.isoformat(), "signatory": signatory,
                            "attachment": str(attachment.pk)})
    return letter


def may_attach_to_letter(user: Any, letter: ResponsibilityLetter) -> bool:
    """The signed file is uploaded by whoever may record the signing, while it is unsigned."""
    return letter.status == ResponsibilityLetter.Status.ISSUED and bool(user.has_perm("safety.sign_letter", letter))
