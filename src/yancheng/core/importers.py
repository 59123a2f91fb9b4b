"""Importing enterprises from .xlsx: every row through `enterprise_create_many` (the checks
of `enterprise_create`, written in bulk), all or nothing, with a row-by-row error report. A
dry run validates everything and writes nothing. The flow is the kit's
(`yancheng.core.kit.imports`); this module holds the columns and how a row reads."""

from __future__ import annotations

import re
from functools import partial
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yancheng.core.kit.imports import ImportReport, RowInvalid, RowProblems, import_rows, lookup_key
from yancheng.core.typing import Actor
from yancheng.lib.xlsx import SheetRow, read_rows

from .models import Enterprise, IndustryChain, Organisation, Region
from .services import enterprise_create_many, enterprise_validate_many

# Canonical column names (the Chinese headers of the template) and accepted aliases.
COLUMNS: list[tuple[str, Any, bool]] = [
    ("统一社会信用代码", gettext_lazy("18 位，必填"), True),
    ("企业名称", gettext_lazy("必填"), True),
    ("所在区划", gettext_lazy("区划代码或名称，如 430426 或 祁东县，必填"), True),
    ("所在园区", gettext_lazy("园区名称或机构编码，可空"), False),
    ("产业链", gettext_lazy("多个用“、”分隔，可空"), False),
    ("法定代表人", "", False),
    ("地址", "", False),
    ("规上工业", gettext_lazy("是/否"), False),
    ("限上批零住餐", gettext_lazy("是/否"), False),
    ("资质等级建筑业", gettext_lazy("是/否"), False),
    ("规上服务业", gettext_lazy("是/否"), False),
    ("专精特新梯度", gettext_lazy("创新型中小企业/专精特新中小企业/专精特新“小巨人”，可空"), False),
    ("信用风险等级", gettext_lazy("A/B/C/D，默认 B"), False),
    ("行业代码", gettext_lazy("国民经济行业代码（GB/T 4754-2017），门类字母加 2 至 4 位数字，如 C3311，可空"), False),
]
REQUIRED = [name for name, _help, required in COLUMNS if required]
ALIASES = {
    "USCC": "统一社会信用代码",
    "统一信用代码": "统一社会信用代码",
    "Name": "企业名称",
    "名称": "企业名称",
    "Region": "所在区划",
    "区划": "所在区划",
    "区县": "所在区划",
    "Park": "所在园区",
    "园区": "所在园区",
    "Chains": "产业链",
    "Grade": "信用风险等级",
    "国民经济行业代码": "行业代码",
    "行业分类代码": "行业代码",
    "Industry code": "行业代码",
}
YES = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
NO = {"否", "n", "no", "false", "0", "", "×", "✗", "无", "-", "—"}
# The usual ways of writing a tier besides its label (compared as `lookup_key`s).
TIER_SPELLINGS = {
    "小巨人": Enterprise.SrdiTier.LITTLE_GIANT,
    "小巨人企业": Enterprise.SrdiTier.LITTLE_GIANT,
    "专精特新小巨人企业": Enterprise.SrdiTier.LITTLE_GIANT,
    "国家级专精特新小巨人": Enterprise.SrdiTier.LITTLE_GIANT,
    "国家级专精特新小巨人企业": Enterprise.SrdiTier.LITTLE_GIANT,
    "专精特新": Enterprise.SrdiTier.SRDI_SME,
    "专精特新企业": Enterprise.SrdiTier.SRDI_SME,
    "创新型": Enterprise.SrdiTier.INNOVATIVE_SME,
    "创新型企业": Enterprise.SrdiTier.INNOVATIVE_SME,
}


def _flag(value: Any, column: str) -> bool:
    text = lookup_key(value)
    if text in YES:
        return True
    if text in NO:
        return False
    raise RowInvalid(column, _("只能填“是”或“否”，不是“%(v)s”。") % {"v": value})


class _Lookups:
    """Resolves names and codes once per import instead of once per row; every key is a
    `lookup_key`, so the usual spellings of a name all match."""

    def __init__(self) -> None:
        self.regions: dict[str, Region] = {}
        for region in Region.objects.all():
            self.regions[lookup_key(region.code)] = region
            self.regions[lookup_key(region.name)] = region
        self.parks: dict[str, Organisation] = {}
        for park in Organisation.objects.filter(kind=Organisation.Kind.PARK):
            self.parks[lookup_key(park.code)] = park
            self.parks[lookup_key(park.name)] = park
            if park.short_name:
                self.parks[lookup_key(park.short_name)] = park
        self.chains: dict[str, IndustryChain] = {}
        for chain in IndustryChain.objects.all():
            self.chains[lookup_key(chain.code)] = chain
            self.chains[lookup_key(chain.name)] = chain
        # Spreadsheets are written in Chinese whatever language the importer's UI speaks.
        self.tiers: dict[str, str] = {lookup_key(spelling): value for spelling, value in TIER_SPELLINGS.items()}
        for language in ("zh-hans", translation.get_language() or "zh-hans"):
            with translation.override(language):
                for value, label in Enterprise.SrdiTier.choices:
                    if value:
                        self.tiers[lookup_key(label)] = value
                        self.tiers[lookup_key(value)] = value


