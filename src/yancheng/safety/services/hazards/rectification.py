"""整改 and 销号: the rectifier's evidence (the 'after' photos are the submission's
attachments), and the verification on site by someone else of the supervising department —
never the submitter, never an enterprise — recorded as a 销号核查 check. Passed closes the
rectification case (办结) and the hazard (销号); not passed sends it back."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.cases.services import case_resolve
from yancheng.core.attachments.services import attachment_add
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from yancheng.core.kit.text import clean_text
from yancheng.core.models import Role
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor, organisation_of
from yancheng.inspections.shared import visit_open_for_findings

from ...models import CheckKind, CheckOutcome, CheckResult, HazardStage, Rectification, SafetyCheck
from ...models.hazards import Hazard
from ..common import now, numbered, placeholder_number
from .base import hazard_url, locked_for, rectifiers_of, safety_staff_of

NOTE_MAX = Rectification._meta.get_field("decision_note").max_length or 300
MAX_PHOTOS = 9


def _attach(obj: Any, files: Sequence[Any], actor: Actor, stored: list[Path]) -> None:
    for upload in files:
        try:
            stored.append(attachment_add(obj, file=upload, actor=actor).storage_path)
        except DomainError as exc:
            raise ValidationFailed(
                _("“%(name)s”未能上传：%(reason)s") % {"name": getattr(upload, "name", ""), "reason": exc.message},
                field="attachments",
            ) from exc


def hazard_submit_evidence(
    hazard: Hazard | int,
    *,
    actor: Actor,
    measures_taken: str,
    attachments: Sequence[Any] = (),
    expected_version: int | None = None,
) -> Rectification:
    """提交整改: the rectifier (the enterprise's staff; for a place without an enterprise, the
    supervising department) says what was done, with the 'after' photos; the hazard waits
    for verification. All or nothing: a refused photo leaves no submission and no file."""
    measures_taken = clean_text(measures_taken, field="measures_taken", max_length=4000,
                                required=_("请填写整改情况。"))
    if len(attachments) > MAX_PHOTOS:
        raise ValidationFailed(_("最多上传 %(n)d 张整改照片。") % {"n": MAX_PHOTOS}, field="attachments")
    stored: list[Path] = []
    try:
        with transaction.atomic():
            h = locked_for(hazard, "submit_evidence", actor, expected_version)
            at = now()
            rectification = Rectification.objects.create(
                hazard=h, measures_taken=measures_taken, submitted_by=actor, submitted_at=at,
            )
            _attach(rectification, attachments, actor, stored)
            h.stage = HazardStage.AWAITING_VERIFICATION
            h.rectified_at = at
            h.version += 1
            h.save(update_fields=["stage", "rectified_at", "version"])
            audit_record("hazard.submit_evidence", h, actor=actor,
                         after={"rectification": rectification.pk, "photos": len(attachments)})
            recipients = [u for u in safety_staff_of(h.supervising_org) if u.pk != actor.pk]
            url = hazard_url(h)
            notify(
                recipients=recipients, verb="hazard.evidence", title=_("隐患整改待验收：%(t)s") % {"t": h.title},
                url=url, obj=h, actor=actor,
            )
    except BaseException:
        for path in stored:
            path.unlink(missing_ok=True)
        raise
    return rectification


def _verification_check(h: Hazard, actor: Actor, passed: bool, note: str, inspection: int | None) -> SafetyCheck | None:
    """The 销号核查 record: the checklist item's result on site, optionally on the verifier's
    own registration of the follow-up visit. A place without an enterprise has no check record
    (a check is of an enterprise); the decision is still kept on the submission."""
    if h.enterprise is None:
        if inspection is not None:
            raise ValidationFailed(_("无企业的隐患不关联入企检查登记。"), field="inspection")
        return None
    visit = None
    if inspection is not None:
        visit = visit_open_for_findings(actor, inspection)
        if visit is None or visit.enterprise_id != h.enterprise_id:
            raise ValidationFailed(_("请选择您本人对该企业的近期入企检查登记。"), field="inspection")
        if SafetyCheck.objects.filter(inspection_id=visit.pk, system_id=h.system_id).exists():
            raise ValidationFailed(_("该次入企检查已记录本责任制的检查。"), field="inspection")
    at = now()
    check = SafetyCheck.objects.create(
        number=placeholder_number(), kind=CheckKind.VERIFICATION, enterprise=h.enterprise,
        system=h.system, organisation=organisation_of(actor), inspection_id=visit.pk if visit else None,
        performed_by=actor, performed_on=timezone.localdate(at), summary=note, recorded_at=at,
    )
    check.number = numbered("XH", check.pk, at)
    check.save(update_fields=["number"])
    if h.item is not None:
        CheckResult.objects.create(
            check_record=check, item=h.item, outcome=CheckOutcome.PASS if passed else CheckOutcome.FAIL, note=note[:300]
        )
    return check


def hazard_verify(
    hazard: Hazard | int,
    *,
    actor: Actor,
    passed: bool,
    note: str,
    inspection: int | None = None,
    expected_version: int | None = None,
) -> Hazard:
    """验收: someone else of the supervising department checks on site. Passed → 销号 (the
    case 办结 by the verifier, the submission accepted); not passed → 退回整改 (the rectifier
    told, the hazard back in 整改中 under the same deadline)."""
    note = clean_text(note, field="note", max_length=NOTE_MAX,
                      required=_("请填写验收意见。") if not passed else None)
    action = "verify" if passed else "send_back"
    with transaction.atomic():
        h = locked_for(hazard, action, actor, expected_version)
        pending = h.rectifications.select_for_update().filter(outcome=Rectification.Outcome.PENDING).first()
        # The stage table said so already; said again here, where the row is locked.
        if actor.role == Role.ENTERPRISE or (pending is not None and pending.submitted_by_id == actor.pk):
            raise PermissionDeniedError(_("整改验收须由监管部门的其他人员进行。"))
        at = now()
        check = _verification_check(h, actor, passed, note, inspection)
        if pending is not None:
            pending.outcome = Rectification.Outcome.ACCEPTED if passed else Rectification.Outcome.SENT_BACK
            pending.decided_by, pending.decided_at, pending.decision_note = actor, at, note
            pending.save(update_fields=["outcome", "decided_by", "decided_at", "decision_note"])
        url = hazard_url(h)
        if passed:
            assert h.case is not None
            case_resolve(h.case, actor=actor, resolution=note or _("隐患整改验收合格，予以销号。"))
            h.stage = HazardStage.CLOSED
            h.closed_at, h.closed_by = at, actor
            h.verification = check
            title = _("隐患已验收销号：%(t)s") % {"t": h.title}
        else:
            h.stage = HazardStage.RECTIFYING
            title = _("隐患整改未通过验收，请继续整改：%(t)s") % {"t": h.title}
        h.version += 1
        h.save()
        audit_record("hazard.verify" if passed else "hazard.send_back", h, actor=actor,
                     after={"passed": passed, "note": note, "check": check.number if check else None})
        recipients = rectifiers_of(h)
        notify(
            recipients=recipients, verb="hazard.verified" if passed else "hazard.sent_back", title=title,
            body=note, url=url, obj=h, actor=actor,
        )
    return h
