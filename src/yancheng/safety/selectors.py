"""Reads shared by the safety pages, the API, the exports and the dashboard."""

from __future__ import annotations

from yancheng.core.models import Enterprise, Organisation, Region

from .models import EnterpriseSystem, SafetySystem, SystemUnit


def responsible_org_for(system: SafetySystem, *, enterprise: Enterprise | None = None,
                        region: Region | None = None) -> Organisation | None:
    """Who supervises ``enterprise`` (or a place in ``region``) under ``system``: the department
    named by hand on the enterprise's mapping, else the system's unit for the region, else
    None — a coverage gap."""
    if enterprise is not None:
        named = (
            EnterpriseSystem.objects.filter(enterprise_id=enterprise.pk, system_id=system.pk, responsible_org__isnull=False)
            .select_related("responsible_org").first()
        )
        if named is not None:
            return named.responsible_org
        region = enterprise.region
    if region is None:
        return None
    unit = SystemUnit.objects.filter(system_id=system.pk, region_id=region.pk).select_related("organisation").first()
    return unit.organisation if unit is not None else None


def supervising_org_for(system: SafetySystem, *, enterprise: Enterprise | None = None,
                        region: Region | None = None) -> Organisation:
    """Who receives a hazard: the responsible department, or — where nobody covers the
    enterprise or place (a gap the 安委办 sees) — the system's leading department."""
    return responsible_org_for(system, enterprise=enterprise, region=region) or system.leading_org
