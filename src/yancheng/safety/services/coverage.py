"""全覆盖: every enterprise in scope is mapped to its systems — by its 国民经济行业代码 (a
system's ``industry_codes`` prefixes) or by hand — and to the department that supervises it
(the mapping's own ``responsible_org``, else the system's unit in its region). The industry
mapping is refreshed daily (``safety.coverage_refresh``) and from the coverage page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import NotFoundError, ValidationFailed
from yancheng.core.kit.require import require
from yancheng.core.models import Enterprise, Organisation
from yancheng.core.typing import Actor

from ..models import EnterpriseSystem, MappingSource, SafetySystem
from .common import now
from .registry import ORG_KINDS


@dataclass(frozen=True)
class RefreshResult:
    added: int
    removed: int
    kept: int


def industry_matches(industry_code: str, prefixes: list[str]) -> bool:
    """An enterprise's code is in a system's scope when it starts with one of its prefixes."""
    code = (industry_code or "").upper()
    return bool(code) and any(code.startswith(prefix.upper()) for prefix in prefixes if prefix)


def _scope_q(prefixes: list[str]) -> Q:
    q = Q(pk__in=[])
    for prefix in prefixes:
        if prefix:
            q |= Q(industry_code__startswith=prefix.upper())
    return q


def coverage_refresh(*, actor: Actor | None) -> RefreshResult:
    """Map every active enterprise to every active system whose industry prefixes match its
    industry code (source INDUSTRY); INDUSTRY rows that no longer match (code changed, system
    retired or narrowed, enterprise closed) are removed; MANUAL rows are kept as they are."""
    require(actor, "safety.manage_registry")
    at = now()
    added = removed = kept = 0
    with transaction.atomic():
        systems = list(SafetySystem.objects.select_for_update().order_by("pk"))
        for system in systems:
            rows = EnterpriseSystem.objects.filter(system_id=system.pk)
            existing = dict(rows.values_list("enterprise_id", "source"))
            wanted: set[int] = set()
            if system.is_active and system.industry_codes:
                wanted = set(
                    Enterprise.objects.filter(is_active=True).filter(_scope_q(list(system.industry_codes)))
                    .values_list("pk", flat=True)
                )
            stale = [pk for pk, source in existing.items() if source == MappingSource.INDUSTRY and pk not in wanted]
            if stale:
                removed += rows.filter(enterprise_id__in=stale, source=MappingSource.INDUSTRY).delete()[0]
            new = sorted(wanted - set(existing))
            EnterpriseSystem.objects.bulk_create(
                [EnterpriseSystem(enterprise_id=pk, system=system, source=MappingSource.INDUSTRY, mapped_at=at)
                 for pk in new],
                batch_size=1000,
            )
            added += len(new)
            kept += len(existing) - len(stale)
        audit_record("safety.coverage.refresh", None, actor=actor,
                     after={"added": added, "removed": removed, "kept": kept})
    return RefreshResult(added=added, removed=removed, kept=kept)


def _check_enterprise(actor: Actor | None, enterprise: Enterprise) -> None:
    if actor is not None and not Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists():
        raise NotFoundError(_("企业不存在或您无权查看。"))


def mapping_add(
    *, actor: Actor | None, enterprise: Enterprise, system: SafetySystem, responsible_org: Organisation | None = None,
) -> EnterpriseSystem:
    """Put an enterprise in a system's scope by hand (MANUAL, kept by the refresh), optionally
    naming the department that supervises it there. An existing row (by industry or by hand)
    becomes a manual one with the given department."""
    require(actor, "safety.manage_coverage")
    _check_enterprise(actor, enterprise)
    if not system.is_active:
        raise ValidationFailed(_("该责任制已停用。"), field="system")
    if responsible_org is not None and (responsible_org.kind not in ORG_KINDS or not responsible_org.is_active):
        raise ValidationFailed(_("「%(name)s」不能作为监管部门。") % {"name": responsible_org.name},
                               field="responsible_org")
    with transaction.atomic():
        row = EnterpriseSystem.objects.select_for_update().filter(enterprise_id=enterprise.pk, system_id=system.pk).first()
        before = None
        if row is None:
            row = EnterpriseSystem.objects.create(
                enterprise=enterprise, system=system, source=MappingSource.MANUAL, responsible_org=responsible_org,
                mapped_at=now(),
            )
        else:
            before = {"source": row.source, "responsible_org": row.responsible_org_id}
            row.source = MappingSource.MANUAL
            row.responsible_org = responsible_org
            row.save(update_fields=["source", "responsible_org"])
        audit_record("safety.mapping.add", row, actor=actor, before=before,
                     after={"enterprise": enterprise.uscc, "system": system.code,
                            "responsible_org": responsible_org.code if responsible_org else None})
    return row


def mapping_remove(mapping: EnterpriseSystem, *, actor: Actor | None) -> None:
    """Take an enterprise out of a system's scope. A row that its industry code put there is
    not removed by hand (the next refresh would bring it back): change the system's codes."""
    require(actor, "safety.manage_coverage")
    _check_enterprise(actor, mapping.enterprise)
    with transaction.atomic():
        row = EnterpriseSystem.objects.select_for_update().select_related("enterprise", "system").filter(
            pk=mapping.pk).first()
        if row is None:
            raise NotFoundError(_("该覆盖关系不存在。"))
        if row.source == MappingSource.INDUSTRY and industry_matches(row.enterprise.industry_code,
                                                                     list(row.system.industry_codes)):
            raise ValidationFailed(_("该企业按行业代码纳入此责任制，请修改责任制的覆盖行业代码。"), code="industry_mapping")
        audit_record("safety.mapping.remove", row, actor=actor,
                     before={"enterprise": row.enterprise.uscc, "system": row.system.code, "source": row.source})
        row.delete()
