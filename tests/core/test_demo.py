"""`yancheng demo` loads a working city once, however often it runs."""

import pytest
from django.core.management import call_command

from yancheng.core.audit.models import AuditEvent
from yancheng.core.demo import load_hengyang_demo
from yancheng.core.models import Enterprise, Organisation, Region, Role, User
from yancheng.lib.uscc import is_valid


@pytest.mark.django_db
def test_the_demo_loads_hengyang_and_a_login_for_every_role():
    logins = load_hengyang_demo(enterprise_count=60)
    assert Region.objects.filter(parent__code="430400").count() == 12
    assert Organisation.objects.filter(code="hy-power", kind="utility").exists()
    assert Organisation.objects.exclude(kind="enterprise").count() >= 40
    assert Enterprise.objects.count() == 60
    assert all(is_valid(code) for code in Enterprise.objects.values_list("uscc", flat=True))
    assert {u.role for u in User.objects.all()} == set(Role.values)
    assert len(logins) == User.objects.count()


@pytest.mark.django_db
def test_running_the_demo_twice_creates_nothing_new():
    load_hengyang_demo(enterprise_count=30)
    counts = (Organisation.objects.count(), Enterprise.objects.count(), User.objects.count())
    audit_count = AuditEvent.objects.count()
    load_hengyang_demo(enterprise_count=30)
    assert (Organisation.objects.count(), Enterprise.objects.count(), User.objects.count()) == counts
    assert AuditEvent.objects.count() == audit_count


@pytest.mark.django_db
def test_the_demo_command_prints_a_login_table(capsys):
    call_command("demo", "--no-serve")
    captured = capsys.readouterr()
    out = captured.out
    for username in ("qiye", "diaodu", "chengban", "jiancha", "shenji", "anquan", "xitong", "xinfang", "xfzhujian",
                     "xfjuzhang", "xfqidong", "anweiban_qd", "anquanyuan2", "anquanyuan_xf", "wangge", "lianban",
                     "lianzhang", "zhaoshang"):
        assert username in out
    assert "信访查询码" in out  # a code to try on the public query page
    # The progress of the load, on stderr: not a terminal here, so one plain line per step.
    steps = captured.err.splitlines()
    assert steps[0].endswith("1/9 正在加载：区划、机构、企业和账号") and steps[0].startswith("[" + "-" * 24 + "]   0%")
    assert [line.split("% ", 1)[1] for line in steps[1:8]] == [
        "2/9 正在加载：事项", "3/9 正在加载：重大项目", "4/9 正在加载：企业赋码保护", "5/9 正在加载：信访",
        "6/9 正在加载：安全生产", "7/9 正在加载：产业链", "8/9 正在加载：月排名",
    ]
    assert steps[8].endswith("9/9 正在签署审计链")
    assert steps[-1] == "[" + "#" * 24 + "] 100% 演示数据加载完成"
    assert "\r" not in captured.err


@pytest.mark.django_db
def test_the_calendars_warnings_are_one_chinese_line_not_one_per_deadline(caplog):
    import datetime as dt
    import logging

    from yancheng.core.management.commands.demo import _unknown_years_quieted
    from yancheng.lib.workdays import logger

    with caplog.at_level(logging.WARNING, logger="yancheng.workdays"), _unknown_years_quieted() as unknown:
        for day in range(1, 30):
            logger.warning("No holiday data for %s: %s counted as weekends only", "2099", dt.date(2099, 1, day))
        logger.warning("No holiday data for %s: %s counted as weekends only", "2098, 2099", "a range")
    assert unknown.years == {"2098", "2099"}
    assert "No holiday data" not in caplog.text
    logger.warning("No holiday data for %s: %s", "2099", "outside the demo")
    assert "outside the demo" in caplog.text  # only the loading is quieted

