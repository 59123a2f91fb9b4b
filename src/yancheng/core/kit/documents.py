"""Documents for circulation (公文): one builder that lays out a .docx the way GB/T 9704-2012
《党政机关公文格式》 asks, so that every 通报, notice, 讲评 and, later, 告知书 and 意见书 looks
like what an office sends out.

    document = OfficialDocument(_("周调度通报"), issuer="衡阳市发展和改革委员会", date=day)
    document.subtitle("2026年第49周")
    document.heading("总体情况")              # 一、总体情况 (黑体)
    document.paragraph("本次调度共列入……")     # 仿宋_GB2312, first line indented two characters
    document.subheading("项目推进")            # （一）项目推进 (楷体_GB2312)
    document.table(["序号", "单位", "得分"], rows)
    document.imprint(copy_to=["市委办公室", "市人大常委会办公室"])
    data = document.to_bytes()

What the layout is (GB/T 9704-2012, sections 5 and 7):

- A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm: a 156 × 225 mm 版心. A wide
  table may use a landscape page; the margins turn with the page (the binding edge, 28 mm,
  at the top), so the 版心 stays 225 × 156 mm.
- The title in 2号 (22 pt) 方正小标宋简体, centred; the body in 3号 (16 pt) 仿宋_GB2312, first
  line indented two characters, lines exactly 28.95 pt apart (22 lines of 28 characters).
- Headings numbered by the builder: 一、 in 黑体, （一） in 楷体_GB2312, 1. and （1） in 仿宋.
- Page numbers "— 1 —" in 4号 宋体 half-width digits, odd pages on the right and even pages
  on the left, each one character in from the edge of the 版心.
- A 落款 (issuer and date, placed as §7.3.5.2 places them on a document without a seal)
  when the document has an issuer or a date, and for a notice a 版记 at the foot of the last page: the 抄送 line and the
  印发机关 with the 印发日期 between rules (thick, thin, thick), in 4号 仿宋.
- Every style and the document defaults are written here, in black, with named fonts and
  the language zh-CN: nothing of python-docx's template (Calibri, blue theme colours,
  en-US) is left. Fonts are named, never embedded. Each named font is listed in the font
  table with its character set (GB2312), family and pitch, and alternative names
  (ECMA-376 §17.8.3.1 ``w:altName``): the font a computer lacks is replaced by one it has
  with the same description; see docs/documents.md for what Word and WPS substitute.
- Tables: grid borders, 小四 (12 pt) text (五号 for tables of more than ten columns), the
  header row repeated on every page, rows that do not break across pages, numbers
  written for people (``lib.numbers.plain``: "100", never "100.0") and right-aligned.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import quoteattr

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from yancheng.lib.numbers import MISSING, cn_number, is_number, plain

# Font names as the offices' computers have them (GB/T 9704 names the typefaces; these are
# the names Windows, WPS and the 方正 packages install them under).
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

# Sizes in half-points (w:sz): 2号 22 pt, 3号 16 pt, 4号 14 pt, 小四 12 pt, 五号 10.5 pt.
SIZE_2, SIZE_3, SIZE_4, SIZE_SMALL_4, SIZE_5 = 44, 32, 28, 24, 21
BODY_LINE_TWIPS = 579  # 28.95 pt: 22 lines fill the 225 mm 版心
CHAR_TWIPS = 320  # one 3号 character, 16 pt

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# The font table: (name, alternative names, panose, charset, family, pitch). Charset 86 is
# GB2312; a computer without the font takes one with the same charset and family.
_FONTS: list[tuple[str, str, str, str, str, str]] = [
    (LATIN_FONT, "", "02020603050405020304", "00", "roman", "variable"),
    (TITLE_FONT, "方正小标宋_GBK,FZXiaoBiaoSong-B05S,华文中宋,宋体", "02000000000000000000", "86", "script",
     "variable"),
    (BODY_FONT, "仿宋,FangSong_GB2312,FangSong", "02010609030101010101", "86", "modern", "fixed"),
    (HEADING_FONT, "SimHei", "02010609060101010101", "86", "modern", "fixed"),
    (SUBHEADING_FONT, "楷体,KaiTi_GB2312,KaiTi", "02010609030101010101", "86", "modern", "fixed"),
    (PAGE_NUMBER_FONT, "SimSun", "02010600030101010101", "86", "auto", "variable"),
]


def _fonts(east_asia: str, latin: str = LATIN_FONT) -> str:
    return (f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east_asia}" w:cs="{latin}"/>')


def _run_properties(east_asia: str, size: int, *, bold: bool = False) -> str:
    return (f"<w:rPr>{_fonts(east_asia)}{'<w:b/><w:bCs/>' if bold else ''}<w:color w:val=\"000000\"/>"
            f'<w:kern w:val="2"/><w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
            '<w:lang w:val="zh-CN" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr>')


_NO_INDENT = '<w:ind w:firstLineChars="0" w:firstLine="0"/>'
_SINGLE = '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'


def _paragraph_style(style_id: str, name: str, p_pr: str, r_pr: str, *, based_on: str | None = "Normal",
                     outline: int | None = None, custom: bool = False) -> str:
    outline_xml = f'<w:outlineLvl w:val="{outline}"/>' if outline is not None else ""
    keep = "<w:keepNext/><w:keepLines/>" if outline is not None else ""
    custom_xml = ' w:customStyle="1"' if custom else ""
    return (f'<w:style w:type="paragraph" w:styleId="{style_id}"{custom_xml}>'
            f'<w:name w:val="{name}"/>' + (f'<w:basedOn w:val="{based_on}"/>' if based_on else "")
            + f'<w:next w:val="Normal"/><w:qFormat/><w:pPr>{keep}{p_pr}{outline_xml}</w:pPr>{r_pr}</w:style>')


def _styles_xml() -> str:
    body = _run_properties(BODY_FONT, SIZE_3)
    exact = f'<w:spacing w:before="0" w:after="0" w:line="{BODY_LINE_TWIPS}" w:lineRule="exact"/>'
    styles = [
        '<w:docDefaults><w:rPrDefault>', body, '</w:rPrDefault><w:pPrDefault><w:pPr>',
        '<w:widowControl w:val="0"/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults>',
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>'
        f'<w:pPr><w:widowControl w:val="0"/>{exact}<w:ind w:firstLineChars="200" w:firstLine="{2 * CHAR_TWIPS}"/>'
        f'<w:jc w:val="both"/></w:pPr>{body}</w:style>',
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>',
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
        '<w:left w:w="85" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>'
        '</w:tblCellMar></w:tblPr></w:style>',
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
        '<w:semiHidden/></w:style>',
        _paragraph_style("Title", "Title", f'<w:spacing w:before="0" w:after="0" w:line="{BODY_LINE_TWIPS + 140}" '
                         f'w:lineRule="exact"/>{_NO_INDENT}<w:jc w:val="center"/>',
                         _run_properties(TITLE_FONT, SIZE_2), outline=None),
        _paragraph_style("Subtitle", "Subtitle", f"{exact}{_NO_INDENT}<w:jc w:val=\"center\"/>",
                         _run_properties(SUBHEADING_FONT, SIZE_3)),
        _paragraph_style("Heading1", "heading 1", exact, _run_properties(HEADING_FONT, SIZE_3), outline=0),
        _paragraph_style("Heading2", "heading 2", exact, _run_properties(SUBHEADING_FONT, SIZE_3), outline=1),
        _paragraph_style("Heading3", "heading 3", exact, _run_properties(BODY_FONT, SIZE_3), outline=2),
        _paragraph_style("Heading4", "heading 4", exact, _run_properties(BODY_FONT, SIZE_3), outline=3),
        _paragraph_style("Closing", "落款", f'{exact}{_NO_INDENT}<w:jc w:val="right"/>',
                         _run_properties(BODY_FONT, SIZE_3), custom=True),
        _paragraph_style("TableText", "表格文字", f"<w:snapToGrid w:val=\"0\"/>{_SINGLE}{_NO_INDENT}",
                         _run_properties(BODY_FONT, SIZE_SMALL_4), custom=True),
        _paragraph_style("TableHeading", "表格标题行", f'{_SINGLE}{_NO_INDENT}<w:jc w:val="center"/>',
                         _run_properties(HEADING_FONT, SIZE_SMALL_4), custom=True),
        _paragraph_style("Imprint", "版记", f'<w:spacing w:before="0" w:after="0" w:line="{BODY_LINE_TWIPS}" '
                         f'w:lineRule="exact"/><w:ind w:left="{SIZE_4 * 10}" w:right="{SIZE_4 * 10}" '
                         'w:firstLine="0"/><w:jc w:val="left"/>', _run_properties(BODY_FONT, SIZE_4), custom=True),
        _paragraph_style("Footer", "footer", f"{_SINGLE}{_NO_INDENT}",
                         _run_properties(PAGE_NUMBER_FONT, SIZE_4).replace(
                             _fonts(PAGE_NUMBER_FONT), _fonts(PAGE_NUMBER_FONT, PAGE_NUMBER_FONT))),
        _paragraph_style("Header", "header", f"{_SINGLE}{_NO_INDENT}", _run_properties(BODY_FONT, SIZE_4)),
    ]
    return "".join(styles)


def _font_table_xml() -> str:
    fonts = []
    for name, alternatives, panose, charset, family, pitch in _FONTS:
        alt = f"<w:altName w:val={quoteattr(alternatives)}/>" if alternatives else ""
        fonts.append(f'<w:font w:name={quoteattr(name)}>{alt}<w:panose1 w:val="{panose}"/>'
                     f'<w:charset w:val="{charset}"/><w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts xmlns:w="{W_NS}">'
            + "".join(fonts) + "</w:fonts>")


def _display_width(text: str) -> int:
    """Width in half characters: a Chinese character counts two, a Latin one one."""
    return sum(1 if ord(c) < 0x2E80 else 2 for c in text)


_NUMERIC = re.compile(r"^[-+−]?\d[\d,]*(\.\d+)?\s*(%|‰|万元|亿元|元|个|项|次|分|天)?$")


def cell_text(value: Any, places: int = 2) -> str:
    """A table cell as people read it: numbers through ``lib.numbers.plain`` (100.0 → "100"),
    dates as 2026-12-14, None as "—"."""
    if value is None:
        return MISSING
    if is_number(value):
        return plain(value, places)
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def chinese_date(day: dt.date) -> str:
    """2026年12月7日: the 成文日期 and 印发日期 as GB/T 9704-2012 writes them (Arabic numerals,
    no leading zeros)."""
    return _("%(year)d年%(month)d月%(day)d日") % {"year": day.year, "month": day.month, "day": day.day}


def document_issuer() -> str:
    """The 印发机关 of the city's circulated documents (setting ``YANCHENG_DOCUMENT_ISSUER``)."""
    return str(getattr(settings, "YANCHENG_DOCUMENT_ISSUER", "") or settings.YANCHENG_CITY_NAME)


