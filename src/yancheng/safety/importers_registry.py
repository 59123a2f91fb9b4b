"""Imports of the registry family from .xlsx, one importer per sheet (each reads the first
sheet of its file): the systems, their checklist items, their duties, the responsible persons
and the enterprise mapping. Every row goes through the family's services (so the city's
安委办 alone imports the registry, and each change is revised); all rows or none, with each
row's errors by column (``core.kit.imports.import_rows``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import IO, Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from yancheng.core.errors import DomainError, RowsRefused
from yancheng.core.kit.imports import ImportReport, RowInvalid, RowProblems, import_rows, lookup_key
from yancheng.core.models import Enterprise, Organisation, Region, User
from yancheng.core.typing import Actor
from yancheng.lib.xlsx import SheetRow, read_rows

from .models import DutyLevel, Frequency, PostKind, SafetySystem, SystemCategory
from .services import coverage, registry

Row = dict[str, Any]
YES = {"是", "y", "yes", "true", "1", "√", "重大"}


def _text(values: Mapping[str, Any], column: str) -> str:
    value = values.get(column)
    return "" if value is None else str(value).strip()


def _required(values: Mapping[str, Any], column: str) -> str:
    text = _text(values, column)
    if not text:
        raise RowInvalid(column, _("必填。"))
    return text


def _flag(values: Mapping[str, Any], column: str) -> bool:
    return lookup_key(_text(values, column)) in YES


def _choices(choices: list[tuple[str, Any]]) -> dict[str, str]:
    """A cell may hold a choice's value or its Chinese (or current language's) label."""
    table: dict[str, str] = {}
    for language in ("zh-hans", translation.get_language() or "zh-hans"):
        with translation.override(language):
            for value, label in choices:
                table[lookup_key(label)] = value
                table[lookup_key(value)] = value
    return table


def _pick(table: Mapping[str, Any], values: Mapping[str, Any], column: str, missing: str, *,
          required: bool = True) -> Any:
    key = _text(values, column)
    if not key:
        if required:
            raise RowInvalid(column, _("必填。"))
        return None
    found = table.get(lookup_key(key))
    if found is None:
        raise RowInvalid(column, missing % {"v": key[:64]})
    return found


class _Lookups:
    def __init__(self) -> None:
        self.orgs = {lookup_key(o.code): o for o in Organisation.objects.exclude(kind="enterprise")}
        self.orgs.update({lookup_key(o.name): o for o in Organisation.objects.exclude(kind="enterprise")})
        self.regions = {lookup_key(r.code): r for r in Region.objects.all()}
        self.regions.update({lookup_key(r.name): r for r in Region.objects.all()})
        self.systems = {lookup_key(s.code): s for s in SafetySystem.objects.all()}


def _bulk(batch: list[Row], write: Callable[[Row], Any]) -> list[Any]:
    """Write every row; refuse them all (by row) when any fails."""
    done: list[Any] = []
    errors: dict[int, DomainError] = {}
    for index, arguments in enumerate(batch):
        try:
            with transaction.atomic():
                done.append(write(arguments))
        except DomainError as exc:
            errors[index] = exc
    if errors:
        raise RowsRefused(errors)
    return done


def _check(batch: list[Row], write: Callable[[Row], Any]) -> dict[int, DomainError]:
    try:
        with transaction.atomic():
            _bulk(batch, write)
            transaction.set_rollback(True)
    except RowsRefused as exc:
        return exc.errors
    return {}


def _run(source: IO[bytes] | bytes, *, required: tuple[str, ...], read: Callable[[SheetRow], Row],
         key_column: str, key: Callable[[Row], str], write: Callable[[Row], Any], columns: Mapping[str, str],
         dry_run: bool) -> ImportReport:
    rows = read_rows(source, required=required)
    return import_rows(
        rows, read=read, key_column=key_column, key=key,
        create_many=lambda batch: _bulk(batch, write), validate_many=lambda batch: _check(batch, write),
        field_columns=columns, dry_run=dry_run,
    )


# --- systems ---------------------------------------------------------------------------------------

SYSTEM_COLUMNS = ("编码", "名称", "类别", "牵头部门")
SYSTEM_FIELDS = {"code": "编码", "name": "名称", "category": "类别", "leading_org": "牵头部门",
                 "co_orgs": "配合部门", "industry_codes": "覆盖行业代码", "repeat_window_days": "重复隐患判定期（天）",
                 "name_en": "英文名称"}


def systems_import(source: IO[bytes] | bytes, *, actor: Actor | None, dry_run: bool) -> ImportReport:
    """责任制: a row per system, created through ``system_create`` (revision 1 each)."""
    lookups = _Lookups()
    categories = _choices(list(SystemCategory.choices))

    def read(row: SheetRow) -> Row:
        v = row.values
        problems = RowProblems()
        co: list[Organisation] = []
        for name in [p for p in re.split(r"[,，、;；\s]+", _text(v, "配合部门")) if p]:
            org = lookups.orgs.get(lookup_key(name))
            if org is None:
                problems.problems.append(("配合部门", _("找不到单位“%(v)s”。") % {"v": name[:64]}))
            else:
                co.append(org)
        window = _text(v, "重复隐患判定期（天）")
        arguments = {
            "code": problems.read(lambda: _required(v, "编码"), ""),
            "name": problems.read(lambda: _required(v, "名称"), ""),
            "category": problems.read(lambda: _pick(categories, v, "类别", _("未知的类别“%(v)s”。")), ""),
            "leading_org": problems.read(lambda: _pick(lookups.orgs, v, "牵头部门", _("找不到单位“%(v)s”。")), None),
            "co_orgs": co,
            "industry_codes": problems.read(
                lambda: _industry(v, "覆盖行业代码"), _no_codes()),
            "repeat_window_days": int(window) if window.isdigit() else 90,
            "name_en": _text(v, "英文名称"),
            "is_example": _flag(v, "示例"),
        }
        if window and not window.isdigit():
            problems.problems.append(("重复隐患判定期（天）", _("应为天数。")))
        problems.check()
        return arguments

    return _run(source, required=SYSTEM_COLUMNS, read=read, key_column="编码", key=lambda a: str(a["code"]).lower(),
                write=lambda a: registry.system_create(actor=actor, summary=_("导入"), **a),
                columns=SYSTEM_FIELDS, dry_run=dry_run)


def _no_codes() -> list[str]:
    return []


def _industry(values: Mapping[str, Any], column: str) -> list[str]:
    try:
        return registry.clean_industry_codes(_text(values, column))
    except DomainError as exc:
        raise RowInvalid(column, str(exc.message)) from exc


# --- checklist items and duties --------------------------------------------------------------------

ITEM_COLUMNS = ("责任制编码", "检查项编号", "检查内容")
ITEM_FIELDS = {"system": "责任制编码", "code": "检查项编号", "text": "检查内容", "basis": "依据"}


def items_import(source: IO[bytes] | bytes, *, actor: Actor | None, dry_run: bool) -> ImportReport:
    """检查项: a row per checklist item of an existing system (``item_add``)."""
    lookups = _Lookups()

    def read(row: SheetRow) -> Row:
        v = row.values
        problems = RowProblems()
        arguments = {
            "system": problems.read(lambda: _pick(lookups.systems, v, "责任制编码", _("没有编码为“%(v)s”的责任制。")), None),
            "code": problems.read(lambda: _required(v, "检查项编号"), ""),
            "text": problems.read(lambda: _required(v, "检查内容"), ""),
            "basis": _text(v, "依据"),
            "is_major_criterion": _flag(v, "重大事故隐患判定项"),
        }
        problems.check()
        return arguments

    def write(a: Row) -> Any:
        a = dict(a)
        return registry.item_add(a.pop("system"), actor=actor, **a)

    return _run(source, required=ITEM_COLUMNS, read=read, key_column="检查项编号",
                key=lambda a: f"{a['system'].code}/{a['code']}", write=write, columns=ITEM_FIELDS, dry_run=dry_run)


DUTY_COLUMNS = ("责任制编码", "层级", "职责内容")
DUTY_FIELDS = {"system": "责任制编码", "level": "层级", "text": "职责内容", "frequency": "频次",
               "scope_industry_codes": "检查范围行业代码"}


def duties_import(source: IO[bytes] | bytes, *, actor: Actor | None, dry_run: bool) -> ImportReport:
    """职责清单: a row per duty of an existing system (``duty_add``)."""
    lookups = _Lookups()
    levels = _choices(list(DutyLevel.choices))
    frequencies = _choices(list(Frequency.choices))

    def read(row: SheetRow) -> Row:
        v = row.values
        problems = RowProblems()
        arguments = {
            "system": problems.read(lambda: _pick(lookups.systems, v, "责任制编码", _("没有编码为“%(v)s”的责任制。")), None),
            "level": problems.read(lambda: _pick(levels, v, "层级", _("未知的层级“%(v)s”。")), ""),
            "text": problems.read(lambda: _required(v, "职责内容"), ""),
            "frequency": problems.read(lambda: _pick(frequencies, v, "频次", _("未知的频次“%(v)s”。"), required=False),
                                       "") or "",
            "checks_enterprises": _flag(v, "须检查企业"),
            "scope_industry_codes": problems.read(lambda: _industry(v, "检查范围行业代码"), _no_codes()),
        }
        problems.check()
        return arguments

    def write(a: Row) -> Any:
        a = dict(a)
        return registry.duty_add(a.pop("system"), actor=actor, **a)

    return _run(source, required=DUTY_COLUMNS, read=read, key_column="职责内容", key=lambda a: "",
                write=write, columns=DUTY_FIELDS, dry_run=dry_run)


# --- responsible persons ---------------------------------------------------------------------------

PERSON_COLUMNS = ("责任制编码", "区划", "所在单位", "岗位", "姓名")
PERSON_FIELDS = {"system": "责任制编码", "region": "区划", "organisation": "所在单位", "post": "岗位", "name": "姓名",
                 "title": "职务", "phone": "联系电话", "user": "系统账号"}


def persons_import(source: IO[bytes] | bytes, *, actor: Actor | None, dry_run: bool) -> ImportReport:
    """责任人 (党政同责、一岗双责): a row per person (``person_add``)."""
    lookups = _Lookups()
    posts = _choices(list(PostKind.choices))

    def read(row: SheetRow) -> Row:
        v = row.values
        problems = RowProblems()
        username = _text(v, "系统账号")
        user = User.objects.filter(username=username).first() if username else None
        if username and user is None:
            problems.problems.append(("系统账号", _("没有账号“%(v)s”。") % {"v": username[:64]}))
        arguments = {
            "system": problems.read(lambda: _pick(lookups.systems, v, "责任制编码", _("没有编码为“%(v)s”的责任制。")), None),
            "region": problems.read(lambda: _pick(lookups.regions, v, "区划", _("找不到区划“%(v)s”。")), None),
            "organisation": problems.read(lambda: _pick(lookups.orgs, v, "所在单位", _("找不到单位“%(v)s”。")), None),
            "post": problems.read(lambda: _pick(posts, v, "岗位", _("未知的岗位“%(v)s”。")), ""),
            "name": problems.read(lambda: _required(v, "姓名"), ""),
            "title": _text(v, "职务"), "phone": _text(v, "联系电话"), "user": user,
        }
        problems.check()
        return arguments

    def write(a: Row) -> Any:
        a = dict(a)
        return registry.person_add(a.pop("system"), actor=actor, **a)

    return _run(source, required=PERSON_COLUMNS, read=read, key_column="姓名", key=lambda a: "",
                write=write, columns=PERSON_FIELDS, dry_run=dry_run)


# --- the enterprise mapping ------------------------------------------------------------------------

MAPPING_COLUMNS = ("统一社会信用代码", "责任制编码")
MAPPING_FIELDS = {"enterprise": "统一社会信用代码", "system": "责任制编码", "responsible_org": "监管部门"}


def mappings_import(source: IO[bytes] | bytes, *, actor: Actor | None, dry_run: bool) -> ImportReport:
    """企业覆盖: a row per enterprise and system, mapped by hand (``mapping_add``)."""
    lookups = _Lookups()
    visible = Enterprise.objects.visible_to(actor) if actor is not None else Enterprise.objects.all()

    def read(row: SheetRow) -> Row:
        v = row.values
        problems = RowProblems()
        uscc = _text(v, "统一社会信用代码").upper()
        enterprise = visible.filter(uscc=uscc).first() if uscc else None
        if enterprise is None:
            problems.problems.append(("统一社会信用代码", _("必填。") if not uscc else
                                      _("未登记统一社会信用代码为“%(v)s”的企业。") % {"v": uscc[:18]}))
        arguments = {
            "enterprise": enterprise,
            "system": problems.read(lambda: _pick(lookups.systems, v, "责任制编码", _("没有编码为“%(v)s”的责任制。")), None),
            "responsible_org": problems.read(
                lambda: _pick(lookups.orgs, v, "监管部门", _("找不到单位“%(v)s”。"), required=False), None),
        }
        problems.check()
        return arguments

    return _run(source, required=MAPPING_COLUMNS, read=read, key_column="统一社会信用代码",
                key=lambda a: f"{a['enterprise'].uscc}/{a['system'].code}",
                write=lambda a: coverage.mapping_add(actor=actor, **a), columns=MAPPING_FIELDS, dry_run=dry_run)