def _text(values: dict[str, Any], column: str) -> str:
    return str(values.get(column) or "").strip()


def _region(values: dict[str, Any], lookups: _Lookups) -> Region:
    key = _text(values, "所在区划")
    region = lookups.regions.get(lookup_key(key))
    if region is None:
        raise RowInvalid("所在区划", _("找不到区划“%(v)s”。") % {"v": key})
    return region


def _park(values: dict[str, Any], lookups: _Lookups) -> Organisation | None:
    key = _text(values, "所在园区")
    if not key:
        return None
    park = lookups.parks.get(lookup_key(key))
    if park is None:
        raise RowInvalid("所在园区", _("找不到园区“%(v)s”。") % {"v": key})
    return park


def _chains(values: dict[str, Any], lookups: _Lookups) -> list[IndustryChain]:
    chains = []
    for name in re.split(r"[、,，;；/]", _text(values, "产业链")):
        name = name.strip()
        if not name:
            continue
        chain = lookups.chains.get(lookup_key(name))
        if chain is None:
            raise RowInvalid("产业链", _("找不到产业链“%(v)s”。") % {"v": name})
        chains.append(chain)
    return chains


def _tier(values: dict[str, Any], lookups: _Lookups) -> str:
    label = _text(values, "专精特新梯度")
    if lookup_key(label) in ("", *NO):
        return ""
    tier = lookups.tiers.get(lookup_key(label), "")
    if not tier:
        raise RowInvalid("专精特新梯度", _("未知的专精特新梯度“%(v)s”。") % {"v": label})
    return tier


def _row_arguments(row: SheetRow, lookups: _Lookups) -> dict[str, Any]:
    """The arguments of `enterprise_create` for one row; every column's problem is
    reported, not only the first."""
    values = row.values
    problems = RowProblems()
    no_chains: list[IndustryChain] = []
    arguments: dict[str, Any] = {
        "uscc": lookup_key(values.get("统一社会信用代码")).upper(),
        "name": _text(values, "企业名称"),
        "region": problems.read(lambda: _region(values, lookups), None),
        "park": problems.read(lambda: _park(values, lookups), None),
        "chains": problems.read(lambda: _chains(values, lookups), no_chains),
        "legal_representative": _text(values, "法定代表人"),
        "address": _text(values, "地址"),
        "industry_code": _text(values, "行业代码"),
        "srdi_tier": problems.read(lambda: _tier(values, lookups), ""),
        "grade": lookup_key(values.get("信用风险等级")).upper() or "B",
    }
    for field_name, column in FLAG_COLUMNS.items():
        arguments[field_name] = problems.read(partial(_flag, values.get(column), column), False)
    problems.check()
    return arguments


FLAG_COLUMNS = {
    "is_above_scale_industry": "规上工业",
    "is_above_quota_trade": "限上批零住餐",
    "is_qualified_construction": "资质等级建筑业",
    "is_above_scale_service": "规上服务业",
}
FIELD_COLUMNS = {
    "uscc": "统一社会信用代码",
    "name": "企业名称",
    "region": "所在区划",
    "park": "所在园区",
    "grade": "信用风险等级",
    "srdi_tier": "专精特新梯度",
    "legal_representative": "法定代表人",
    "address": "地址",
    "industry_code": "行业代码",
}


def enterprises_import(source: IO[bytes] | bytes, *, actor: Actor | None, dry_run: bool) -> ImportReport:
    """Every row through `enterprise_create_many`, all or nothing (the kit's `import_rows`);
    a code given twice in the file is refused."""
    rows = read_rows(source, required=REQUIRED, aliases=ALIASES)
    lookups = _Lookups()
    return import_rows(
        rows,
        read=lambda row: _row_arguments(row, lookups),
        key_column="统一社会信用代码",
        key=lambda arguments: str(arguments["uscc"]).strip().upper(),
        create_many=lambda batch: enterprise_create_many(batch, actor=actor),
        validate_many=lambda batch: enterprise_validate_many(batch, actor=actor),
        field_columns=FIELD_COLUMNS,
        dry_run=dry_run,
    )