class OfficialDocument:
    """A 公文 being written, top to bottom. Headings number themselves; ``to_bytes`` adds the
    落款 (when an issuer or date was given) and the 版记 (when ``imprint`` was called)."""

    def __init__(self, title: str, *, issuer: str | None = None, date: dt.date | None = None,
                 landscape: bool = False) -> None:
        from docx import Document
        from docx.oxml import parse_xml
        from docx.shared import Mm

        self.title = str(title)
        self.issuer = issuer
        self.date = date
        self.landscape = landscape
        self._counts = [0, 0, 0, 0]
        self._imprint: tuple[list[str], str, dt.date] | None = None
        self._document: Any = Document()
        document = self._document
        # Styles: python-docx's template replaced by ours, whole.
        styles = document.styles.element
        for child in list(styles):
            styles.remove(child)
        for child in parse_xml(f'<w:styles xmlns:w="{W_NS}">{_styles_xml()}</w:styles>'):
            styles.append(child)
        self._replace_package_parts()
        settings_element = document.settings.element
        for lang in settings_element.findall(f"{{{W_NS}}}themeFontLang"):
            lang.set(f"{{{W_NS}}}val", "zh-CN")
            lang.set(f"{{{W_NS}}}eastAsia", "zh-CN")
        document.settings.odd_and_even_pages_header_footer = True

        section = document.sections[0]
        long, short = Mm(297), Mm(210)
        if landscape:
            from docx.enum.section import WD_ORIENT

            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = long, short
            section.top_margin, section.bottom_margin = Mm(28), Mm(26)
            section.left_margin, section.right_margin = Mm(37), Mm(35)
        else:
            section.page_width, section.page_height = short, long
            section.top_margin, section.bottom_margin = Mm(37), Mm(35)
            section.left_margin, section.right_margin = Mm(28), Mm(26)
        # The page number's dash line sits 7 mm below the 版心 (GB/T 9704-2012 §7.5).
        section.footer_distance = section.bottom_margin - Mm(7) - Mm(6)
        section.header_distance = Mm(15)
        self._page_numbers(section)

        properties = document.core_properties
        properties.title = self.title
        properties.author = issuer or document_issuer()
        properties.last_modified_by = properties.author
        properties.language = "zh-CN"
        properties.comments = ""
        properties.keywords = ""
        properties.subject = ""

        body = document.element.body
        for paragraph in list(body.iterchildren(f"{{{W_NS}}}p")):
            body.remove(paragraph)
        document.add_paragraph(self.title, style=self._style("Title"))

    # --- layout pieces -------------------------------------------------------------------

    def _style(self, style_id: str) -> Any:
        for style in self._document.styles:
            if style.style_id == style_id:
                return style
        raise KeyError(style_id)

    def _replace_package_parts(self) -> None:
        """The font table lists our fonts; the template's theme (Calibri, Cambria, blue
        accents), its Word 2010 copy of the styles and its thumbnail are dropped: nothing
        refers to them any more."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        part = self._document.part
        for rel_id, rel in list(part.rels.items()):
            if rel.reltype == RT.FONT_TABLE:
                rel.target_part._blob = _font_table_xml().encode()
            elif rel.reltype.endswith("/stylesWithEffects") or rel.reltype == RT.THEME:
                part.drop_rel(rel_id)
        package = part.package
        for rel_id, rel in list(package.rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                package.rels.pop(rel_id)

    def _page_numbers(self, section: Any) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        one_char = Pt(14)
        for footer, alignment, odd in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, True),
                                       (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, False)):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.style = self._style("Footer")
            paragraph.alignment = alignment
            if odd:
                paragraph.paragraph_format.right_indent = one_char
            else:
                paragraph.paragraph_format.left_indent = one_char
            paragraph.add_run("— ")
            _page_field(paragraph)
            paragraph.add_run(" —")

    def _add(self, text: str, style_id: str) -> Any:
        return self._document.add_paragraph(text, style=self._style(style_id))

    # --- the API -------------------------------------------------------------------------

    def subtitle(self, text: str) -> OfficialDocument:
        """A line under the title (the period, the meeting), centred in 楷体."""
        self._add(str(text), "Subtitle")
        return self

    def reference_number(self, text: str) -> OfficialDocument:
        """The 发文字号 (``衡信受告〔2026〕3号``) centred under the title in 仿宋, for a notice
        without a 版头 (GB/T 9704-2012 §7.2.4 puts it under the issuer's name)."""
        paragraph = self._add(str(text), "Normal")
        _flush(paragraph)
        paragraph.alignment = 1  # centred
        return self

    def addressee(self, text: str) -> OfficialDocument:
        """The 主送 line (§7.3.2): flush left, no indent, ending in a full-width colon."""
        name = str(text).rstrip("：:")
        _flush(self._add(f"{name}:" if self._english else f"{name}：", "Normal"))
        return self

    def blank(self) -> OfficialDocument:
        self._document.add_paragraph("", style=self._style("Normal"))
        return self

    def heading(self, text: str) -> OfficialDocument:
        """一、二、… in 黑体; resets the levels below. (In an English document: 1. 2. …)"""
        n = self._counts[0] + 1
        return self._numbered(0, str(text), f"{n}. " if self._english else f"{cn_number(n)}、")

    def subheading(self, text: str) -> OfficialDocument:
        """（一）（二）… in 楷体_GB2312. (English: 1.1 1.2 …)"""
        n = self._counts[1] + 1
        return self._numbered(1, str(text), f"{self._counts[0]}.{n} " if self._english else f"（{cn_number(n)}）")

    def point(self, text: str) -> OfficialDocument:
        """1. 2. … in 仿宋. (English: (1) (2) …)"""
        n = self._counts[2] + 1
        return self._numbered(2, str(text), f"({n}) " if self._english else f"{n}.")

    def subpoint(self, text: str) -> OfficialDocument:
        """（1）（2）… in 仿宋. (English: (a) (b) …)"""
        n = self._counts[3] + 1
        return self._numbered(3, str(text), f"({chr(ord('a') + (n - 1) % 26)}) " if self._english else f"（{n}）")

    @property
    def _english(self) -> bool:
        """Chinese numbering is for Chinese documents; one made in English numbers as English
        readers expect (the language is the one active when the heading is added)."""
        return (translation.get_language() or "").startswith("en")

    def _numbered(self, level: int, text: str, number: str) -> OfficialDocument:
        self._counts[level] += 1
        for lower in range(level + 1, len(self._counts)):
            self._counts[lower] = 0
        self._add(number + text, f"Heading{level + 1}")
        return self

    def paragraph(self, text: str) -> OfficialDocument:
        """Body text; each line of `text` its own paragraph, indented two characters."""
        for line in str(text).splitlines() or [""]:
            if line.strip():
                self._add(line.strip(), "Normal")
        return self

    def table(self, headers: Sequence[Any], rows: Iterable[Sequence[Any]], widths: Sequence[float] | None = None,
              *, places: int = 2) -> OfficialDocument:
        """A grid table: the header row repeated on each page, numbers right-aligned and
        written for people. `widths` are relative (any unit); by default each column is as
        wide as its longest text allows. Cells may be numbers, dates, None or text."""
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Emu

        header_texts = [str(h) for h in headers]
        body_rows = [list(r) for r in rows]
        texts = [[cell_text(v, places) for v in row] for row in body_rows]
        columns = len(header_texts)
        numeric = [
            any(is_number(row[i]) or _NUMERIC.match(texts[n][i] or "") for n, row in enumerate(body_rows))
            and all(is_number(row[i]) or texts[n][i] in ("", MISSING) or _NUMERIC.match(texts[n][i])
                    for n, row in enumerate(body_rows))
            for i in range(columns)
        ]
        section = self._document.sections[-1]
        total = section.page_width - section.left_margin - section.right_margin
        if widths is None:
            widths = [max(4, min(28, max([_display_width(header_texts[i]) // 2 + 2]
                                         + [_display_width(t[i]) + 2 for t in texts])))
                      for i in range(columns)]
        scale = total / float(sum(widths))
        emus = [Emu(int(w * scale)) for w in widths]
        size = SIZE_5 if columns > 10 else SIZE_SMALL_4

        table = self._document.add_table(rows=1, cols=columns)
        _table_properties(table, total)
        header = table.rows[0]
        _mark_row(header, heading=True)
        for i, column in enumerate(table.columns):
            column.width = emus[i]
        for i, cell in enumerate(header.cells):
            cell.width = emus[i]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            paragraph.style = self._style("TableHeading")
            _sized(paragraph.add_run(header_texts[i]), size)
        for row_texts in texts:
            row = table.add_row()
            _mark_row(row, heading=False)
            for i, cell in enumerate(row.cells):
                cell.width = emus[i]
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                paragraph = cell.paragraphs[0]
                paragraph.style = self._style("TableText")
                if numeric[i]:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                _sized(paragraph.add_run(row_texts[i]), size)
        return self

    def imprint(self, copy_to: Sequence[str] = (), issuer: str | None = None,
                date: dt.date | None = None) -> OfficialDocument:
        """The 版记 of a notice, written at the foot of the last page: 抄送 (when `copy_to`
        names anyone), then the 印发机关 (default: the city's ``YANCHENG_DOCUMENT_ISSUER``)
        and the 印发日期 (default: the document's date, else today)."""
        from django.utils import timezone

        self._imprint = ([str(c) for c in copy_to], issuer or document_issuer(),
                         date or self.date or timezone.localdate())
        return self

    def to_bytes(self) -> bytes:
        if self.issuer or self.date:
            self._closing()
        if self._imprint is not None:
            self._write_imprint(*self._imprint)
        buffer = io.BytesIO()
        self._document.save(buffer)
        return buffer.getvalue()

    # --- the end of the document --------------------------------------------------------

    def _closing(self) -> None:
        """落款 of a document without a seal (GB/T 9704-2012 §7.3.5.2): a blank line, the
        issuer two characters in from the right, the date on the next line starting two
        characters to the right of the issuer's first; when the date is the longer, the date
        stays two characters in and the issuer moves left."""
        from docx.shared import Twips

        self.blank()
        half = CHAR_TWIPS // 2
        issuer = self.issuer or ""
        date_text = chinese_date(self.date) if self.date else ""
        issuer_width, date_width = _display_width(issuer), _display_width(date_text)  # half characters
        issuer_indent, date_indent = 4, issuer_width - date_width
        if date_indent < 4:
            date_indent = 4
            issuer_indent = max(4, date_indent + date_width + 4 - issuer_width)
        for text, indent in ((issuer, issuer_indent), (date_text, date_indent)):
            if text:
                paragraph = self._add(text, "Closing")
                paragraph.paragraph_format.right_indent = Twips(indent * half)

    def _write_imprint(self, copy_to: list[str], issuer: str, day: dt.date) -> None:
        """A one-column table floated to the bottom of the 版心 of the last page: rules
        0.35 mm above and below, 0.25 mm between the lines (GB/T 9704-2012 §7.4)."""
        from docx.oxml import parse_xml

        section = self._document.sections[-1]
        total = section.page_width - section.left_margin - section.right_margin
        lines: list[tuple[str, str]] = []
        if copy_to:
            lines.append((_("抄送：%(units)s。") % {"units": "，".join(copy_to)}, ""))
        lines.append((issuer, _("%(date)s印发") % {"date": chinese_date(day)}))
        table = self._document.add_table(rows=len(lines), cols=1)
        tbl_pr = table._tbl.tblPr
        tbl_pr.append(parse_xml(
            f'<w:tblpPr xmlns:w="{W_NS}" w:horzAnchor="margin" w:vertAnchor="margin" '
            'w:tblpXSpec="center" w:tblpYSpec="bottom"/>'))
        tbl_pr.append(parse_xml(f'<w:tblW xmlns:w="{W_NS}" w:w="{int(total / 635)}" w:type="dxa"/>'))
        inner = "single" if len(lines) > 1 else "nil"
        tbl_pr.append(parse_xml(
            f'<w:tblBorders xmlns:w="{W_NS}"><w:top w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
            '<w:left w:val="nil"/><w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
            f'<w:right w:val="nil"/><w:insideH w:val="{inner}" w:sz="6" w:space="0" w:color="000000"/>'
            '<w:insideV w:val="nil"/></w:tblBorders>'))
        tbl_pr.append(parse_xml(
            f'<w:tblCellMar xmlns:w="{W_NS}"><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>'
            '</w:tblCellMar>'))
        _order_tbl_pr(tbl_pr)
        right_tab = int(total / 635) - SIZE_4 * 10
        for row, (left, right) in zip(table.rows, lines, strict=True):
            row.cells[0].width = total
            paragraph = row.cells[0].paragraphs[0]
            paragraph.style = self._style("Imprint")
            if right:
                paragraph.paragraph_format.tab_stops.add_tab_stop(_twips(right_tab), _right_tab())
                paragraph.add_run(f"{left}\t{right}")
            else:
                paragraph.add_run(left)


def _flush(paragraph: Any) -> None:
    """No first-line indent on this paragraph (the style's two characters are set in
    characters, so both the character and the twip values are cleared)."""
    from docx.oxml import parse_xml

    p_pr = paragraph._p.get_or_add_pPr()
    for old in p_pr.findall(f"{{{W_NS}}}ind"):
        p_pr.remove(old)
    indent = parse_xml(f'<w:ind xmlns:w="{W_NS}" w:firstLineChars="0" w:firstLine="0"/>')
    jc = p_pr.find(f"{{{W_NS}}}jc")
    if jc is not None:
        jc.addprevious(indent)
    else:
        p_pr.append(indent)


def _twips(value: int) -> Any:
    from docx.shared import Twips

    return Twips(value)


def _right_tab() -> Any:
    from docx.enum.text import WD_TAB_ALIGNMENT

    return WD_TAB_ALIGNMENT.RIGHT


def _sized(run: Any, size: int) -> None:
    from docx.shared import Pt

    if size != SIZE_SMALL_4:
        run.font.size = Pt(size / 2)


def _page_field(paragraph: Any) -> None:
    """A PAGE field showing the page's number."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    paragraph.add_run()._r.append(instruction)
    char("separate")
    paragraph.add_run("1")
    char("end")


_TBL_PR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                 "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
                 "tblLook"]


def _order_tbl_pr(tbl_pr: Any) -> None:
    """Children of w:tblPr in the schema's order (Word refuses a file otherwise); a later
    duplicate replaces an earlier one."""
    latest: dict[str, Any] = {}
    for child in list(tbl_pr):
        name = child.tag.split("}")[1]
        if name in latest:
            tbl_pr.remove(latest[name])
        latest[name] = child
    for child in sorted(tbl_pr, key=lambda c: _TBL_PR_ORDER.index(c.tag.split("}")[1])
                        if c.tag.split("}")[1] in _TBL_PR_ORDER else len(_TBL_PR_ORDER)):
        tbl_pr.append(child)


def _table_properties(table: Any, total: int) -> None:
    """Full width of the 版心, fixed layout, grid borders of 0.5 pt, centred."""
    from docx.oxml import parse_xml

    tbl_pr = table._tbl.tblPr
    tbl_pr.append(parse_xml(f'<w:tblW xmlns:w="{W_NS}" w:w="{int(total / 635)}" w:type="dxa"/>'))
    tbl_pr.append(parse_xml(f'<w:jc xmlns:w="{W_NS}" w:val="center"/>'))
    edges = "".join(f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"))
    tbl_pr.append(parse_xml(f'<w:tblBorders xmlns:w="{W_NS}">{edges}</w:tblBorders>'))
    tbl_pr.append(parse_xml(f'<w:tblLayout xmlns:w="{W_NS}" w:type="fixed"/>'))
    _order_tbl_pr(tbl_pr)


def _mark_row(row: Any, *, heading: bool) -> None:
    """Rows never break across pages; the header row repeats on each page."""
    from docx.oxml import parse_xml

    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(parse_xml(f'<w:cantSplit xmlns:w="{W_NS}"/>'))
    if heading:
        tr_pr.append(parse_xml(f'<w:tblHeader xmlns:w="{W_NS}"/>'))

