"""Parsing a year's State Council holiday notice (CSV or YAML) into checked entries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import yaml
from django.utils.translation import gettext as _

from ..errors import ValidationFailed
from .source import HOLIDAY, WORKDAY

# --- parsing a notice -------------------------------------------------------------------


@dataclass(frozen=True)
class HolidayEntry:
    """One date of a notice; ``where`` names its line or entry for error messages."""

    date: dt.date
    kind: str
    name: str = ""
    where: str = ""


@dataclass
class HolidayNotice:
    """A year's notice, parsed: the dates that differ from the plain weekday rule."""

    year: int
    notice: str = ""
    entries: list[HolidayEntry] = field(default_factory=list)
    source_name: str = ""

    @property
    def holidays(self) -> list[HolidayEntry]:
        return [e for e in self.entries if e.kind == HOLIDAY]

    @property
    def workdays(self) -> list[HolidayEntry]:
        return [e for e in self.entries if e.kind == WORKDAY]


class HolidayImportError(ValidationFailed):
    """The file was refused; ``errors`` has one Chinese message per bad line/entry."""

    code = "holiday_import_invalid"

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__(_("节假日文件有误，未导入任何数据：") + "；".join(self.errors))


KIND_WORDS = {
    "holiday": HOLIDAY,
    "off": HOLIDAY,
    "放假": HOLIDAY,
    "休": HOLIDAY,
    "休息": HOLIDAY,
    "节假日": HOLIDAY,
    "workday": WORKDAY,
    "work": WORKDAY,
    "调休上班": WORKDAY,
    "调休": WORKDAY,
    "上班": WORKDAY,
    "补班": WORKDAY,
    "班": WORKDAY,
}

WEEKDAY_NAMES = ("一", "二", "三", "四", "五", "六", "日")

_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(value: object) -> dt.date | None:
    """A date from ``2027-02-05``, ``2027/2/5``, ``2027.2.5`` or ``2027年2月5日``."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    match = _DATE_RE.match(str(value or ""))
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _problem(where: str, problem: str) -> str:
    return _("%(where)s：%(problem)s") % {"where": where, "problem": problem}


def _bad_date(value: object) -> str:
    return _("无法识别的日期“%(value)s”（应为 2027-02-05 这样的格式）") % {"value": value}


def validate_entries(year: int, entries: Sequence[HolidayEntry]) -> list[str]:
    """Every problem with the entries of a notice for ``year`` (empty when it is valid)."""
    errors: list[str] = []
    seen: dict[dt.date, HolidayEntry] = {}
    if not 1900 <= year <= 2200:
        errors.append(_("年份 %(year)s 不合理。") % {"year": year})
    if not entries:
        errors.append(_("文件中没有任何放假或调休上班的日期。"))
    for entry in entries:
        if entry.kind not in (HOLIDAY, WORKDAY):
            errors.append(_problem(entry.where, _("未知的类型“%(kind)s”") % {"kind": entry.kind}))
            continue
        if entry.date.year != year:
            errors.append(
                _problem(
                    entry.where,
                    _("日期 %(date)s 不在声明的年份 %(year)s 内")
                    % {"date": entry.date.isoformat(), "year": year},
                )
            )
        if entry.kind == WORKDAY and entry.date.weekday() < 5:
            errors.append(
                _problem(
                    entry.where,
                    _("%(date)s 是星期%(weekday)s，不是周末，不能作为调休上班日")
                    % {"date": entry.date.isoformat(), "weekday": WEEKDAY_NAMES[entry.date.weekday()]},
                )
            )
        if len(entry.name) > 32:
            errors.append(_problem(entry.where, _("节日名称超过 32 个字")))
        first = seen.get(entry.date)
        if first is not None:
            errors.append(
                _problem(
                    entry.where,
                    _("日期 %(date)s 重复（%(first)s 已有）")
                    % {"date": entry.date.isoformat(), "first": first.where},
                )
            )
        else:
            seen[entry.date] = entry
    return errors


def decode_text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise HolidayImportError([_("文件编码无法识别（请存为 UTF-8）。")])


_COMMENT_RE = re.compile(r"^\s*#\s*(year|年份|notice|通知)\s*[:：]\s*(.*?)\s*$", re.IGNORECASE)
_HEADER_WORDS = {"date", "日期"}


def parse_csv(
    data: bytes | str, *, year: int | None = None, notice: str = "", source_name: str = ""
) -> HolidayNotice:
    """Parse ``date,kind,name`` rows (a header row and ``# year: 2027`` / ``# notice: …``
    comment lines are optional). The year is ``year``, else the comment's, else the
    first date's; raises :class:`HolidayImportError` naming every bad line."""
    text = decode_text(data)
    errors: list[str] = []
    entries: list[HolidayEntry] = []
    declared: int | None = None
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line:
            continue
        if line.startswith("#"):
            match = _COMMENT_RE.match(line)
            if match and match[1].lower() in {"year", "年份"}:
                if match[2].isdigit():
                    declared = int(match[2])
                else:
                    errors.append(_problem(_("第 %(line)d 行") % {"line": number}, _("年份应为四位数字")))
            elif match:
                notice = notice or match[2]
            continue
        where = _("第 %(line)d 行") % {"line": number}
        row = next(csv.reader(io.StringIO(line)))
        cells = [cell.strip() for cell in row]
        if cells and cells[0].lower() in _HEADER_WORDS:
            continue
        if len(cells) < 2 or len(cells) > 3:
            errors.append(_problem(where, _("应有 date,kind,name 三列，实有 %(n)d 列") % {"n": len(cells)}))
            continue
        day = parse_date(cells[0])
        kind = KIND_WORDS.get(cells[1].lower())
        name = cells[2] if len(cells) == 3 else ""
        if day is None:
            errors.append(_problem(where, _bad_date(cells[0])))
        if kind is None:
            errors.append(
                _problem(
                    where,
                    _("未知的类型“%(kind)s”（应为 holiday/放假 或 workday/调休上班）") % {"kind": cells[1]},
                )
            )
        if day is not None and kind is not None:
            entries.append(HolidayEntry(date=day, kind=kind, name=name, where=where))
    if year is not None and declared is not None and year != declared:
        errors.insert(0, _("文件声明的年份 %(a)s 与指定的年份 %(b)s 不一致") % {"a": declared, "b": year})
    final_year = year or declared or (entries[0].date.year if entries else None)
    if final_year is None:
        raise HolidayImportError(errors or [_("文件中没有任何放假或调休上班的日期。")])
    errors += validate_entries(final_year, entries) if entries or not errors else []
    if errors:
        raise HolidayImportError(errors)
    return HolidayNotice(year=final_year, notice=notice, entries=entries, source_name=source_name)


