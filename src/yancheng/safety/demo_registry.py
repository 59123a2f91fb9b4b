"""The registry's demo (全覆盖): Hengyang's systems from ``data/systems-430400.json`` (see its
README: demo data from public sources, most systems marked as examples), built through the
family's services on top of the demo city (``core/demo.py``):

- the organisations the file names that the demo city lacks (公安局, 交警支队, 教育局 …);
- every system with its checklist and duties;
- a unit per system for the city and for each county or district: the leading department's
  county counterpart where the demo city has one (``qd-scjg`` for ``hy-scjg``), else the city
  department itself — except 城镇燃气 in 祁东县, left without a unit so that the coverage page
  shows a gap;
- a few responsible persons per region (invented names, their title marked 示例);
- the coverage refreshed by industry code;
- this year's letters to the leading departments and the county governments, all signed but 3.

The lead wires ``load_registry_demo`` into the module's demo loader."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from yancheng.core.models import Organisation, Region
from yancheng.core.services import organisation_create

from .models import PostKind, SafetySystem
from .services.coverage import coverage_refresh
from .services.letters import letter_sign, letters_issue
from .services.registry import duty_add, item_add, person_add, system_create, unit_set

DATA = Path(__file__).resolve().parent / "data" / "systems-430400.json"
GAP = ("gas", "430426")  # 城镇燃气 in 祁东县: the demo's coverage gap
MISSING_LETTERS = 3
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def _registry_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def _scan() -> bytes:
    """A one-pixel PNG standing for the signed scan of a demo letter."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def _counties(city: Region) -> list[Region]:
    return list(Region.objects.filter(parent=city, kind__in=["district", "county", "county_city"]).order_by("code"))


def _slug(org: Organisation, county: Region) -> str | None:
    """The county counterpart's code of a city department (``hy-scjg`` → ``qd-scjg``)."""
    gov = Organisation.objects.filter(region=county, kind="government", code__endswith="-gov").first()
    if gov is None or not org.code.startswith("hy-"):
        return None
    return f"{gov.code[:-4]}-{org.code[3:]}"


@transaction.atomic
def load_registry_demo() -> dict[str, int]:
    """Load the registry's demo into the demo city (idempotent on the systems: a system whose
    code exists is left as it is). Returns counts."""
    data = _registry_data()
    city = Region.objects.get(code=data["city"])
    city_gov = Organisation.objects.get(code="hy-gov")
    office = Organisation.objects.filter(code="hy-awb").first() or organisation_create(
        code="hy-awb", name="衡阳市安全生产委员会办公室", kind="office", region=city, parent=city_gov, actor=None)
    for entry in data["organisations"]:
        if not Organisation.objects.filter(code=entry["code"]).exists():
            organisation_create(code=entry["code"], name=entry["name"], short_name=entry.get("short_name", ""),
                                kind=entry["kind"], region=city, parent=city_gov, actor=None)
    orgs = {o.code: o for o in Organisation.objects.exclude(kind="enterprise")}
    counties = _counties(city)
    created = 0
    for entry in data["systems"]:
        if SafetySystem.objects.filter(code=entry["code"]).exists():
            continue
        created += 1
        system = system_create(
            actor=None, code=entry["code"], name=entry["name"], name_en=entry.get("name_en", ""),
            category=entry["category"], leading_org=orgs[entry["leading_org"]],
            co_orgs=[orgs[c] for c in entry.get("co_orgs", []) if c in orgs],
            industry_codes=entry.get("industry_codes", []), repeat_window_days=entry.get("repeat_window_days", 90),
            is_example=entry.get("is_example", True), summary="按演示数据建立",
        )
        for position, item in enumerate(entry.get("checklist", []), start=1):
            item_add(system, actor=None, code=item["code"], text=item["text"], basis=item.get("basis", ""),
                     is_major_criterion=item.get("major", False), position=position, summary="按演示数据建立")
        for position, duty in enumerate(entry.get("duties", []), start=1):
            duty_add(system, actor=None, level=duty["level"], text=duty["text"], frequency=duty.get("frequency", ""),
                     checks_enterprises=duty.get("checks_enterprises", False),
                     scope_industry_codes=duty.get("scope_industry_codes", []), position=position,
                     summary="按演示数据建立")
        leading = orgs[entry["leading_org"]]
        unit_set(system, actor=None, region=city, organisation=leading)
        for county in counties:
            if (system.code, county.code) == GAP:
                continue
            counterpart = _slug(leading, county)
            unit_set(system, actor=None, region=county, organisation=orgs.get(counterpart or "", leading))
        _persons(system, city, counties, orgs)
    coverage_refresh(actor=None)
    letters = _letters(office, counties, orgs)
    return {"systems": created, "letters": letters}


def _name(index: int) -> str:
    return f"{SURNAMES[index % len(SURNAMES)]}示例"


def _persons(system: SafetySystem, city: Region, counties: list[Region], orgs: dict[str, Organisation]) -> None:
    """党政同责、一岗双责 in the city and the first counties: the leader in charge (at the
    region's government), the head of the unit, and a grid person of the county's park."""
    n = system.pk * 7
    for region in [city, *counties[:3]]:
        unit = system.units.filter(region=region).select_related("organisation").first()
        gov = Organisation.objects.filter(region=region, kind="government").order_by("code").first()
        if unit is None or gov is None:
            continue
        person_add(system, actor=None, region=region, organisation=gov, post=PostKind.LEADER_IN_CHARGE,
                   name=_name(n), title="分管副职（示例）")
        person_add(system, actor=None, region=region, organisation=unit.organisation, post=PostKind.DEPARTMENT_HEAD,
                   name=_name(n + 1), title="主要负责人（示例）")
        park = Organisation.objects.filter(region=region, kind="park").order_by("code").first()
        if park is not None:
            person_add(system, actor=None, region=region, organisation=park, post=PostKind.GRID,
                       name=_name(n + 2), title="网格员（示例）")
        n += 3


def _letters(office: Organisation, counties: list[Region], orgs: dict[str, Organisation]) -> int:
    """This year's letters: every leading department and county government; all signed but
    the last ``MISSING_LETTERS``."""
    from .models import ResponsibilityLetter

    year = timezone.localdate().year
    units = list(Organisation.objects.filter(led_safety_systems__isnull=False).distinct().order_by("code"))
    units += list(Organisation.objects.filter(region__in=counties, kind="government").order_by("code"))
    units = [u for u in units if not ResponsibilityLetter.objects.filter(year=year, unit=u).exists()]
    if not units:
        return 0
    letters = letters_issue(actor=None, year=year, units=units, issuer=office)
    today = timezone.localdate()
    for letter in letters[: max(0, len(letters) - MISSING_LETTERS)]:
        letter_sign(letter, actor=None, signed_on=today, signatory=f"{_name(letter.pk)}（示例）",
                    file=SimpleUploadedFile("责任书扫描件.png", _scan(), content_type="image/png"))
    return len(letters)
