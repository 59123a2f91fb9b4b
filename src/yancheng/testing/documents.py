"""Checks on circulated .docx files shared by the tests: every producer's file is reopened
and held to the layout of ``core.kit.documents`` (GB/T 9704-2012)."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any
from urllib.parse import unquote

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# A4 and its margins in millimetres: (width, height, top, bottom, left, right).
PORTRAIT = (210, 297, 37, 35, 28, 26)
LANDSCAPE = (297, 210, 28, 26, 37, 35)


def _close(value: Any, mm: float) -> bool:
    return bool(abs(value.mm - mm) < 0.2)


def east_asia_font(style: Any) -> str | None:
    fonts = style.element.find(f"{W}rPr/{W}rFonts")
    return None if fonts is None else fonts.get(f"{W}eastAsia")


def check_official_document(data: bytes, *, landscape: bool = False) -> Any:
    """Reopen `data` with python-docx and assert the 公文 layout; return the document.

    A4 with the GB/T 9704 margins; the title in 方正小标宋简体 22 pt, centred; the body in
    仿宋_GB2312 16 pt with exact 28.95 pt lines; headings 黑体 / 楷体_GB2312; zh-CN on the
    defaults and the styles; no Calibri, theme font or theme colour anywhere in the styles
    (nor a theme part); page numbers "— PAGE —" on odd (right) and even (left) footers."""
    from docx import Document

    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert not any("theme" in name.lower() or "stylesWithEffects" in name for name in names), names
    for name in names:
        if name.endswith(".xml"):
            xml = archive.read(name).decode()
            assert "Calibri" not in xml and "Cambria\"" not in xml, name
            assert not re.search(r"theme(Color|Shade|Tint)|Theme=", xml), name
            assert "en-US" not in xml, name
    styles_xml = archive.read("word/styles.xml").decode()
    assert re.search(r'<w:lang w:val="zh-CN" w:eastAsia="zh-CN"', styles_xml)

    document: Any = Document(io.BytesIO(data))
    section = document.sections[0]
    width, height, top, bottom, left, right = LANDSCAPE if landscape else PORTRAIT
    assert _close(section.page_width, width) and _close(section.page_height, height)
    assert _close(section.top_margin, top) and _close(section.bottom_margin, bottom)
    assert _close(section.left_margin, left) and _close(section.right_margin, right)

    styles = {s.style_id: s for s in document.styles}
    title = document.paragraphs[0]
    assert title.style.style_id == "Title" and title.text
    assert east_asia_font(styles["Title"]) == "方正小标宋简体"
    assert styles["Title"].font.size.pt == 22 and styles["Title"].font.name == "Times New Roman"
    assert title.style.paragraph_format.alignment == 1  # centred
    normal = styles["Normal"]
    assert east_asia_font(normal) == "仿宋_GB2312" and normal.font.size.pt == 16
    assert normal.font.name == "Times New Roman"
    assert normal.paragraph_format.line_spacing.pt == 28.95 and normal.paragraph_format.line_spacing_rule == 4
    assert east_asia_font(styles["Heading1"]) == "黑体" and east_asia_font(styles["Heading2"]) == "楷体_GB2312"
    for style in styles.values():
        color = style.element.find(f"{W}rPr/{W}color")
        assert color is None or color.get(f"{W}val") == "000000", style.name

    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for footer, alignment in ((odd, 2), (even, 0)):  # right, left
        assert footer.alignment == alignment
        xml = footer._p.xml
        assert "PAGE" in xml and footer.text.startswith("— ") and footer.text.endswith(" —")
    return document


def imprint_lines(document: Any) -> list[str]:
    """The 版记's lines (抄送, 印发机关 and 印发日期), or [] when it has none."""
    for table in document.tables:
        if table._tbl.tblPr.find(f"{W}tblpPr") is not None:
            return [row.cells[0].text for row in table.rows]
    return []


def body_tables(document: Any) -> list[Any]:
    """The document's tables without the 版记."""
    return [t for t in document.tables if t._tbl.tblPr.find(f"{W}tblpPr") is None]


def download_name(response: Any) -> str:
    """The UTF-8 file name a download carries in ``filename*``."""
    disposition = response["Content-Disposition"]
    match = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    assert match, disposition
    return unquote(match.group(1))
