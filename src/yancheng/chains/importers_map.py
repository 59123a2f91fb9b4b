"""The map's exchange with Excel: the export (three sheets — 环节, 环节关系, 企业落位) and its
import, which reads the same three sheets back.

Every row names its chain by code (产业链), nodes by their code and enterprises by their
统一社会信用代码, so a file exported from one chain's map imports into it unchanged (a round
trip changes nothing). A row adds what is missing and updates what exists: a node's name,
链位, description, keywords, maps, order and override; a placement's role, products and
output. Nothing absent from the file is removed. The computed columns (强弱, counts, output
totals, names next to codes) are for reading and are ignored.

Every row goes through the family's services (so only the chain's own office imports, and each
change is audited), all three sheets in one transaction: one wrong row anywhere and nothing is
written. Errors name the sheet in their column (``环节关系 · 上游环节编码``) and the row as
Excel shows it in that sheet; the result sheet marks each on its own sheet."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import IO, Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yancheng.core.errors import DomainError
from yancheng.core.kit.imports import ImportReport, RowError, RowInvalid, RowProblems, lookup_key
from yancheng.core.models import Enterprise, IndustryChain
from yancheng.core.typing import Actor
from yancheng.lib.xlsx import SheetRow, XlsxError, read_rows, sheet_names

from .models import MapLink, MapNode, Placement, PlacementRole, Segment, Strength
from .selectors_map import annotate_strength
from .services import map as map_services
from .services import registry

Row = dict[str, Any]

NODES = gettext_lazy("环节")
LINKS = gettext_lazy("环节关系")
PLACEMENTS = gettext_lazy("企业落位")

CHAIN = gettext_lazy("产业链")
CODE = gettext_lazy("编码")
NAME = gettext_lazy("环节名称")
SEGMENT = gettext_lazy("链位")
DESCRIPTION = gettext_lazy("说明")
KEYWORDS = gettext_lazy("关键词")
IN_CURRENT = gettext_lazy("在现状图")
IN_TARGET = gettext_lazy("在目标图")
SORT = gettext_lazy("排序")
OVERRIDE = gettext_lazy("人工认定强弱")
REASON = gettext_lazy("认定理由")
STRENGTH = gettext_lazy("强弱")
COUNT = gettext_lazy("企业数")
ABOVE = gettext_lazy("规上企业数")
OUTPUT_TOTAL = gettext_lazy("年产值合计（万元）")
SOURCE = gettext_lazy("上游环节编码")
SOURCE_NAME = gettext_lazy("上游环节")
TARGET = gettext_lazy("下游环节编码")
TARGET_NAME = gettext_lazy("下游环节")
NODE = gettext_lazy("环节编码")
USCC = gettext_lazy("统一社会信用代码")
ENTERPRISE = gettext_lazy("企业名称")
ROLE = gettext_lazy("角色")
PRODUCTS = gettext_lazy("主要产品")
OUTPUT = gettext_lazy("年产值（万元）")

NODE_COLUMNS = (CHAIN, CODE, NAME, SEGMENT, DESCRIPTION, KEYWORDS, IN_CURRENT, IN_TARGET, SORT, OVERRIDE, REASON,
                STRENGTH, COUNT, ABOVE, OUTPUT_TOTAL)
LINK_COLUMNS = (CHAIN, SOURCE, SOURCE_NAME, TARGET, TARGET_NAME, IN_CURRENT, IN_TARGET)
PLACEMENT_COLUMNS = (CHAIN, NODE, NAME, USCC, ENTERPRISE, ROLE, PRODUCTS, OUTPUT)
YES = {"是", "y", "yes", "true", "1", "√"}


def _yes(value: bool) -> str:
    return _("是") if value else _("否")


# --- export ----------------------------------------------------------------------------------------


def map_sheets(chain: IndustryChain) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The three sheets of a chain's map (its active nodes), numbers as numbers, in the
    current language."""
    nodes = list(annotate_strength(MapNode.objects.filter(chain=chain, is_active=True))
                 .order_by("segment", "sort_order", "code"))
    node_rows = [[
        chain.code, n.code, n.name, str(Segment(n.segment).label), n.description, n.keywords, _yes(n.in_current),
        _yes(n.in_target), n.sort_order, str(Strength(n.strength_override).label) if n.strength_override else "",
        n.override_reason, str(Strength(n.strength).label),  # type: ignore[attr-defined]
        n.enterprise_count, n.above_scale_count, n.output_total,  # type: ignore[attr-defined]
    ] for n in nodes]
    active = {n.pk for n in nodes}
    links = MapLink.objects.filter(chain=chain, source_id__in=active, target_id__in=active).select_related(
        "source", "target").order_by("source__segment", "source__sort_order", "source__code", "target__code")
    link_rows = [[chain.code, link.source.code, link.source.name, link.target.code, link.target.name,
                  _yes(link.in_current), _yes(link.in_target)] for link in links]
    placements = Placement.objects.filter(node_id__in=active).select_related("node", "enterprise").order_by(
        "node__segment", "node__sort_order", "node__code", "-annual_output", "enterprise__uscc")
    placement_rows = [[chain.code, p.node.code, p.node.name, p.enterprise.uscc, p.enterprise.name,
                       str(PlacementRole(p.role).label), p.products, p.annual_output] for p in placements]
    return [
        (str(NODES), [str(c) for c in NODE_COLUMNS], node_rows),
        (str(LINKS), [str(c) for c in LINK_COLUMNS], link_rows),
        (str(PLACEMENTS), [str(c) for c in PLACEMENT_COLUMNS], placement_rows),
    ]


