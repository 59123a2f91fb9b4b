"""安全生产通报: a 安委办 issues the month's bulletin (its figures kept as they stood)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.numbering import document_number
from yancheng.core.kit.require import require
from yancheng.core.models import Organisation, Role, User
from yancheng.core.notifications.services import notify
from yancheng.core.typing import Actor, organisation_of

from ..models import Bulletin
from .common import now

# The 代字 of the bulletin's 文号 and its counter (one per 安委办).
BULLETIN_CODE = "安通"


def bulletin_issue(*, month: dt.date, actor: Actor, expected_version: int | None = None) -> Bulletin:
    """印发: the 安委办 issues the bulletin of a month that has ended, once; numbered from its
    own series; the leaders of its region are told."""
    from ..bulletin import bulletin_data

    require(actor, "safety.issue_bulletin")
    first = dt.date(month.year, month.month, 1)
    today = timezone.localdate()
    if first > dt.date(today.year, today.month, 1):
        raise ValidationFailed(_("不能印发尚未到来月份的通报。"), field="month")
    issuer: Organisation = organisation_of(actor)
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=issuer.pk).first()  # one clerk at a time
        if Bulletin.objects.filter(issuer_id=issuer.pk, month=first).exists():
            raise ValidationFailed(_("本单位该月的通报已印发。"), field="month")
        issued_at = now()
        bulletin = Bulletin.objects.create(
            month=first, issuer=issuer, data=bulletin_data(actor, first, now=issued_at), issued_by=actor,
            issued_at=issued_at,
            number=document_number(issuer, BULLETIN_CODE, timezone.localtime(issued_at).year,
                                   f"doc:{issuer.pk}:safety_bulletin"),
        )
        audit_record("safety.bulletin_issue", bulletin, actor=actor,
                     after={"number": bulletin.number, "month": first.isoformat()})
        leaders = User.objects.filter(role=Role.LEADER, organisation__region_id=issuer.region_id)
        title = _("安全生产通报已印发：%(number)s") % {"number": bulletin.number}
        url = reverse("safety:bulletin_list")
        transaction.on_commit(lambda: notify(recipients=leaders, verb="safety.bulletin_issued", title=title, url=url,
                                             obj=bulletin, actor=actor))
    return bulletin
