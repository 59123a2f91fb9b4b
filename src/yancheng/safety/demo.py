"""The Hengyang demo of 安全「五全一常态」 (issue 14, "The demo"), run by ``yancheng demo`` after
the inspections and petitions demos (INSTALLED_APPS order):

1. the logins of every safety role (a county 安委办, the emergency bureau's two safety
   officers, the fire brigade's, a grid person of the 祁东 park; ``anweiban`` and ``qiye``
   come from the core demo);
2. the registry (``demo_registry``): Hengyang's systems from the data file, units, persons,
   coverage with its gap, this year's letters with three unsigned;
3. a year of checks (``demo_checks``): a department's check sits on an inspection its
   inspector registered through the enterprise's supervision code
   (``inspections.shared.register_demo_visit``, refused where the caps, grade A or a quiet
   period say no), self-checks, grid patrols;
4. the hazards (``demo_hazards``) in every stage, two 重大隐患 under 督办 with their notices,
   a repeat, overdue ones escalated — the first on the demo enterprise of ``qiye``;
5. last month's 安全生产通报, issued by the city's 安委办.

Every step goes through the services; each part runs once (running the demo again adds
nothing). Seeded: the same data every time for the same day."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yancheng.core.demo import DEMO_PASSWORD, add_demo_note
from yancheng.core.models import Enterprise, Organisation, Region, Role, User
from yancheng.core.services import organisation_create, user_create
from yancheng.inspections.shared import register_demo_visit

from .demo_checks import load_checks_demo
from .demo_hazards import load_hazards_demo
from .demo_registry import load_registry_demo
from .models import Bulletin, EnterpriseSystem, SafetyCheck, SafetySystem
from .services.coverage import mapping_add
from .services.stats import bulletin_issue

# (code, name, short name, kind, parent code, region code) — the county 安委办 of 祁东县.
ORGS = [("qd-awb", "祁东县安全生产委员会办公室", "祁东安委办", "office", "qd-gov", "430426")]
LOGINS = [
    # username, organisation code, full name — every one Role.SAFETY (what it does follows
    # from the kind of its organisation: an office, a department, a park)
    ("anweiban_qd", "qd-awb", "郑演示（祁东县安委办）"),
    ("anquanyuan", "hy-yjglj", "冯演示（应急管理局安全员）"),
    ("anquanyuan2", "hy-yjglj", "卫演示（应急管理局安全员，验收）"),
    ("anquanyuan_xf", "hy-xfzd", "蒋演示（消防救援支队安全员）"),
    ("wangge", "qd-park", "沈演示（祁东经济开发区网格员）"),
]
# 消防安全重点单位 put in the fire system's scope by hand (their industry codes are not in
# its list): the brigade has enterprises to check and hazards to supervise.
FIRE_BY_HAND = ["衡山汽车制造有限公司", "湖南大合新材料有限公司", "衡阳恒飞电缆有限责任公司", "船山时间谷钟表制造有限公司"]
# A 祁东 enterprise whose canteen burns bottled gas, put in 城镇燃气's scope by hand: 祁东县 has
# no unit of that system (``demo_registry.GAP``), so the 安委办 sees it as a coverage gap.
GAS_BY_HAND = ["湘南纺织产业基地示范企业有限公司"]
# What a safety login is, by the kind of its organisation (the role alone says 安委办).
KIND_LABELS = {"office": "安委办", "department": "部门安全员", "park": "园区网格员", "enterprise": "企业用户"}
SHOWN = ["anweiban", *[username for username, _code, _name in LOGINS], "qiye"]


def _logins() -> None:
    """The safety logins (made once), after the registry's organisations exist."""
    for code, name, short, kind, parent, region in ORGS:
        if not Organisation.objects.filter(code=code).exists():
            organisation_create(code=code, name=name, short_name=short, kind=kind, region=Region.objects.get(code=region),
                                parent=Organisation.objects.get(code=parent), actor=None)
    for username, code, full_name in LOGINS:
        if not User.objects.filter(username=username).exists():
            user_create(username=username, password=DEMO_PASSWORD, role=Role.SAFETY,
                        organisation=Organisation.objects.get(code=code), full_name=full_name,
                        must_change_password=False, actor=None)


def _by_hand() -> None:
    """Enterprises put in a system's scope by hand (the 安委办 would, on the coverage page)."""
    for code, names in (("fire", FIRE_BY_HAND), ("gas", GAS_BY_HAND)):
        system = SafetySystem.objects.filter(code=code, is_active=True).first()
        if system is None:
            continue
        for enterprise in Enterprise.objects.filter(name__in=names).order_by("pk"):
            if not EnterpriseSystem.objects.filter(enterprise=enterprise, system=system).exists():
                mapping_add(actor=None, enterprise=enterprise, system=system)


def _last_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _bulletin(today: dt.date) -> None:
    """Last month's 通报 of the city, issued by the city's 安委办 (once)."""
    clerk = User.objects.filter(username="anweiban", is_active=True).first()
    if clerk is None or clerk.organisation_id is None:
        return
    month = _last_month(today)
    if not Bulletin.objects.filter(issuer_id=clerk.organisation_id, month=month).exists():
        bulletin_issue(month=month, actor=clerk)


def load_safety_demo() -> None:
    """Load the safety demo onto the demo city (each part once)."""
    if not Organisation.objects.filter(code="hy-gov").exists():
        return  # no demo city to build on
    today = timezone.localdate()
    load_registry_demo()
    with transaction.atomic():
        _logins()
        _by_hand()
    if not SafetyCheck.objects.exists():
        with transaction.atomic():
            load_checks_demo(today, register_visit=register_demo_visit)
    load_hazards_demo(today)
    with transaction.atomic():
        _bulletin(today)
    for username in SHOWN:
        user = User.objects.filter(username=username).select_related("organisation").first()
        if user is not None and user.organisation is not None:
            label = KIND_LABELS.get(user.organisation.kind, str(Role(user.role).label))
            add_demo_note(f"安全生产演示账号：{username:<14} {label:<8} {user.organisation.name}  {DEMO_PASSWORD}")
