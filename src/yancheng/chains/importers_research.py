"""Import of the 科研成果清单 from .xlsx (the list's own export imports back as it is).

One row is one result. 产业链 is the chain's code or name; 对应环节 the nodes' codes (or
names) separated by 、; 知识产权 its name or code; 技术成熟度 1–9 (``TRL 6`` and ``TRL 6 · …``
read too). A row whose chain, title and 完成单位 name a result already on the list updates
it; any other row adds one. Every row goes through the family's services, so only the
chain's own office imports its chain; all rows or none, with each row's errors by column."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yancheng.core.kit.imports import ImportReport, RowInvalid, RowProblems, import_through, lookup_key
from yancheng.core.models import IndustryChain
from yancheng.core.typing import Actor
from yancheng.lib.xlsx import SheetRow, read_rows

from .models import IpKind, MapNode, ResearchResult
from .services.research import result_add, result_update

Row = dict[str, Any]
# (column, required, hint) — the export's column names.
COLUMNS: list[tuple[Any, bool, Any]] = [
    (gettext_lazy("产业链"), True, gettext_lazy("产业链编码或名称")),
    (gettext_lazy("成果名称"), True, ""),
    (gettext_lazy("完成单位"), True, gettext_lazy("高校或科研院所")),
    (gettext_lazy("技术成熟度"), True, gettext_lazy("1–9（GB/T 22900-2022 技术就绪水平）")),
    (gettext_lazy("团队或联系人"), False, ""),
    (gettext_lazy("关键词"), False, gettext_lazy("用“、”分隔")),
    (gettext_lazy("对应环节"), False, gettext_lazy("环节编码，多个用“、”分隔")),
    (gettext_lazy("知识产权"), False, gettext_lazy("发明专利、实用新型专利、软件著作权……")),
    (gettext_lazy("知识产权号"), False, ""),
    (gettext_lazy("转化方式"), False, ""),
    (gettext_lazy("成果简介"), False, ""),
]
FIELD_COLUMNS = {"chain": "产业链", "title": "成果名称", "institution": "完成单位", "maturity": "技术成熟度",
                 "team": "团队或联系人", "keywords": "关键词", "nodes": "对应环节", "ip_kind": "知识产权",
                 "ip_number": "知识产权号", "transfer_mode": "转化方式", "summary": "成果简介"}
REQUIRED = ("产业链", "成果名称", "完成单位", "技术成熟度")
_TRL = re.compile(r"^\s*(?:TRL)?\s*(\d)\b", re.IGNORECASE)


def aliases() -> dict[str, str]:
    """The columns' names in every language of the site → their Chinese name (an English
    export imports too)."""
    with translation.override("zh-hans"):
        zh = [str(name) for name, _required, _hint in COLUMNS]
    with translation.override("en"):
        en = [str(name) for name, _required, _hint in COLUMNS]
    return {e: z for e, z in zip(en, zh, strict=True) if e != z}


def _text(values: Mapping[str, Any], column: str) -> str:
    value = values.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _Lookups:
    def __init__(self) -> None:
        self.chains: dict[str, IndustryChain] = {}
        for chain in IndustryChain.objects.all():
            self.chains[lookup_key(chain.code)] = chain
            self.chains[lookup_key(chain.name)] = chain
        self.nodes: dict[tuple[int, str], MapNode] = {}
        for node in MapNode.objects.filter(is_active=True):
            self.nodes.setdefault((node.chain_id, lookup_key(node.code)), node)
            self.nodes.setdefault((node.chain_id, lookup_key(node.name)), node)
        self.ip: dict[str, str] = {}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for value, label in IpKind.choices:
                    self.ip[lookup_key(label)] = value
                    self.ip[lookup_key(value)] = value


def _read(row: SheetRow, lookups: _Lookups) -> Row:
    values = row.values
    problems = RowProblems()

    def chain() -> IndustryChain:
        key = _text(values, "产业链")
        if not key:
            raise RowInvalid("产业链", _("必填。"))
        found = lookups.chains.get(lookup_key(key))
        if found is None:
            raise RowInvalid("产业链", _("没有产业链“%(v)s”。") % {"v": key[:64]})
        return found

    def required(column: str) -> str:
        text = _text(values, column)
        if not text:
            raise RowInvalid(column, _("必填。"))
        return text

    def maturity() -> int:
        text = required("技术成熟度")
        match = _TRL.match(text)
        if match is None or not 1 <= int(match.group(1)) <= 9:
            raise RowInvalid("技术成熟度", _("技术成熟度应为 1 到 9 的整数。"))
        return int(match.group(1))

    def ip_kind() -> str:
        text = _text(values, "知识产权")
        if not text:
            return IpKind.NONE
        found = lookups.ip.get(lookup_key(text))
        if found is None:
            raise RowInvalid("知识产权", _("没有知识产权类型“%(v)s”。") % {"v": text[:64]})
        return found

    found_chain = problems.read(chain, None)
    title = problems.read(lambda: required("成果名称"), "")
    institution = problems.read(lambda: required("完成单位"), "")
    level = problems.read(maturity, 0)
    kind: str = problems.read(ip_kind, str(IpKind.NONE.value))

    def nodes() -> list[MapNode]:
        if found_chain is None:
            return []
        chosen: list[MapNode] = []
        for code in [c for c in re.split(r"[、，,;；\s]+", _text(values, "对应环节")) if c]:
            node = lookups.nodes.get((found_chain.pk, lookup_key(code)))
            if node is None:
                raise RowInvalid("对应环节", _("产业链“%(c)s”没有环节“%(v)s”。") % {"c": found_chain.name, "v": code[:32]})
            if node not in chosen:
                chosen.append(node)
        return chosen

    none: list[MapNode] = []
    chosen = problems.read(nodes, none)
    problems.check()
    return {
        "chain": found_chain, "title": title, "institution": institution, "maturity": level, "nodes": chosen,
        "team": _text(values, "团队或联系人"), "keywords": _text(values, "关键词"), "ip_kind": kind,
        "ip_number": _text(values, "知识产权号"), "transfer_mode": _text(values, "转化方式"),
        "summary": _text(values, "成果简介"),
    }


def _key(arguments: Row) -> str:
    return "|".join([str(arguments["chain"].pk), lookup_key(arguments["title"]), lookup_key(arguments["institution"])])


def _write(arguments: Row, actor: Actor | None) -> ResearchResult:
    data = dict(arguments)
    chain = data.pop("chain")
    existing = ResearchResult.objects.filter(chain=chain, title=data["title"], institution=data["institution"]) \
        .order_by("-is_active", "pk").first()
    if existing is not None:
        return result_update(existing, actor=actor, **data)
    return result_add(chain, actor=actor, **data)


def research_import(source: bytes, *, actor: Actor | None, dry_run: bool) -> ImportReport:
    """Import the rows of the file's first sheet (see the module's docstring)."""
    rows = read_rows(source, required=REQUIRED, aliases=aliases())
    lookups = _Lookups()
    return import_through(
        rows, read=lambda row: _read(row, lookups), key_column="成果名称", key=_key,
        write=lambda arguments: _write(arguments, actor), field_columns=FIELD_COLUMNS, dry_run=dry_run,
    )