# --- import ----------------------------------------------------------------------------------------


def _both(text: Any) -> tuple[str, str]:
    """A label in Chinese (the canonical name) and in English."""
    with translation.override("zh-hans"):
        zh = str(text)
    with translation.override("en"):
        en = str(text)
    return zh, en


def _aliases(columns: tuple[Any, ...]) -> dict[str, str]:
    return {en: zh for zh, en in (_both(c) for c in columns) if en != zh}


def _choices(choices: list[tuple[str, Any]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for value, label in choices:
        for text in _both(label):
            table[lookup_key(text)] = value
        table[lookup_key(value)] = value
    return table


def _z(column: Any) -> str:
    return _both(column)[0]


def _text(values: Mapping[str, Any], column: Any) -> str:
    value = values.get(_z(column))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _required(values: Mapping[str, Any], column: Any) -> str:
    text = _text(values, column)
    if not text:
        raise RowInvalid(_z(column), _("必填。"))
    return text


def _flag(values: Mapping[str, Any], column: Any, default: bool = True) -> bool:
    text = _text(values, column)
    if not text:
        return default
    return lookup_key(text) in YES or lookup_key(text) == lookup_key(_both(_("是"))[1])


def _pick(table: Mapping[str, str], values: Mapping[str, Any], column: Any, *, required: bool = True) -> str:
    text = _text(values, column)
    if not text:
        if required:
            raise RowInvalid(_z(column), _("必填。"))
        return ""
    found = table.get(lookup_key(text))
    if found is None:
        raise RowInvalid(_z(column), _("无法识别“%(v)s”。") % {"v": text[:64]})
    return found


class _Context:
    def __init__(self, actor: Actor | None) -> None:
        self.actor = actor
        self.chains = {lookup_key(c.code): c for c in IndustryChain.objects.all()}
        self.segments = _choices(Segment.choices)
        self.strengths = _choices(Strength.choices)
        self.roles = _choices(PlacementRole.choices)

    def chain(self, values: Mapping[str, Any]) -> IndustryChain:
        code = _required(values, CHAIN)
        chain = self.chains.get(lookup_key(code))
        if chain is None:
            raise RowInvalid(_z(CHAIN), _("没有编码为“%(v)s”的产业链。") % {"v": code[:32]})
        return chain

    def node(self, chain: IndustryChain, values: Mapping[str, Any], column: Any) -> MapNode:
        code = _required(values, column).lower()
        node = MapNode.objects.filter(chain=chain, code=code).select_related("chain").first()
        if node is None:
            raise RowInvalid(_z(column), _("该产业链没有编码为“%(v)s”的环节。") % {"v": code[:32]})
        return node


def _node_row(ctx: _Context, values: Mapping[str, Any]) -> None:
    problems = RowProblems()
    chain = problems.read(lambda: ctx.chain(values), None)
    code = problems.read(lambda: _required(values, CODE).lower(), "")
    name = problems.read(lambda: _required(values, NAME), "")
    segment = problems.read(lambda: _pick(ctx.segments, values, SEGMENT), "")
    override = problems.read(lambda: _pick(ctx.strengths, values, OVERRIDE, required=False), "")
    sort_text = _text(values, SORT)
    try:
        sort_order = int(float(sort_text)) if sort_text else 0
    except ValueError:
        problems.problems.append((_z(SORT), _("请填写数字。")))
        sort_order = 0
    problems.check()
    assert chain is not None
    fields: dict[str, Any] = {"name": name, "segment": segment, "description": _text(values, DESCRIPTION),
              "keywords": _text(values, KEYWORDS), "in_current": _flag(values, IN_CURRENT),
              "in_target": _flag(values, IN_TARGET), "sort_order": sort_order}
    node = MapNode.objects.filter(chain=chain, code=code).first()
    if node is None:
        node = registry.node_add(chain, actor=ctx.actor, code=code, **fields)
    else:
        if not node.is_active:
            node = map_services.node_restore(node, actor=ctx.actor)
        node = map_services.node_update(node, actor=ctx.actor, **fields)
    reason = _text(values, REASON)
    if override and (override, reason) != (node.strength_override, node.override_reason):
        map_services.strength_override_set(node, actor=ctx.actor, strength=override, reason=reason)
    elif not override and node.strength_override:
        map_services.strength_override_clear(node, actor=ctx.actor)


def _link_row(ctx: _Context, values: Mapping[str, Any]) -> None:
    problems = RowProblems()
    chain = ctx.chain(values)
    source = problems.read(lambda: ctx.node(chain, values, SOURCE), None)
    target = problems.read(lambda: ctx.node(chain, values, TARGET), None)
    problems.check()
    assert source is not None and target is not None
    if not MapLink.objects.filter(source=source, target=target).exists():
        registry.link_add(source, target, actor=ctx.actor, in_current=_flag(values, IN_CURRENT),
                          in_target=_flag(values, IN_TARGET))


def _placement_row(ctx: _Context, values: Mapping[str, Any]) -> None:
    problems = RowProblems()
    chain = ctx.chain(values)
    node = problems.read(lambda: ctx.node(chain, values, NODE), None)
    uscc = problems.read(lambda: _required(values, USCC).upper(), "")
    role = problems.read(lambda: _pick(ctx.roles, values, ROLE, required=False) or PlacementRole.MEMBER, "")
    enterprise = Enterprise.objects.filter(uscc=uscc).first() if uscc else None
    if uscc and enterprise is None:
        problems.problems.append((_z(USCC), _("没有该统一社会信用代码的企业。")))
    problems.check()
    assert node is not None and enterprise is not None
    output = _text(values, OUTPUT) or None
    fields: dict[str, Any] = {"role": role, "products": _text(values, PRODUCTS), "annual_output": output}
    placement = Placement.objects.filter(node=node, enterprise=enterprise).select_related("node__chain").first()
    if placement is None:
        registry.placement_add(node, enterprise, actor=ctx.actor, **fields)
    else:
        map_services.placement_update(placement, actor=ctx.actor, **fields)


_COLUMN_OF_FIELD = {
    "code": CODE, "name": NAME, "segment": SEGMENT, "description": DESCRIPTION, "keywords": KEYWORDS,
    "in_target": IN_TARGET, "in_current": IN_CURRENT, "sort_order": SORT, "strength": OVERRIDE, "reason": REASON,
    "target": TARGET, "source": SOURCE, "enterprise": USCC, "role": ROLE, "products": PRODUCTS,
    "annual_output": OUTPUT,
}


def _sheet_rows(data: bytes, names: list[str], title: Any, required: tuple[Any, ...],
                columns: tuple[Any, ...]) -> tuple[str, list[SheetRow]] | None:
    """The sheet's name in the file (Chinese or English) and its rows."""
    zh, en = _both(title)
    name = zh if zh in names else en if en in names else None
    if name is None:
        return None
    return name, read_rows(data, required=[_z(c) for c in required], aliases=_aliases(columns), sheet_name=name)


def map_import(source: IO[bytes] | bytes, *, actor: Actor | None, dry_run: bool) -> ImportReport:
    """Import a map workbook (the export's three sheets; 环节 is required, the others may be
    left out). All or nothing; a dry run writes nothing."""
    data = source if isinstance(source, bytes) else source.read()
    names = sheet_names(data)
    sheets: list[tuple[Any, str, list[SheetRow], Callable[[_Context, Mapping[str, Any]], None]]] = []
    for title, required, columns, reader in (
        (NODES, (CHAIN, CODE, NAME, SEGMENT), NODE_COLUMNS, _node_row),
        (LINKS, (CHAIN, SOURCE, TARGET), LINK_COLUMNS, _link_row),
        (PLACEMENTS, (CHAIN, NODE, USCC), PLACEMENT_COLUMNS, _placement_row),
    ):
        found = _sheet_rows(data, names, title, required, columns)
        if found is None and title is NODES:
            raise XlsxError(_("缺少工作表“%(s)s”。") % {"s": _both(NODES)[0]})
        if found is not None:
            sheets.append((title, found[0], found[1], reader))
    report = ImportReport(total_rows=sum(len(rows) for _t, _n, rows, _r in sheets), dry_run=dry_run)
    ctx = _Context(actor)
    with transaction.atomic():
        for title, name, rows, apply in sheets:
            sheet = str(title)
            for row in rows:
                try:
                    with transaction.atomic():
                        apply(ctx, row.values)
                except RowInvalid as exc:
                    report.errors += [RowError(row.number, f"{sheet} · {_column(column)}", message, sheet=name)
                                      for column, message in exc.problems]
                except DomainError as exc:
                    column = _COLUMN_OF_FIELD.get(exc.field or "")
                    report.errors.append(RowError(row.number, f"{sheet} · {column}" if column else sheet,
                                                  str(exc.message), sheet=name))
                else:
                    report.created += 1
        if dry_run or report.errors:
            transaction.set_rollback(True)
            if report.errors and not dry_run:
                report.created = 0
    return report


def _column(canonical: str) -> str:
    """A column's name in the current language (the row reader names it in Chinese)."""
    for column in (*NODE_COLUMNS, *LINK_COLUMNS, *PLACEMENT_COLUMNS):
        if _z(column) == canonical:
            return str(column)
    return canonical
