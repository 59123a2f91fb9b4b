"""Small real files of each allowed type, and hostile ones, made in memory."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import openpyxl
from docx import Document


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"\x00\xff\x00\x00"  # one red pixel
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def gif() -> bytes:
    return b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


def webp() -> bytes:
    body = b"WEBPVP8 " + struct.pack("<I", 10) + b"\x00" * 10
    return b"RIFF" + struct.pack("<I", len(body)) + body


def handmade_pdf(objects: list[bytes], *, extra: bytes = b"") -> bytes:
    """A PDF with a classic cross-reference table: ``objects[i]`` is the body of object
    i + 1 (object 1 is the catalog). ``extra`` goes after the objects, outside the table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    out += extra
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)


_PAGES = [
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
]


def pdf(extra: bytes = b"") -> bytes:
    """An ordinary one-page PDF (``extra``: raw bytes smuggled in outside the objects)."""
    return handmade_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", *_PAGES], extra=extra)


def reportlab_pdf() -> bytes:
    """A PDF as a real producer writes it (compressed content, fonts, Chinese text)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.setFont("STSong-Light", 16)
    page.drawString(72, 760, "雁城 整改报告")
    page.linkURL("https://www.example.gov.cn/", (72, 700, 300, 720))
    page.showPage()
    page.save()
    return out.getvalue()


def pdf_open_action_hex_escaped() -> bytes:
    """The probe's file: the catalog opens with JavaScript, its names hex-escaped
    (``/J#61vaScript`` is ``/JavaScript``), so no byte pattern of the name appears."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >> >>"
    return handmade_pdf([catalog, *_PAGES])


def pdf_javascript_in_object_stream() -> bytes:
    """The probe's other file: the JavaScript action (object 4) lives inside a
    Flate-compressed object stream (object 5), which only a cross-reference stream
    (object 6) can point into; the catalog opens with it."""
    action = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
    header = b"4 0 "
    objstm_data = zlib.compress(header + action)
    bodies = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        2: _PAGES[0],
        3: _PAGES[1],
        5: b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(objstm_data)) + objstm_data + b"\nendstream",
    }
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number, body in bodies.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[6] = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, 7):
        if number == 4:
            rows.append(struct.pack(">BIH", 2, 5, 0))  # compressed: in stream 5, index 0
        else:
            rows.append(struct.pack(">BIH", 1, offsets[number], 0))
    xref_data = zlib.compress(b"".join(rows))
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(xref_data) + xref_data + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)


def docx() -> bytes:
    document = Document()
    document.add_paragraph("雁城 附件测试")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["企业", "等级"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_with(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb_docx() -> bytes:
    return zip_with({
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document/>",
        "word/media/padding.bin": b"\x00" * (20 * 1024 * 1024),
    })


def many_entries_docx() -> bytes:
    entries = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
    entries |= {f"word/parts/{i}.xml": b"<x/>" for i in range(1200)}
    return zip_with(entries)


def macro_docx() -> bytes:
    return zip_with({
        "[Content_Types].xml": b'<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"\xd0\xcf\x11\xe0",
    })
