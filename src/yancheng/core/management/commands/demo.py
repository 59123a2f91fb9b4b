"""`yancheng demo`: a working Hengyang on this machine in one command."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO, cast

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from yancheng.core.demo import (
    demo_loader_names,
    demo_notes,
    demo_summary,
    load_hengyang_demo,
    run_demo_loaders,
)
from yancheng.lib.progress import TextProgress


class _UnknownYears(logging.Filter):
    """Keeps the years of the calendar's "No holiday data" warnings instead of printing
    each: loading the demo counts hundreds of deadlines into a year not yet announced."""

    def __init__(self) -> None:
        super().__init__()
        self.years: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("No holiday data") and isinstance(record.args, tuple) and record.args:
            self.years.update(str(record.args[0]).split(", "))
            return False
        return True


@contextmanager
def _unknown_years_quieted() -> Iterator[_UnknownYears]:
    quiet = _UnknownYears()
    logger = logging.getLogger("yancheng.workdays")
    logger.addFilter(quiet)
    try:
        yield quiet
    finally:
        logger.removeFilter(quiet)


class Command(BaseCommand):
    help = "Migrate the database, load the Hengyang demo (idempotent), print a login per role, and serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="load and print the logins, then exit")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address:port to serve on")

    def handle(self, *args: Any, **options: Any) -> None:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        # Static files are served from the source tree here; the folder only quiets whitenoise.
        settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("正在加载衡阳演示数据（已存在的不会重复创建）…")
        # The bar goes to stderr: one line redrawn in a terminal, a line per step otherwise.
        # (the wrapped stream itself: OutputWrapper.write would end every redraw with a newline)
        progress = TextProgress(cast(TextIO, self.stderr._out), total=len(demo_loader_names()) + 2)
        with _unknown_years_quieted() as unknown:
            progress.step("正在加载：区划、机构、企业和账号")
            logins = load_hengyang_demo()
            run_demo_loaders(before=lambda name: progress.step(f"正在加载：{name}"))
            from yancheng.core.audit.services import audit_checkpoint_create

            progress.step("正在签署审计链")
            audit_checkpoint_create()  # sign the chain as loaded: `yancheng audit verify` has a checkpoint to check
        progress.finish("演示数据加载完成")
        if unknown.years:
            self.stdout.write(
                "提示：{years} 年尚无节假日数据，这些年份的期限暂按周末计算并标为“暂定”；"
                "国务院放假通知发布后用 yancheng holidays import 导入。".format(years="、".join(sorted(unknown.years)))
            )
        summary = demo_summary()
        self.stdout.write(
            "演示数据：{regions} 个区划，{organisations} 个机构（含 {parks} 个园区），{enterprises} 家企业，{users} 个用户".format(
                **summary
            )
        )
        self.stdout.write("")
        self.stdout.write("演示账号（每个角色一个；仅供演示）：")
        widths = (12, 14, 30)
        header = f"{'用户名':<{widths[0]}} {'角色':<{widths[1]}} {'单位':<{widths[2]}} 密码"
        self.stdout.write(header)
        for login in logins:
            self.stdout.write(
                f"{login.username:<{widths[0]}} {login.role:<{widths[1]}} {login.organisation:<{widths[2]}} {login.password}"
            )
        for line in demo_notes():
            self.stdout.write(line)
        if not settings.YANCHENG_TOTP_REQUIRED:
            self.stdout.write(self.style.WARNING("注意：演示环境已关闭双因素认证（YANCHENG_TOTP_REQUIRED=false）。"))
        if options["no_serve"]:
            return
        self.stdout.write(f"\n打开 http://{options['addr']}/ 登录。按 Ctrl+C 停止。")
        call_command("serve", options["addr"])
