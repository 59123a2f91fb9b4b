"""招商线索 from .xlsx (the list's export imports back): a row without 编号 registers a lead
(``lead_create``); a row with the 编号 of an existing lead updates it (``lead_update``, the
fields that differ; its stage is changed on the lead's page, never by a file). All rows or
none, with each row's errors by column (``core.kit.imports.import_rows``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _

from yancheng.core.kit.imports import (
    ImportReport,
    RowInvalid,
    RowProblems,
    check_each,
    import_rows,
    lookup_key,
    write_each,
)
from yancheng.core.models import IndustryChain, Organisation, Region, User
from yancheng.core.typing import Actor
from yancheng.lib.xlsx import SheetRow, read_rows

from .models import FillKind, InvestorKind, Lead, LeadStage, MapNode
from .permissions import leads_visible_to
from .services.leads import lead_create, lead_update

Row = dict[str, Any]
# The columns (fixed Chinese names, as in the export): the first five, then the optional ones.
LEAD_COLUMNS = ("编号", "产业链", "目标企业", "拟引进项目", "责任单位")
OPTIONAL_COLUMNS = ("阶段", "企业类型", "来源地", "计划投资（万元）", "补位环节", "招商方向", "拟落户地", "责任人", "下一步",
                    "下一步时间", "情况说明")
FIELD_COLUMNS = {
    "chain": "产业链", "investor": "目标企业", "project_name": "拟引进项目", "owner_org": "责任单位", "stage": "阶段",
    "investor_kind": "企业类型", "investor_origin": "来源地", "planned_investment": "计划投资（万元）", "node": "补位环节",
    "fill_kind": "招商方向", "region": "拟落户地", "owner": "责任人", "next_step": "下一步", "next_step_on": "下一步时间",
    "note": "情况说明", "number": "编号",
}


def _text(values: Mapping[str, Any], column: str) -> str:
    value = values.get(column)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return "" if value is None else str(value).strip()


def _choices(choices: list[tuple[str, Any]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for language in ("zh-hans", translation.get_language() or "zh-hans"):
        with translation.override(language):
            for value, label in choices:
                table[lookup_key(label)] = value
                table[lookup_key(value)] = value
    return table


class _Lookups:
    def __init__(self, actor: Actor | None) -> None:
        orgs = list(Organisation.objects.exclude(kind=Organisation.Kind.ENTERPRISE))
        self.orgs = {lookup_key(o.name): o for o in orgs} | {lookup_key(o.code): o for o in orgs}
        regions = list(Region.objects.all())
        self.regions = {lookup_key(r.name): r for r in regions} | {lookup_key(r.code): r for r in regions}
        self.chains = {lookup_key(c.code): c for c in IndustryChain.objects.all()}
        self.chains.update({lookup_key(c.name): c for c in IndustryChain.objects.all()})
        self.nodes = {(n.chain_id, lookup_key(n.code)): n for n in MapNode.objects.filter(is_active=True)}
        self.nodes.update({(n.chain_id, lookup_key(n.name)): n for n in MapNode.objects.filter(is_active=True)})
        visible = leads_visible_to(actor) if actor is not None else Lead.objects.all()
        self.leads = {lookup_key(x.number): x for x in visible.select_related("chain")}
        self.stages = _choices(list(LeadStage.choices))
        self.kinds = _choices(list(InvestorKind.choices))
        self.fills = _choices(list(FillKind.choices))


def _read(lookups: _Lookups, row: SheetRow) -> Row:
    v = row.values
    problems = RowProblems()

    def pick(table: Mapping[Any, Any], column: str, key: Any, missing: str, required: bool = False) -> Any:
        def reader() -> Any:
            text = _text(v, column)
            if not text:
                if required:
                    raise RowInvalid(column, _("必填。"))
                return None
            found = table.get(key(text))
            if found is None:
                raise RowInvalid(column, missing % {"v": text[:64]})
            return found
        return problems.read(reader, None)

    def required(column: str) -> str:
        def reader() -> str:
            text = _text(v, column)
            if not text:
                raise RowInvalid(column, _("必填。"))
            return text
        return problems.read(reader, "")

    chain = pick(lookups.chains, "产业链", lookup_key, _("找不到产业链“%(v)s”。"), required=True)
    args: Row = {
        "number": _text(v, "编号"), "chain": chain, "investor": required("目标企业"),
        "project_name": required("拟引进项目"),
        "owner_org": pick(lookups.orgs, "责任单位", lookup_key, _("找不到单位“%(v)s”。"), required=True),
        "investor_kind": pick(lookups.kinds, "企业类型", lookup_key, _("未知的企业类型“%(v)s”。")) or InvestorKind.OTHER,
        "investor_origin": _text(v, "来源地"), "next_step": _text(v, "下一步"), "note": _text(v, "情况说明"),
        "fill_kind": pick(lookups.fills, "招商方向", lookup_key, _("未知的招商方向“%(v)s”。")) or "",
        "region": pick(lookups.regions, "拟落户地", lookup_key, _("找不到区划“%(v)s”。")),
        "stage": pick(lookups.stages, "阶段", lookup_key, _("未知的阶段“%(v)s”。")) or LeadStage.CONTACT,
    }
    args["node"] = pick(lookups.nodes, "补位环节", lambda t: (chain.pk if chain else 0, lookup_key(t)),
                        _("这条产业链没有环节“%(v)s”。"))
    amount = _text(v, "计划投资（万元）")
    try:
        args["planned_investment"] = Decimal(amount) if amount else None
    except InvalidOperation:
        problems.problems.append(("计划投资（万元）", _("应为数字。")))
    when = _text(v, "下一步时间")
    try:
        args["next_step_on"] = dt.date.fromisoformat(when[:10]) if when else None
    except ValueError:
        problems.problems.append(("下一步时间", _("应为日期，例如 2026-03-01。")))
    username = _text(v, "责任人")
    args["owner"] = None
    if username:
        args["owner"] = User.objects.filter(username=username).first()
        if args["owner"] is None:
            problems.problems.append(("责任人", _("找不到账号“%(v)s”。") % {"v": username[:64]}))
    if args["number"]:
        lead = lookups.leads.get(lookup_key(args["number"]))
        if lead is None:
            problems.problems.append(("编号", _("找不到招商线索“%(v)s”。") % {"v": args["number"][:64]}))
        elif chain is not None and lead.chain_id != chain.pk:
            problems.problems.append(("产业链", _("与线索所属的产业链不一致。")))
        elif lead.stage != args["stage"]:
            problems.problems.append(("阶段", _("阶段请在线索页面办理，不能通过导入修改。")))
        args["lead"] = lead
    problems.check()
    return args


def _write(actor: Actor | None, args: Row) -> Any:
    args = dict(args)
    number, chain, lead = args.pop("number"), args.pop("chain"), args.pop("lead", None)
    stage = args.pop("stage")
    if not number:
        return lead_create(chain, actor=actor, stage=stage, **args)
    changed = {k: value for k, value in args.items() if getattr(lead, k) != value
               and not (k == "planned_investment" and value is not None and lead.planned_investment is not None
                        and Decimal(value) == lead.planned_investment)}
    return lead_update(lead, actor=actor, **changed) if changed else lead


def leads_import(source: IO[bytes] | bytes, *, actor: Actor | None, dry_run: bool) -> ImportReport:
    """Import the leads of a file (the chains' offices, each for the chains it runs)."""
    lookups = _Lookups(actor)
    rows = read_rows(source, required=LEAD_COLUMNS[1:])

    def write(args: Row) -> Any:
        return _write(actor, args)

    return import_rows(
        rows, read=lambda row: _read(lookups, row), key_column="编号", key=lambda a: lookup_key(a["number"]),
        create_many=lambda batch: write_each(batch, write), validate_many=lambda batch: check_each(batch, write),
        field_columns=FIELD_COLUMNS, dry_run=dry_run,
    )
