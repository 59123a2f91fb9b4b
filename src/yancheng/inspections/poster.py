"""The supervision code as the enterprise shows it: the absolute URL the QR code carries, the
QR code for a page (inline SVG), and the printable poster (A4) as PNG, SVG or PDF.

The poster reads 「企业监督码 · 扫码入企」, the enterprise's name and 统一社会信用代码, a short
notice of the enterprise's rights (实时查询权、评价权、投诉权, 深府规〔2025〕6号) and the QR code,
about 12 cm wide: readable by a phone from a metre or more (a QR code scans from up to about
ten times its width).

One layout, three renderers. The PDF uses reportlab's built-in ``STSong-Light`` CID font (the
reader supplies the glyphs: no font file needed). The SVG names common Chinese fonts and
leaves the glyphs to the viewer. The PNG must draw every glyph itself, so it needs a Chinese
font on the server: ``YANCHENG_POSTER_FONT`` (a .ttf/.otf/.ttc path) or one of the usual
system fonts (Debian: ``fonts-noto-cjk``). Without one the PNG still carries the QR code and
the lines in Latin script (USCC, URL), and a warning is logged.
"""

from __future__ import annotations

import functools
import io
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import escape
from typing import Any

import segno
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from yancheng.core.models import Enterprise

from .models import InspectionPolicy, SupervisionCode

logger = logging.getLogger(__name__)

FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points; the layout's units
PNG_SCALE = 2.5  # about 180 dpi
QR_SIZE = 340.0  # points, quiet zone included: about 12 cm
QR_BORDER = 4
ACCENT = "#b3261e"
INK = "#1f1f1f"
MUTED = "#555555"
SVG_FONTS = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','SimHei',sans-serif"
PDF_FONT = "STSong-Light"
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


# --- the code's URL and the QR code on a page ------------------------------------------------------------


def code_path(token: str) -> str:
    """The scan landing page of a token (see ``urls_scan.py``)."""
    return f"/i/{token}/"


def code_url(token: str, request: HttpRequest | None = None) -> str:
    """The absolute URL the QR code carries: ``YANCHENG_SITE_URL`` when configured (the
    address the public reaches), else the host of the request."""
    base = (getattr(settings, "YANCHENG_SITE_URL", "") or "").rstrip("/")
    if not base and request is not None:
        base = f"{request.scheme}://{request.get_host()}"
    return f"{base}{code_path(token)}"


def qr_svg_inline(url: str, *, scale: int = 6) -> str:
    """The QR code as an inline ``<svg>`` element for a page (no XML declaration)."""
    qr = segno.make(url, error="q", micro=False)
    return str(qr.svg_inline(scale=scale, border=QR_BORDER, dark=INK, light="#ffffff"))


def _runs(url: str) -> tuple[int, list[tuple[int, int, int]]]:
    """The QR code as (size in modules with the quiet zone, dark runs (row, column, length))."""
    qr = segno.make(url, error="q", micro=False)
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=QR_BORDER)]
    runs: list[tuple[int, int, int]] = []
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return len(rows), runs


# --- the poster's layout --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline, from the top of the page
    size: float
    text: str
    anchor: str = "middle"  # middle | start
    color: str = INK


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    color: str


@dataclass
class Layout:
    url: str
    title: str
    texts: list[Text] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    qr_x: float = (PAGE_W - QR_SIZE) / 2
    qr_y: float = 0.0


def _width(text: str, size: float) -> float:
    """A conservative estimate of the printed width: full width for CJK, about half for Latin."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def _wrap(text: str, size: float, width: float) -> Iterator[str]:
    line = ""
    for ch in text:
        if line and _width(line + ch, size) > width:
            yield line
            line = ""
        line += ch
    if line:
        yield line


def notice_lines(org_name: str) -> list[str]:
    """The enterprise's rights, as the poster tells them (实时查询权、评价权、投诉权)."""
    return [
        _("1. 入企检查应由两名以上持有执法证件的人员实施，入企前出示证件并扫描此码登记。"),
        _("2. 企业可随时在平台查询每一次入企记录：部门、人员、事项、依据和结果。"),
        _("3. 企业可对每次检查匿名评价，检查部门看不到评价来自哪家企业。"),
        _("4. 未登记入企、重复检查或违规检查，企业可在平台投诉或举报，由%(org)s受理。") % {"org": org_name},
        _("5. 此码如遗失或被冒用，可在平台申请新码，旧码立即失效。"),
    ]


