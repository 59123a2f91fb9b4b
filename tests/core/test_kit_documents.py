"""The kit's 公文 builder: every circulated .docx is A4 with the GB/T 9704-2012 margins,
小标宋 title, 仿宋 body, zh-CN, numbered in Chinese, with numbers written for people and a
版记 on notices. Reopened with python-docx; nothing of python-docx's template is left."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest

from yancheng.core.kit.documents import OfficialDocument, cell_text, chinese_date
from yancheng.lib.numbers import cn_number
from yancheng.testing.documents import W, body_tables, check_official_document, imprint_lines

DAY = dt.date(2026, 12, 7)


def sample(landscape: bool = False) -> OfficialDocument:
    document = OfficialDocument("关于重大项目建设情况的通报", issuer="衡阳市发展和改革委员会", date=DAY,
                                landscape=landscape)
    document.subtitle("（2026年第49周）")
    document.heading("总体情况").paragraph("本周共调度项目 12 个。\n第二段文字。")
    document.subheading("开工情况").point("新开工").subpoint("产业项目").subpoint("基础设施")
    document.point("续建")
    document.subheading("投资情况")
    document.heading("存在问题").subheading("要素保障")
    document.table(["名次", "单位", "得分", "完成率", "投资", "日期"], [
        [1, "珠晖区", 100.0, "67.9%", Decimal("82400.00"), DAY],
        [2, "雁峰区", None, "—", 8.245, None],
    ])
    return document


def test_cn_number_writes_one_to_ninety_nine_as_headings_count():
    assert [cn_number(n) for n in (1, 2, 9, 10, 11, 19, 20, 21, 45, 99)] == [
        "一", "二", "九", "十", "十一", "十九", "二十", "二十一", "四十五", "九十九"]
    assert cn_number(0) == "0" and cn_number(100) == "100"


def test_a_document_is_a4_with_the_gb_margins_fonts_and_language():
    document = check_official_document(sample().to_bytes())
    assert document.paragraphs[0].text == "关于重大项目建设情况的通报"
    assert document.core_properties.language == "zh-CN"
    assert document.core_properties.author == "衡阳市发展和改革委员会"


def test_a_landscape_document_turns_the_margins_with_the_page():
    check_official_document(sample(landscape=True).to_bytes(), landscape=True)


def test_the_template_leaves_no_calibri_theme_colour_or_english_in_the_file():
    archive = zipfile.ZipFile(io.BytesIO(sample().to_bytes()))
    styles = archive.read("word/styles.xml").decode()
    assert "Calibri" not in styles and "themeColor" not in styles and "365F91" not in styles
    assert "en-US" not in styles and 'w:eastAsia="仿宋_GB2312"' in styles
    assert "word/theme/theme1.xml" not in archive.namelist()
    fonts = archive.read("word/fontTable.xml").decode()
    # named, with GB2312 charset and alternative names for the substitution; never embedded
    assert 'w:name="方正小标宋简体"' in fonts and "华文中宋" in fonts and 'w:charset w:val="86"' in fonts
    assert "embed" not in fonts.lower() and not any(n.startswith("word/fonts/") for n in archive.namelist())


def test_headings_number_themselves_in_chinese_and_restart_below_each_level():
    document = check_official_document(sample().to_bytes())
    headings = [(p.style.style_id, p.text) for p in document.paragraphs if p.style.style_id.startswith("Heading")]
    assert headings == [
        ("Heading1", "一、总体情况"), ("Heading2", "（一）开工情况"), ("Heading3", "1.新开工"),
        ("Heading4", "（1）产业项目"), ("Heading4", "（2）基础设施"), ("Heading3", "2.续建"),
        ("Heading2", "（二）投资情况"), ("Heading1", "二、存在问题"), ("Heading2", "（一）要素保障"),
    ]


def test_an_english_document_numbers_its_headings_as_english_readers_expect():
    from django.utils import translation

    with translation.override("en"):
        document = check_official_document(sample().to_bytes())
    headings = [p.text for p in document.paragraphs if p.style.style_id.startswith("Heading")]
    assert headings == ["1. 总体情况", "1.1 开工情况", "(1) 新开工", "(a) 产业项目", "(b) 基础设施", "(2) 续建",
                        "1.2 投资情况", "2. 存在问题", "2.1 要素保障"]


def test_body_text_is_indented_two_characters_one_paragraph_a_line():
    document = sample()
    document.paragraph("  第一行\n\n第二行  ")
    reopened = check_official_document(document.to_bytes())
    body = [p for p in reopened.paragraphs if p.style.style_id == "Normal" and p.text]
    assert [p.text for p in body][-2:] == ["第一行", "第二行"]
    indent = reopened.styles["Normal"].element.find(f"{W}pPr/{W}ind")
    assert indent.get(f"{W}firstLineChars") == "200" and indent.get(f"{W}firstLine") == "640"


def test_a_table_writes_numbers_for_people_right_aligned_with_a_repeated_header():
    document = check_official_document(sample().to_bytes())
    (table,) = body_tables(document)
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[1] == ["1", "珠晖区", "100", "67.9%", "82400", "2026-12-07"]
    assert rows[2] == ["2", "雁峰区", "—", "—", "8.25", "—"]
    assert not any(text.endswith(".0") for row in rows for text in row)
    header = table.rows[0]._tr
    assert header.find(f"{W}trPr/{W}tblHeader") is not None
    assert all(row._tr.find(f"{W}trPr/{W}cantSplit") is not None for row in table.rows)
    alignments = [cell.paragraphs[0].alignment for cell in table.rows[1].cells]
    assert alignments[0] == alignments[2] == alignments[3] == alignments[4] == 2  # right
    assert alignments[1] is None  # text keeps the style's alignment
    borders = table._tbl.tblPr.find(f"{W}tblBorders")
    assert {child.tag.split("}")[1] for child in borders} >= {"top", "bottom", "left", "right", "insideH", "insideV"}
    assert table.rows[0].cells[0].paragraphs[0].style.style_id == "TableHeading"
    assert table.rows[1].cells[1].paragraphs[0].style.style_id == "TableText"
    # the columns fill the 版心 (156 mm)
    assert abs(sum(col.width for col in table.columns) / 36000 - 156) < 1


def test_the_closing_names_the_issuer_and_the_date_in_arabic_numerals():
    document = check_official_document(sample().to_bytes())
    closing = [p.text for p in document.paragraphs if p.style.style_id == "Closing"]
    assert closing == ["衡阳市发展和改革委员会", "2026年12月7日"]
    assert chinese_date(dt.date(2026, 3, 1)) == "2026年3月1日"


def test_a_notice_ends_with_the_imprint_between_rules(settings):
    settings.YANCHENG_DOCUMENT_ISSUER = "衡阳市人民政府办公室"
    document = sample().imprint(copy_to=["市委办公室", "市人大常委会办公室"])
    reopened = check_official_document(document.to_bytes())
    assert imprint_lines(reopened) == ["抄送：市委办公室，市人大常委会办公室。", "衡阳市人民政府办公室\t2026年12月7日印发"]
    table = reopened.tables[-1]._tbl
    position = table.tblPr.find(f"{W}tblpPr")
    assert position.get(f"{W}tblpYSpec") == "bottom" and position.get(f"{W}vertAnchor") == "margin"
    borders = table.tblPr.find(f"{W}tblBorders")
    assert borders.find(f"{W}top").get(f"{W}sz") == "8" and borders.find(f"{W}insideH").get(f"{W}sz") == "6"


def test_a_document_without_imprint_or_issuer_has_neither():
    document = OfficialDocument("标题")
    document.paragraph("正文")
    reopened = check_official_document(document.to_bytes())
    assert imprint_lines(reopened) == []
    assert not [p for p in reopened.paragraphs if p.style.style_id == "Closing"]


@pytest.mark.parametrize(("value", "text"), [
    (100.0, "100"), (82400.0, "82400"), (Decimal("8.2400"), "8.24"), (None, "—"), (0, "0"),
    (dt.date(2026, 1, 2), "2026-01-02"), ("文字", "文字"),
])
def test_cell_text_writes_values_for_people(value, text):
    assert cell_text(value) == text
