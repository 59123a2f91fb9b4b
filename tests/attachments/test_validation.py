import io

import pytest

from yancheng.core.attachments import validation
from yancheng.core.attachments.validation import (
    UploadRejected,
    UploadTooLarge,
    check_upload,
    sanitise_filename,
)

from . import samples


def check(data: bytes, name: str):
    return check_upload(io.BytesIO(data), name, len(data))


@pytest.mark.parametrize(
    ("maker", "name", "mime"),
    [
        (samples.pdf, "报告.pdf", "application/pdf"),
        (samples.jpeg, "现场照片.JPG", "image/jpeg"),
        (samples.png, "shot.png", "image/png"),
        (samples.gif, "a.gif", "image/gif"),
        (samples.webp, "a.webp", "image/webp"),
        (samples.docx, "整改报告.docx", validation.DOCX.mime_type),
        (samples.xlsx, "清单.xlsx", validation.XLSX.mime_type),
        (lambda: "第一行\n第二行\n".encode(), "说明.txt", "text/plain"),
        (lambda: "名称,等级\n企业甲,A\n".encode("gb18030"), "名单.csv", "text/csv"),
    ],
)
def test_real_files_of_the_allowed_types_are_accepted(maker, name, mime):
    safe_name, kind = check(maker(), name)
    assert safe_name == name
    assert kind.mime_type == mime


def test_a_name_without_extension_gets_the_detected_one():
    assert check(samples.pdf(), "scan")[0] == "scan.pdf"


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120, "invoice.pdf", "file_type_not_allowed"),
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "photo.jpg", "file_type_not_allowed"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg", "file_type_not_allowed"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "logo.txt", "file_type_not_allowed"),
        (samples.jpeg(), "shell.php.jpg", "file_name_invalid"),
        (samples.pdf(), "report\x00.pdf", "file_name_invalid"),
        (samples.pdf(), "report\u202egpj.pdf", "file_name_invalid"),
        (samples.pdf(b"<html><body><script>alert(1)</script></body></html>\n"), "polyglot.pdf", "file_active_content"),
        (samples.pdf(b"3 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n"), "js.pdf", "file_active_content"),
        (samples.jpeg() + b"<script>alert(1)</script>", "x.jpg", "file_active_content"),
        (samples.png(), "renamed.jpg", "file_type_mismatch"),
        (samples.pdf(), "report.exe", "file_type_mismatch"),
        (samples.zip_bomb_docx(), "bomb.docx", "archive_ratio"),
        (samples.many_entries_docx(), "many.docx", "archive_too_many_entries"),
        (samples.macro_docx(), "macro.docx", "archive_macros"),
        (samples.zip_with({"a.txt": b"hello"}), "plain.docx", "file_type_not_allowed"),
        (b"PK\x03\x04garbage", "broken.xlsx", "archive_invalid"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "old.doc", "file_type_not_allowed"),
        (b"", "empty.txt", "file_empty"),
        (b"a\x00b", "nul.txt", "file_type_not_allowed"),
    ],
)
def test_hostile_or_disallowed_files_are_refused(data, name, code):
    with pytest.raises(UploadRejected) as info:
        check(data, name)
    assert info.value.code == code
    assert info.value.field == "file"


def test_an_archive_declaring_too_much_uncompressed_data_is_refused(monkeypatch):
    monkeypatch.setattr(validation, "MAX_ZIP_UNCOMPRESSED", 1024)
    with pytest.raises(UploadRejected) as info:
        check(samples.zip_with({"[Content_Types].xml": b"x" * 2048, "word/document.xml": b"<w/>"},
                               compression=0), "big.docx")
    assert info.value.code == "archive_too_large"


def test_a_file_over_the_size_cap_is_refused_with_413(settings):
    settings.YANCHENG_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(UploadTooLarge) as info:
        check(b"x" * 101, "big.txt")
    assert info.value.http_status == 413


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../x.pdf", "x.pdf"),
        ("..\\..\\windows\\evil.pdf", "evil.pdf"),
        ("/etc/passwd", "passwd"),
        (".htaccess", "htaccess"),
        ('a<b>:c"d|e?f*.pdf', "a_b__c_d_e_f_.pdf"),
        ("整改报告（第二版）.docx", "整改报告（第二版）.docx"),
    ],
)
def test_file_names_are_neutralised(name, expected):
    assert sanitise_filename(name) == expected


def test_a_very_long_name_keeps_its_extension():
    name = sanitise_filename("长" * 500 + ".pdf")
    assert len(name) <= validation.MAX_NAME_LENGTH and name.endswith(".pdf")
