"""What an upload must be before it is kept (ASVS 5.2, security-checklist §5).

The type is decided by the bytes, never by the name: the file must start with the
signature of an allowed type (JPEG, PNG, GIF, WebP, PDF, DOCX, XLSX) or be plain text
(TXT, CSV), and the name's extension must agree with it. Markup that a browser would
run (HTML, SVG, script) is refused wherever it appears, so a polyglot such as a PDF
carrying an HTML page is refused too. A PDF is parsed (pypdf: names decoded, so
``/J#61vaScript`` is ``/JavaScript``; object streams decompressed) and every object it
holds is walked: JavaScript, launch, embedded-file, rich-media, form-submission and
automatic (``/AA``) actions refuse it, and so does a PDF that cannot be parsed. Office files are ZIP archives: their entry count
and uncompressed size are checked from the directory and then by decompressing with a
budget, before anything else reads them (zip bombs). Legacy .doc/.xls (OLE, which can
carry macros) and macro-enabled Office files are not accepted.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import puremagic
from django.conf import settings
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

from yancheng.core.errors import DomainError, ValidationFailed


@dataclass(frozen=True)
class FileKind:
    key: str
    mime_type: str
    extensions: tuple[str, ...]


JPEG = FileKind("jpeg", "image/jpeg", (".jpg", ".jpeg"))
PNG = FileKind("png", "image/png", (".png",))
GIF = FileKind("gif", "image/gif", (".gif",))
WEBP = FileKind("webp", "image/webp", (".webp",))
PDF = FileKind("pdf", "application/pdf", (".pdf",))
DOCX = FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
TXT = FileKind("txt", "text/plain", (".txt",))
CSV = FileKind("csv", "text/csv", (".csv",))
ALLOWED_KINDS = (JPEG, PNG, GIF, WEBP, PDF, DOCX, XLSX, TXT, CSV)
ALLOWED_EXTENSIONS = tuple(ext for kind in ALLOWED_KINDS for ext in kind.extensions)

# Archive limits for DOCX/XLSX (ASVS 5.2.3).
MAX_ZIP_ENTRIES = 1000
MAX_ZIP_UNCOMPRESSED = 100 * 1024 * 1024
MAX_ZIP_RATIO = 100  # per entry larger than 1 MiB
MAX_NAME_LENGTH = 200

# Inner extensions that mark an attempt to smuggle an executable or page (a.php.jpg).
_DANGEROUS_INNER = {
    "php", "php3", "php4", "php5", "phtml", "phar", "asp", "aspx", "jsp", "jspx", "cgi", "pl", "py", "rb",
    "exe", "dll", "com", "bat", "cmd", "sh", "ps1", "vbs", "js", "mjs", "jar", "msi", "scr",
    "html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "hta",
}
# Byte sequences of active content a browser (or PDF reader) would act on; compared lower-cased.
_MARKUP_MARKERS = (
    b"<script", b"<html", b"<!doctype html", b"<iframe", b"<svg", b"<body", b"<object", b"<embed",
    b"<?php", b"<%@", b"<meta http-equiv",
)
_PDF_ACTIVE_MARKERS = (b"/javascript", b"/launch", b"/embeddedfile", b"/richmedia")
# Names (decoded) that make a PDF act rather than show: scripts, programs, embedded files,
# automatic actions (/AA: on open, close, print, page view …), form submission and XFA.
# An /OpenAction that is a plain destination (a page to show) stays allowed; one that is
# a script is caught by its /S /JavaScript.
_PDF_ACTIVE_NAMES = frozenset({
    "/JavaScript", "/JS", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia",
    "/SubmitForm", "/ImportData", "/GoToE", "/XFA", "/Rendition", "/Movie", "/Sound",
})
# Walking budget: a PDF is small (the upload limit), but its object graph must not
# become a way to keep a worker busy.
MAX_PDF_OBJECTS = 200_000
_CHUNK = 1024 * 1024
_UNSAFE_NAME_CHARS = re.compile(r'[<>:"|?*]')


class UploadRejected(ValidationFailed):
    """The file is not one we keep; ``code`` says why."""

    code = "attachment_rejected"
    http_status = 422

    def __init__(self, message: object, *, code: str) -> None:
        super().__init__(message, field="file", code=code)


class UploadTooLarge(DomainError):
    code = "file_too_large"
    http_status = 413


def max_bytes() -> int:
    return int(settings.YANCHENG_ATTACHMENT_MAX_BYTES)


def sanitise_filename(name: str) -> str:
    """A display name safe to store and to put in a Content-Disposition: directory parts
    dropped (``../../x`` → ``x``), leading dots removed, Windows-reserved characters
    replaced. Control characters (NUL …) and bidirectional overrides refuse the upload."""
    name = unicodedata.normalize("NFC", name or "")
    if any(unicodedata.category(c) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for c in name):
        raise UploadRejected(_("文件名含有控制字符或不可见字符，请改名后再上传。"), code="file_name_invalid")
    name = re.split(r"[\\/]", name)[-1].strip()
    name = _UNSAFE_NAME_CHARS.sub("_", name).lstrip(". ").strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:16] if dot else ""
        name = (stem if dot else name)[: MAX_NAME_LENGTH - len(ext) - 1] + (f".{ext}" if ext else "")
    return name


def _extension(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return suffix if suffix and len(suffix) <= 16 else ""


def _check_inner_extensions(name: str) -> None:
    parts = name.lower().split(".")
    for inner in parts[1:-1]:
        if inner.strip() in _DANGEROUS_INNER:
            raise UploadRejected(_("文件名含有可执行或网页类型的扩展名，不能上传。"), code="file_name_invalid")


def _scan(fh: BinaryIO, markers: tuple[bytes, ...]) -> bool:
    """True if any marker occurs anywhere in the file (case-insensitive)."""
    fh.seek(0)
    overlap = max(len(m) for m in markers) - 1
    tail = b""
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            return False
        window = (tail + chunk).lower()
        if any(m in window for m in markers):
            return True
        tail = window[-overlap:]


def _is_text(fh: BinaryIO) -> bool:
    fh.seek(0)
    data = fh.read(max_bytes() + 1)
    if b"\x00" in data:
        return False
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r\f" for c in text):
            return False
        # Markup (HTML, SVG, XML) is not plain text whatever it is called.
        return not text.lstrip().startswith("<")
    return False


def _inspect_ooxml(fh: BinaryIO) -> FileKind:
    fh.seek(0)
    try:
        archive = zipfile.ZipFile(fh)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UploadRejected(_("文件已损坏或不是有效的 Office 文档。"), code="archive_invalid") from exc
    if len(infos) > MAX_ZIP_ENTRIES:
        raise UploadRejected(_("文档内部文件过多，疑似恶意压缩包，不能上传。"), code="archive_too_many_entries")
    if sum(i.file_size for i in infos) > MAX_ZIP_UNCOMPRESSED:
        raise UploadRejected(_("文档解压后过大，疑似恶意压缩包（压缩炸弹），不能上传。"), code="archive_too_large")
    names = set()
    for info in infos:
        if info.flag_bits & 0x1:
            raise UploadRejected(_("不能上传加密的文档。"), code="archive_encrypted")
        if info.file_size > 1024 * 1024 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise UploadRejected(_("文档压缩比异常，疑似恶意压缩包（压缩炸弹），不能上传。"), code="archive_ratio")
        names.add(info.filename)
        if info.filename.lower().endswith("vbaproject.bin"):
            raise UploadRejected(_("不能上传含宏的文档，请另存为不含宏的 docx/xlsx。"), code="archive_macros")
    # Decompress with a budget: the directory's sizes could lie.
    budget = MAX_ZIP_UNCOMPRESSED
    try:
        for info in infos:
            with archive.open(info) as member:
                while True:
                    block = member.read(_CHUNK)
                    if not block:
                        break
                    budget -= len(block)
                    if budget < 0:
                        raise UploadRejected(
                            _("文档解压后过大，疑似恶意压缩包（压缩炸弹），不能上传。"), code="archive_too_large"
                        )
        content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except UploadRejected:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise UploadRejected(_("文件已损坏或不是有效的 Office 文档。"), code="archive_invalid") from exc
    if not content_types or b"macroenabled" in content_types.lower():
        raise UploadRejected(_("不是允许的 Office 文档（仅接受 docx、xlsx）。"), code="file_type_not_allowed")
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    raise UploadRejected(_("不是允许的 Office 文档（仅接受 docx、xlsx）。"), code="file_type_not_allowed")


def _pdf_has_active_content(fh: BinaryIO) -> bool:
    """Parse the PDF and walk every object it holds (cross-reference table or stream,
    object streams included, plus the trailer) for an active name, as a key or a value.
    A PDF that cannot be parsed, or whose objects cannot be read, is refused."""
    fh.seek(0)
    try:
        reader = PdfReader(fh, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UploadRejected(_("不能上传设有打开密码的 PDF。"), code="pdf_encrypted")
        roots: list[PdfObject] = [reader.trailer]
        for generation, numbers in reader.xref.items():
            roots.extend(IndirectObject(number, generation, reader) for number in numbers)
        roots.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
        return _walk_pdf(roots)
    except UploadRejected:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            RecursionError, NotImplementedError, AssertionError, UnicodeError, ArithmeticError) as exc:
        raise UploadRejected(_("PDF 文件已损坏或无法解析，不能上传。"), code="pdf_invalid") from exc


def _walk_pdf(roots: list[PdfObject]) -> bool:
    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject] = list(roots)
    visited = 0
    while stack:
        item = stack.pop()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise UploadRejected(_("PDF 结构过于复杂，不能上传。"), code="pdf_too_complex")
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            resolved = item.get_object()
            if resolved is not None:
                stack.append(resolved)
        elif isinstance(item, DictionaryObject):  # streams too: their dictionary
            for key, value in item.items():
                if str(key) in _PDF_ACTIVE_NAMES:
                    return True
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, NameObject) and str(item) in _PDF_ACTIVE_NAMES:
            return True
    return False


def detect_kind(fh: BinaryIO) -> FileKind | None:
    fh.seek(0)
    head = fh.read(32)
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _inspect_ooxml(fh)
    if _is_text(fh):
        return TXT
    return None


def _describe(fh: BinaryIO) -> str:
    """What the bytes look like, for the refusal message only."""
    fh.seek(0)
    try:
        return str(puremagic.from_string(fh.read(4096), mime=True) or "")
    except (puremagic.PureError, ValueError):
        return ""


def check_upload(fh: BinaryIO, name: str, size: int) -> tuple[str, FileKind]:
    """Check an uploaded file (already copied to ``fh``) and return its safe display name
    and detected kind, or raise UploadRejected / UploadTooLarge."""
    if size > max_bytes():
        raise UploadTooLarge(
            _("文件过大：最大 %(mb).0f MB。") % {"mb": max_bytes() / 1024 / 1024}, field="file"
        )
    if size == 0:
        raise UploadRejected(_("文件是空的。"), code="file_empty")
    safe_name = sanitise_filename(name)
    _check_inner_extensions(safe_name)
    kind = detect_kind(fh)
    if kind is None:
        seen = _describe(fh)
        message = _("不支持的文件类型（按内容检测）。允许：图片 jpg/png/gif/webp、pdf、docx、xlsx、txt、csv。")
        if seen:
            message += " " + _("检测到：%(t)s") % {"t": seen}
        raise UploadRejected(message, code="file_type_not_allowed")
    ext = _extension(safe_name)
    if kind is TXT and ext == ".csv":
        kind = CSV
    if not ext:
        safe_name = (safe_name or _("附件")) + kind.extensions[0]
    elif ext not in kind.extensions:
        raise UploadRejected(
            _("文件扩展名（%(ext)s）与内容（%(kind)s）不符，不能上传。") % {"ext": ext, "kind": kind.extensions[0]},
            code="file_type_mismatch",
        )
    if kind not in (DOCX, XLSX) and _scan(fh, _MARKUP_MARKERS):
        raise UploadRejected(_("文件中含有网页或脚本内容，不能上传。"), code="file_active_content")
    if kind is PDF and (_scan(fh, _PDF_ACTIVE_MARKERS) or _pdf_has_active_content(fh)):
        raise UploadRejected(_("PDF 中含有脚本、启动或嵌入文件等动作，不能上传。"), code="file_active_content")
    fh.seek(0)
    return safe_name, kind
