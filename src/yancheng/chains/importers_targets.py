"""The import of targets and their actuals from .xlsx (the list's export reads back): a row per
target — 产业链 (code or name; may be left out by an office that runs one chain), 年度, 指标,
指标名称, 单位, 上年基数, 年度目标, 报送频次, then the year-to-date values in 1月…12月 (monthly)
or 一季度…四季度 (quarterly). A target already there is updated, each filled period recorded
(a blank one is left as it was). Every row goes through the family's services, so the office
imports only its own chains; all rows or none, with each row's errors by column."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _

from yancheng.core.errors import ValidationFailed
from yancheng.core.kit.imports import ImportReport, RowInvalid, RowProblems, import_through, lookup_key
from yancheng.core.models import IndustryChain
from yancheng.core.typing import Actor
from yancheng.lib.xlsx import SheetRow, read_rows

from .models import Cadence, ChainTarget, TargetMetric
from .selectors_targets import chains_run_by
from .services import targets as services

Row = dict[str, Any]
MONTHS = tuple(f"{m}月" for m in range(1, 13))
QUARTERS = ("一季度", "二季度", "三季度", "四季度")
REQUIRED = ("年度", "指标", "单位", "年度目标", "报送频次")
FIELD_COLUMNS = {
    "chain": "产业链", "year": "年度", "metric": "指标", "name": "指标名称", "unit": "单位", "baseline": "上年基数",
    "target_value": "年度目标", "cadence": "报送频次", "note": "备注",
    **{f"m{m}": MONTHS[m - 1] for m in range(1, 13)}, **{f"q{q}": QUARTERS[q - 1] for q in range(1, 5)},
}


def template_columns() -> list[tuple[str, Any, bool]]:
    hints = {
        "产业链": _("产业链编码或名称；只负责一条产业链的链办可不填"), "指标": _("规上工业总产值、规上企业数、产业投资、税收、从业人员或其他指标"),
        "指标名称": _("“其他指标”必填"), "报送频次": _("按月或按季"),
        "1月": _("1–N月累计值；按月报送的指标填 1月…12月，按季的填 一季度…四季度；空白的期次不变"),
    }
    names = ["产业链", "年度", "指标", "指标名称", "单位", "上年基数", "年度目标", "报送频次", *MONTHS, *QUARTERS, "备注"]
    return [(name, hints.get(name, ""), name in REQUIRED) for name in names]


def _text(values: Mapping[str, Any], column: str) -> str:
    value = values.get(column)
    return "" if value is None else str(value).strip()


def _required(values: Mapping[str, Any], column: str) -> str:
    text = _text(values, column)
    if not text:
        raise RowInvalid(column, _("必填。"))
    return text


def _choices(choices: list[tuple[str, Any]]) -> dict[str, str]:
    """A cell may hold a choice's value or its label (Chinese or the current language's)."""
    table: dict[str, str] = {}
    for language in ("zh-hans", "en", translation.get_language() or "zh-hans"):
        with translation.override(language):
            for value, label in choices:
                table[lookup_key(label)] = value
                table[lookup_key(value)] = value
    return table


def _pick(table: Mapping[str, str], values: Mapping[str, Any], column: str, missing: str) -> str:
    key = _required(values, column)
    found = table.get(lookup_key(key))
    if found is None:
        raise RowInvalid(column, missing % {"v": key[:64]})
    return found


def _number(values: Mapping[str, Any], column: str) -> Decimal | None:
    value = values.get(column)
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise RowInvalid(column, _("应为数字。")) from None
    if not number.is_finite():
        raise RowInvalid(column, _("应为数字。"))
    return number


def _year(values: Mapping[str, Any]) -> int:
    text = _required(values, "年度")
    if not text.isdigit():
        raise RowInvalid("年度", _("应为四位年份。"))
    return int(text)


def targets_import(source: IO[bytes] | bytes, *, actor: Actor | None, dry_run: bool) -> ImportReport:
    """发展目标: a row per target and its actuals (``target_add`` or ``target_update``, then
    ``actual_record`` for each filled period)."""
    chains = list(chains_run_by(actor) if actor is not None else IndustryChain.objects.all())
    by_key = {lookup_key(c.code): c for c in chains} | {lookup_key(c.name): c for c in chains}
    metrics = _choices(list(TargetMetric.choices))
    cadences = _choices(list(Cadence.choices))

    def chain_of(values: Mapping[str, Any]) -> IndustryChain:
        text = _text(values, "产业链")
        if not text:
            if len(chains) == 1:
                return chains[0]
            raise RowInvalid("产业链", _("必填（您负责不止一条产业链）。"))
        found = by_key.get(lookup_key(text))
        if found is None:
            raise RowInvalid("产业链", _("找不到您负责的产业链“%(v)s”。") % {"v": text[:64]})
        return found

    def read(row: SheetRow) -> Row:
        v = row.values
        problems = RowProblems()
        cadence = problems.read(lambda: _pick(cadences, v, "报送频次", _("未知的报送频次“%(v)s”（按月或按季）。")), "")
        actuals: list[tuple[int, Decimal]] = []
        for columns, kind in ((MONTHS, Cadence.MONTHLY), (QUARTERS, Cadence.QUARTERLY)):
            for period, column in enumerate(columns, start=1):
                number = problems.read(lambda column=column: _number(v, column), None)  # type: ignore[misc]
                if number is None:
                    continue
                if cadence and cadence != kind:
                    problems.problems.append((column, _("按月报送的指标请填写 1月…12月，按季的填写 一季度…四季度。")))
                    continue
                actuals.append((period, number))
        arguments = {
            "chain": problems.read(lambda: chain_of(v), None),
            "year": problems.read(lambda: _year(v), 0),
            "metric": problems.read(lambda: _pick(metrics, v, "指标", _("未知的指标“%(v)s”。")), ""),
            "name": _text(v, "指标名称"),
            "unit": problems.read(lambda: _required(v, "单位"), ""),
            "baseline": problems.read(lambda: _number(v, "上年基数"), None) or Decimal(0),
            "target_value": problems.read(lambda: _number(v, "年度目标"), None),
            "cadence": cadence,
            "actuals": actuals,
        }
        if "备注" in v:
            arguments["note"] = _text(v, "备注")
        if arguments["target_value"] is None and not any(c == "年度目标" for c, _m in problems.problems):
            problems.problems.append(("年度目标", _("必填。")))
        problems.check()
        return arguments

    def key(a: Row) -> str:
        return f"{a['chain'].code}/{a['year']}/{a['metric']}/{lookup_key(a['name'])}"

    def write(a: Row) -> ChainTarget:
        fields = {name: a[name] for name in ("unit", "baseline", "target_value", "cadence", "note") if name in a}
        target = ChainTarget.objects.filter(chain=a["chain"], year=a["year"], metric=a["metric"],
                                            name=a["name"]).first()
        if target is None:
            target = services.target_add(a["chain"], actor=actor, year=a["year"], metric=a["metric"], name=a["name"],
                                         **fields)
        else:
            target = services.target_update(target, actor=actor, **fields)
        prefix = "m" if target.cadence == Cadence.MONTHLY else "q"
        for period, value in a["actuals"]:
            try:
                services.actual_record(target, actor=actor, period=period, value=value)
            except ValidationFailed as exc:
                exc.field = f"{prefix}{period}"
                raise
        return target

    rows = read_rows(source, required=REQUIRED)
    return import_through(rows, read=read, key_column="指标", key=key, write=write, field_columns=FIELD_COLUMNS,
                          dry_run=dry_run)