def poster_layout(enterprise: Enterprise, code: SupervisionCode, *, url: str) -> Layout:
    policy = InspectionPolicy.current()
    org_name = policy.supervising_org.name if policy.supervising_org else _("行政执法监督机构")
    layout = Layout(url=url, title=_("企业监督码 · 扫码入企"))
    layout.boxes.append(Box(0, 0, PAGE_W, 96, ACCENT))
    layout.texts.append(Text(PAGE_W / 2, 62, 32, layout.title, color="#ffffff"))
    y = 138.0
    for line in _wrap(enterprise.name, 22, PAGE_W - 80):
        layout.texts.append(Text(PAGE_W / 2, y, 22, line))
        y += 28
    layout.texts.append(Text(PAGE_W / 2, y, 13, _("统一社会信用代码：%(uscc)s") % {"uscc": enterprise.uscc}, color=MUTED))
    layout.qr_y = y + 12
    y = layout.qr_y + QR_SIZE + 26
    layout.texts.append(Text(PAGE_W / 2, y, 17, _("执法人员入企检查前，请先扫描此码登记")))
    y += 34
    layout.boxes.append(Box(40, y - 18, PAGE_W - 80, 1.2, ACCENT))
    layout.texts.append(Text(44, y + 4, 14, _("企业权利告知"), anchor="start", color=ACCENT))
    y += 26
    for paragraph in notice_lines(org_name):
        for line in _wrap(paragraph, 11.5, PAGE_W - 96):
            layout.texts.append(Text(48, y, 11.5, line, anchor="start"))
            y += 17
        y += 3
    issued = timezone.localtime(code.issued_at).strftime("%Y-%m-%d")
    layout.texts.append(Text(PAGE_W / 2, PAGE_H - 34, 9, _("签发日期：%(date)s · 监督机构：%(org)s")
                             % {"date": issued, "org": org_name}, color=MUTED))
    layout.texts.append(Text(PAGE_W / 2, PAGE_H - 20, 8, url, color=MUTED))
    return layout


# --- renderers ------------------------------------------------------------------------------------------


def render_svg(layout: Layout) -> bytes:
    modules, runs = _runs(layout.url)
    unit = QR_SIZE / modules
    path = "".join(f"M{x},{y}h{n}v1h-{n}z" for y, x, n in runs)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 {PAGE_W:g} {PAGE_H:g}">',
        f"<title>{escape(layout.title)}</title>",
        f"<desc>{escape(layout.url)}</desc>",
        f'<rect width="{PAGE_W:g}" height="{PAGE_H:g}" fill="#ffffff"/>',
    ]
    for box in layout.boxes:
        parts.append(f'<rect x="{box.x:g}" y="{box.y:g}" width="{box.w:g}" height="{box.h:g}" fill="{box.color}"/>')
    parts.append(
        f'<a href="{escape(layout.url)}"><g transform="translate({layout.qr_x:g},{layout.qr_y:g}) scale({unit:.5f})">'
        f'<rect width="{modules}" height="{modules}" fill="#ffffff"/><path d="{path}" fill="{INK}"/></g></a>'
    )
    for t in layout.texts:
        parts.append(
            f'<text x="{t.x:g}" y="{t.y:g}" font-size="{t.size:g}" fill="{t.color}" text-anchor="{t.anchor}" '
            f'font-family="{SVG_FONTS}">{escape(t.text)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts).encode("utf-8")


@functools.cache
def _pdf_font() -> str:
    from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]

    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    return PDF_FONT


