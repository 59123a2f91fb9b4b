"""`yancheng createadmin`: bootstrap a production installation without a superuser.

Loads the city's regions (if not loaded), makes sure the administrators' organisation
exists, and creates one of the three administrator accounts (system, security, audit).
Run it three times, for three different people. Every step is audited as done by the
system from the command line.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from yancheng.core.errors import DomainError
from yancheng.core.models import Organisation, Region
from yancheng.core.models.users import ADMIN_ROLES, Role
from yancheng.core.reference import load_regions, regions_file_for
from yancheng.core.services import organisation_create, user_create


class Command(BaseCommand):
    help = "Create a system, security or audit administrator (and the city's base data if missing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", required=True, choices=sorted(str(r) for r in ADMIN_ROLES))
        parser.add_argument("--username", required=True)
        parser.add_argument("--full-name", default="")
        parser.add_argument("--organisation", default="", help="organisation code (default: the city's admin office)")
        parser.add_argument("--password", default="", help="omit to be asked (recommended)")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or getpass.getpass("密码：")
        if not options["password"] and password != getpass.getpass("再次输入密码："):
            raise CommandError("两次输入的密码不一致。")
        try:
            with transaction.atomic():
                organisation = self._organisation(options["organisation"])
                user = user_create(
                    username=options["username"], password=password, role=options["role"],
                    organisation=organisation, full_name=options["full_name"], must_change_password=False, actor=None,
                )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"已创建 {Role(user.role).label}：{user.username}（{organisation}）")

    def _organisation(self, code: str) -> Organisation:
        if code:
            found = Organisation.objects.filter(code=code).first()
            if found is None:
                raise CommandError(f"没有编码为 {code} 的机构。")
            return found
        city_code = settings.YANCHENG_CITY_CODE
        if not Region.objects.filter(code=city_code).exists():
            path = regions_file_for(city_code)
            if not path.exists():
                raise CommandError(f"缺少区划数据文件 {path}；请先导入本市的区划。")
            load_regions(path)
        city = Region.objects.get(code=city_code)
        existing = Organisation.objects.filter(code=f"{city_code}-admin-office").first()
        if existing is not None:
            return existing
        return organisation_create(
            code=f"{city_code}-admin-office", name=f"{city.name}平台运维管理机构", kind=Organisation.Kind.OFFICE,
            region=city, actor=None,
        )
