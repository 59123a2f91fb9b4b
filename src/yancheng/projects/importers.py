"""Importing projects from .xlsx (SPEC §9): every row through the registry's
``project_create_many`` (the checks of ``project_create`` and, for the year's plan,
``annual_plan_set``, written in bulk), all or nothing, with a row-by-row error report. A
dry run validates everything by really creating it inside a transaction that is rolled
back, so it writes nothing. The flow is the kit's (`yancheng.core.kit.imports`); this
module holds the columns and how a row reads."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import IO, Any, TypeVar

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yancheng.core.kit.imports import ImportReport, RowInvalid, RowProblems, import_rows, lookup_key
from yancheng.core.models import Enterprise, IndustryChain, Organisation, Region
from yancheng.core.typing import Actor
from yancheng.lib.xlsx import SheetRow, read_rows

from .models import Category, Stage
from .services.registry import project_create_many, project_validate_many

COLUMNS: list[tuple[str, Any, bool]] = [
    ("项目编号", gettext_lazy("可空，空则自动编号（XM年份-序号）"), False),
    ("项目名称", gettext_lazy("必填"), True),
    ("业主企业（统一社会信用代码）", gettext_lazy("已登记企业的 18 位代码，可空"), False),
    ("所在区划", gettext_lazy("区划代码或名称，如 430426 或 祁东县，必填"), True),
    ("所在园区", gettext_lazy("园区名称或机构编码，可空"), False),
    ("产业链", gettext_lazy("产业链名称或编码，可空"), False),
    ("项目类别", gettext_lazy("产业项目/基础设施/社会民生，默认产业项目"), False),
    ("总投资（万元）", gettext_lazy("数字，必填"), True),
    ("阶段", gettext_lazy("在谈/签约/落地开工/在建实施/竣工/达产，默认在谈"), False),
    ("计划开工月份", gettext_lazy("如 2026-03"), False),
    ("计划竣工日期", gettext_lazy("如 2027-12-31"), False),
    ("责任单位", gettext_lazy("单位名称、简称或机构编码，必填"), True),
    ("年度计划投资（万元）", gettext_lazy("本年度计划投资，数字，可空"), False),
]
REQUIRED = [name for name, _help, required in COLUMNS if required]
ALIASES = {
    "编号": "项目编号",
    "Code": "项目编号",
    "名称": "项目名称",
    "Name": "项目名称",
    "业主企业": "业主企业（统一社会信用代码）",
    "业主企业(统一社会信用代码)": "业主企业（统一社会信用代码）",
    "统一社会信用代码": "业主企业（统一社会信用代码）",
    "区划": "所在区划",
    "区县": "所在区划",
    "Region": "所在区划",
    "园区": "所在园区",
    "类别": "项目类别",
    "总投资": "总投资（万元）",
    "总投资(万元)": "总投资（万元）",
    "项目阶段": "阶段",
    "年度计划投资": "年度计划投资（万元）",
    "年度计划投资(万元)": "年度计划投资（万元）",
}
# Which column a service's field error belongs to.
FIELD_COLUMNS = {
    "code": "项目编号",
    "name": "项目名称",
    "enterprise": "业主企业（统一社会信用代码）",
    "region": "所在区划",
    "park": "所在园区",
    "chain": "产业链",
    "category": "项目类别",
    "total_investment": "总投资（万元）",
    "stage": "阶段",
    "planned_start": "计划开工月份",
    "planned_completion": "计划竣工日期",
    "responsible_org": "责任单位",
    "planned_investment": "年度计划投资（万元）",
}
_T = TypeVar("_T")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _text(values: dict[str, Any], column: str) -> str:
    value = values.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _amount(values: dict[str, Any], column: str, *, required: bool) -> Decimal | None:
    text = "".join(unicodedata.normalize("NFKC", _text(values, column)).replace(",", "").split())
    if not text:
        if required:
            raise RowInvalid(column, _("必填。"))
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise RowInvalid(column, _("“%(v)s”不是数字。") % {"v": text}) from None
    if not amount.is_finite() or amount < 0:
        raise RowInvalid(column, _("不能为负数。"))
    return amount


def _date(values: dict[str, Any], column: str, *, month: bool) -> dt.date | None:
    value = values.get(column)
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    found = _DAY.match(text)
    try:
        if found:
            return dt.date(int(found[1]), int(found[2]), int(found[3]))
        found = _MONTH.match(text)
        if found and month:
            return dt.date(int(found[1]), int(found[2]), 1)
        if found:  # a month given for a day: the month's last day
            first = dt.date(int(found[1]), int(found[2]), 1)
            return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    except ValueError:
        pass
    raise RowInvalid(column, _("日期格式不正确：“%(v)s”（例如 2026-03 或 2026-03-31）。") % {"v": text})


class _Lookups:
    """Resolves names and codes once per import instead of once per row; every key is a
    `lookup_key`, so the usual spellings of a name all match."""

    def __init__(self) -> None:
        self.regions: dict[str, Region] = {}
        for region in Region.objects.all():
            self.regions[lookup_key(region.code)] = region
            self.regions.setdefault(lookup_key(region.name), region)
        self.parks: dict[str, Organisation] = {}
        self.orgs: dict[str, Organisation] = {}
        for org in Organisation.objects.filter(is_active=True).exclude(kind=Organisation.Kind.ENTERPRISE):
            keys = [org.code, org.name] + ([org.short_name] if org.short_name else [])
            for key in map(lookup_key, keys):
                self.orgs.setdefault(key, org)
                if org.kind == Organisation.Kind.PARK:
                    self.parks.setdefault(key, org)
        self.chains: dict[str, IndustryChain] = {}
        for chain in IndustryChain.objects.all():
            self.chains[lookup_key(chain.code)] = chain
            self.chains[lookup_key(chain.name)] = chain
        # Spreadsheets are written in Chinese whatever language the importer's UI speaks.
        self.categories: dict[str, str] = {}
        self.stages: dict[str, str] = {}
        for language in ("zh-hans", translation.get_language() or "zh-hans"):
            with translation.override(language):
                for value, label in Category.choices:
                    self.categories[lookup_key(label)] = value
                    self.categories[lookup_key(value)] = value
                for value, label in Stage.choices:
                    self.stages[lookup_key(label)] = value
                    self.stages[lookup_key(value)] = value
        self.stages.update({"开工": Stage.STARTED, "在建": Stage.CONSTRUCTION, "招商引资": Stage.NEGOTIATING})
        self.categories.update({"产业": Category.INDUSTRY, "民生": Category.LIVELIHOOD})

        self.enterprises: dict[str, Enterprise] = {}

    def load_enterprises(self, codes: set[str]) -> None:
        """The owners the file names, in a few queries for the whole file."""
        wanted = sorted({lookup_key(code).upper() for code in codes} - set(self.enterprises))
        for start in range(0, len(wanted), 2000):
            for enterprise in Enterprise.objects.filter(uscc__in=wanted[start : start + 2000]):
                self.enterprises[enterprise.uscc] = enterprise

    def enterprise(self, uscc: str) -> Enterprise | None:
        return self.enterprises.get(lookup_key(uscc).upper())


def _found(table: dict[str, _T], values: dict[str, Any], column: str, missing: str, *, required: bool = False) -> _T | None:
    """The entry of `table` the cell names; None for an empty optional cell."""
    key = _text(values, column)
    if not key:
        if required:
            raise RowInvalid(column, _("必填。"))
        return None
    found = table.get(lookup_key(key))
    if found is None:
        raise RowInvalid(column, missing % {"v": key})
    return found


def _owner(values: dict[str, Any], lookups: _Lookups) -> Enterprise | None:
    uscc = _text(values, OWNER)
    if not uscc:
        return None
    enterprise = lookups.enterprise(uscc)
    if enterprise is None:
        raise RowInvalid(OWNER, _("未登记统一社会信用代码为“%(v)s”的企业，请先导入企业。") % {"v": uscc})
    return enterprise


def _name(values: dict[str, Any]) -> str:
    name = _text(values, "项目名称")
    if not name:
        raise RowInvalid("项目名称", _("必填。"))
    return name


OWNER = "业主企业（统一社会信用代码）"


def _row_arguments(row: SheetRow, lookups: _Lookups) -> dict[str, Any]:
    """The arguments of `project_create` for one row; every column's problem is
    reported, not only the first."""
    values = row.values
    problems = RowProblems()
    read = problems.read
    arguments = {
        "code": _text(values, "项目编号"),
        "name": read(lambda: _name(values), ""),
        "enterprise": read(lambda: _owner(values, lookups), None),
        "region": read(lambda: _found(lookups.regions, values, "所在区划", _("找不到区划“%(v)s”。"), required=True), None),
        "park": read(lambda: _found(lookups.parks, values, "所在园区", _("找不到园区“%(v)s”。")), None),
        "chain": read(lambda: _found(lookups.chains, values, "产业链", _("找不到产业链“%(v)s”。")), None),
        "category": read(lambda: _found(lookups.categories, values, "项目类别", _("未知的项目类别“%(v)s”。")), None)
        or Category.INDUSTRY,
        "total_investment": read(lambda: _amount(values, "总投资（万元）", required=True), None),
        "stage": read(lambda: _found(lookups.stages, values, "阶段", _("未知的阶段“%(v)s”。")), None)
        or Stage.NEGOTIATING,
        "planned_start": read(lambda: _date(values, "计划开工月份", month=True), None),
        "planned_completion": read(lambda: _date(values, "计划竣工日期", month=False), None),
        "responsible_org": read(
            lambda: _found(lookups.orgs, values, "责任单位", _("找不到单位“%(v)s”。"), required=True), None
        ),
    }
    plan = read(lambda: _amount(values, "年度计划投资（万元）", required=False), None)
    problems.check()
    if plan is not None:
        arguments["planned_investment"] = plan
    return arguments


def projects_import(
    source: IO[bytes] | bytes, *, actor: Actor | None, dry_run: bool, year: int | None = None
) -> ImportReport:
    """Every row through ``project_create_many``, all or nothing (the kit's
    `import_rows`); a project code given twice in the file is refused. The annual plan
    column is this year's plan (or ``year``'s)."""
    rows = read_rows(source, required=REQUIRED, aliases=ALIASES)
    lookups = _Lookups()
    lookups.load_enterprises({_text(row.values, OWNER) for row in rows} - {""})
    plan_year = year or timezone.localdate().year
    return import_rows(
        rows,
        read=lambda row: _row_arguments(row, lookups),
        key_column="项目编号",
        key=lambda arguments: str(arguments["code"]).upper(),
        create_many=lambda batch: project_create_many(batch, actor=actor, plan_year=plan_year),
        validate_many=lambda batch: project_validate_many(batch, actor=actor, plan_year=plan_year),
        field_columns=FIELD_COLUMNS,
        dry_run=dry_run,
    )
