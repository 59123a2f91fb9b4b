"""Every file input carries the server's size limit (and the messages) for the browser's
check before sending (static/js/uploads.js); the server's own check stays the real one."""

import io

from django.urls import reverse

from yancheng.lib.xlsx import with_error_column


def _input_of(html: str, name: str = 'name="file"') -> str:
    start = html.index(name)
    return html[html.rindex("<input", 0, start) : html.index(">", start) + 1]


def test_the_attachment_panel_gives_the_limit_to_the_browser(client, world, settings):
    settings.YANCHENG_ATTACHMENT_MAX_BYTES = 3 * 1024 * 1024
    client.force_login(world.system_admin)
    html = client.get(reverse("core:enterprise_detail", args=[world.enterprise_a.pk])).content.decode()
    field = _input_of(html)
    assert 'data-max-bytes="3145728"' in field and "超过 {max} 的上限" in field and "data-uploading=" in field


def test_the_case_report_and_the_holiday_import_carry_their_limits(client, world, settings):
    settings.YANCHENG_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
    client.force_login(world.enterprise_a_user)
    report = client.get(reverse("cases:case_new")).content.decode()
    assert 'data-max-bytes="5242880"' in _input_of(report, 'name="attachments"')
    client.force_login(world.system_admin)
    holidays = client.get(reverse("core:holiday_import")).content.decode()
    assert 'data-max-bytes="262144"' in _input_of(holidays)


def test_the_result_sheet_finds_a_header_below_empty_rows():
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    book.active.append([])
    book.active.append(["代码", "名称"])
    book.active.append(["1", "甲"])
    book.active.append(["2", "乙"])
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = load_workbook(io.BytesIO(with_error_column(buffer.getvalue(), {4: "名称：不行。"}, header="校验结果"))).active
    assert [c.value for c in sheet[2]] == ["代码", "名称", "校验结果"]
    assert sheet.cell(3, 3).value is None and sheet.cell(4, 3).value == "名称：不行。"