def render_pdf(layout: Layout) -> bytes:
    from reportlab.lib.colors import HexColor  # type: ignore[import-untyped]
    from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

    font = _pdf_font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(PAGE_W, PAGE_H), pageCompression=1)
    canvas.setTitle(layout.title)
    canvas.setSubject(layout.url)
    canvas.setCreator("Yancheng")
    for box in layout.boxes:
        canvas.setFillColor(HexColor(box.color))
        canvas.rect(box.x, PAGE_H - box.y - box.h, box.w, box.h, stroke=0, fill=1)
    modules, runs = _runs(layout.url)
    unit = QR_SIZE / modules
    canvas.setFillColor(HexColor(INK))
    for y, x, n in runs:
        canvas.rect(layout.qr_x + x * unit, PAGE_H - layout.qr_y - (y + 1) * unit, n * unit, unit, stroke=0, fill=1)
    canvas.linkURL(layout.url, (layout.qr_x, PAGE_H - layout.qr_y - QR_SIZE, layout.qr_x + QR_SIZE,
                                PAGE_H - layout.qr_y))
    for t in layout.texts:
        canvas.setFillColor(HexColor(t.color))
        canvas.setFont(font, t.size)
        draw: Callable[..., Any] = canvas.drawCentredString if t.anchor == "middle" else canvas.drawString
        draw(t.x, PAGE_H - t.y, t.text)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def cjk_font_path() -> str | None:
    """A font file with Chinese glyphs for the PNG poster, or None."""
    configured = getattr(settings, "YANCHENG_POSTER_FONT", "") or ""
    for path in (configured, *FONT_CANDIDATES):
        if path and os.path.isfile(path):
            return path
    return None


@functools.cache
def _font_index(path: str) -> int:
    """In a font collection (.ttc), the Simplified Chinese face when there is one."""
    from PIL import ImageFont

    if not path.lower().endswith(".ttc"):
        return 0
    for index in range(12):
        try:
            family = ImageFont.truetype(path, 10, index=index).getname()[0] or ""
        except OSError:
            break
        if family.endswith(" SC") or "GB" in family:
            return index
    return 0


def render_png(layout: Layout) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    s = PNG_SCALE
    image = Image.new("RGB", (round(PAGE_W * s), round(PAGE_H * s)), "#ffffff")
    draw = ImageDraw.Draw(image)
    for box in layout.boxes:
        draw.rectangle((box.x * s, box.y * s, (box.x + box.w) * s - 1, (box.y + box.h) * s - 1), fill=box.color)
    modules, runs = _runs(layout.url)
    unit = round(QR_SIZE * s / modules)  # whole pixels per module: crisp edges
    left = round(layout.qr_x * s + (QR_SIZE * s - unit * modules) / 2)
    top = round(layout.qr_y * s)
    for y, x, n in runs:
        draw.rectangle((left + x * unit, top + y * unit, left + (x + n) * unit - 1, top + (y + 1) * unit - 1), fill=INK)
    path = cjk_font_path()
    if path is None:
        logger.warning("No Chinese font for the PNG poster: set YANCHENG_POSTER_FONT or install fonts-noto-cjk.")
    for t in layout.texts:
        if path is not None:
            font: Any = ImageFont.truetype(path, round(t.size * s), index=_font_index(path))
        elif t.text.isascii():
            font = ImageFont.load_default(round(t.size * s))
        else:
            continue
        draw.text((t.x * s, t.y * s), t.text, fill=t.color, font=font, anchor="ms" if t.anchor == "middle" else "ls")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True, dpi=(round(72 * s), round(72 * s)))
    return out.getvalue()


RENDERERS: dict[str, Callable[[Layout], bytes]] = {"png": render_png, "svg": render_svg, "pdf": render_pdf}


def render_poster(enterprise: Enterprise, code: SupervisionCode, *, fmt: str, url: str) -> bytes:
    """The poster of `code` in `fmt` (png | svg | pdf)."""
    if fmt not in RENDERERS:
        raise ValueError(fmt)
    return RENDERERS[fmt](poster_layout(enterprise, code, url=url))
