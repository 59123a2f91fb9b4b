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


def pdf(extra: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n" + extra + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


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