def _yaml_day(value: object, where: str, errors: list[str]) -> dt.date | None:
    day = parse_date(value)
    if day is None:
        errors.append(_problem(where, _bad_date(value)))
    return day


def parse_yaml(
    data: bytes | str, *, year: int | None = None, notice: str = "", source_name: str = ""
) -> HolidayNotice:
    """Parse the YAML form (see docs/working-days.md): ``year``, ``notice``,
    ``holidays`` as a list of ``{name, from, to}`` (or ``{name, date}``) and
    ``workdays`` as a list of dates (or ``{date, name}``). Raises
    :class:`HolidayImportError` naming every bad entry."""
    try:
        document = yaml.safe_load(decode_text(data))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("第 %(line)d 行") % {"line": mark.line + 1} if mark is not None else _("文件")
        raise HolidayImportError([_problem(where, _("YAML 格式错误"))]) from exc
    if not isinstance(document, dict):
        raise HolidayImportError([_("YAML 文件应包含 year、holidays、workdays 等键。")])
    errors: list[str] = []
    declared = document.get("year")
    if declared is not None and not isinstance(declared, int):
        errors.append(_("year 应为四位数字，而不是“%(value)s”") % {"value": declared})
        declared = None
    if year is not None and declared is not None and year != declared:
        errors.append(_("文件声明的年份 %(a)s 与指定的年份 %(b)s 不一致") % {"a": declared, "b": year})
    final_year = year or declared
    if final_year is None:
        errors.append(_("YAML 文件缺少 year（年份）。"))
    unknown_keys = set(document) - {"year", "notice", "holidays", "workdays"}
    if unknown_keys:
        errors.append(_("未知的键：%(keys)s") % {"keys": "、".join(sorted(map(str, unknown_keys)))})
    entries: list[HolidayEntry] = []
    for key in ("holidays", "workdays"):
        if not isinstance(document.get(key) or [], list):
            errors.append(_("%(key)s 应为列表") % {"key": key})
            document[key] = []
    for index, item in enumerate(document.get("holidays") or [], start=1):
        label = item.get("name", "") if isinstance(item, dict) else ""
        where = _("holidays 第 %(index)d 项") % {"index": index} + (f"（{label}）" if label else "")
        if not isinstance(item, dict):
            errors.append(_problem(where, _("应写成 {name: 春节, from: 日期, to: 日期}")))
            continue
        name = str(item.get("name") or "")
        if "date" in item:
            first = _yaml_day(item["date"], where, errors)
            last = first
        elif "from" in item:
            first = _yaml_day(item["from"], where, errors)
            last = _yaml_day(item.get("to", item["from"]), where, errors)
        else:
            errors.append(_problem(where, _("缺少 from/to 或 date")))
            continue
        if first is None or last is None:
            continue
        if last < first:
            errors.append(
                _problem(where, _("结束日期 %(to)s 早于开始日期 %(from)s") % {"to": last, "from": first})
            )
            continue
        if (last - first).days > 31:
            errors.append(_problem(where, _("放假期间超过 31 天，请检查日期")))
            continue
        day = first
        while day <= last:
            entries.append(HolidayEntry(date=day, kind=HOLIDAY, name=name, where=where))
            day += dt.timedelta(days=1)
    for index, item in enumerate(document.get("workdays") or [], start=1):
        where = _("workdays 第 %(index)d 项") % {"index": index}
        name = ""
        value: object = item
        if isinstance(item, dict):
            value, name = item.get("date"), str(item.get("name") or "")
        workday = _yaml_day(value, where, errors)
        if workday is not None:
            entries.append(HolidayEntry(date=workday, kind=WORKDAY, name=name, where=where))
    if final_year is not None:
        errors += validate_entries(final_year, entries)
    if errors or final_year is None:
        raise HolidayImportError(errors)
    return HolidayNotice(
        year=final_year,
        notice=notice or str(document.get("notice") or ""),
        entries=entries,
        source_name=source_name,
    )


def parse_holiday_file(
    data: bytes | str, *, filename: str = "", year: int | None = None, notice: str = ""
) -> HolidayNotice:
    """Parse a notice file, CSV or YAML by its extension (YAML when it starts ``year:``)."""
    lower = filename.lower()
    if lower.endswith((".yaml", ".yml")):
        return parse_yaml(data, year=year, notice=notice, source_name=filename)
    if lower.endswith((".csv", ".txt")):
        return parse_csv(data, year=year, notice=notice, source_name=filename)
    text = decode_text(data)
    if re.search(r"^\s*(year|holidays|workdays)\s*:", text, re.MULTILINE):
        return parse_yaml(text, year=year, notice=notice, source_name=filename)
    return parse_csv(text, year=year, notice=notice, source_name=filename)
