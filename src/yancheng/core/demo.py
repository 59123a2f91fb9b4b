"""The Hengyang demo city: regions, parks, departments, ~200 enterprises and one login per
role. Everything is made through the services (so it is audited like real work) and the
loader is idempotent: running it again adds nothing.

Names of places and of the enterprises the newspaper article mentions are real; people,
phone numbers and credit codes are invented (valid in format, recognisably fictitious).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from yancheng.lib.uscc import ALPHABET, complete

from .models import Enterprise, IndustryChain, Organisation, Region, Role, User
from .reference import load_regions, regions_file_for
from .services import enterprise_create, organisation_create, user_create

DEMO_PASSWORD = "Hy#Demo-2026-rk"  # noqa: S105 - printed by `yancheng demo`; the demo only

# (code, name) — demo chains drawn from Hengyang's "一核两电三色四新" industries.
CHAINS = [
    ("power-transmission", "输变电装备"),
    ("nonferrous", "有色金属"),
    ("fine-chemicals", "精细化工"),
    ("nev", "新能源汽车"),
    ("digital", "数字经济"),
    ("military-civil", "军民融合"),
    ("textile", "纺织服装"),
    ("clocks", "钟表"),
    ("new-materials", "新材料"),
    ("nuclear", "核技术应用"),
    ("biomedicine", "生物医药"),
    ("food", "食品加工"),
    ("equipment", "装备制造"),
    ("electronics", "电子信息"),
]

CITY_DEPARTMENTS = [
    ("hy-fgw", "衡阳市发展和改革委员会", "department"),
    ("hy-gxj", "衡阳市工业和信息化局", "department"),
    ("hy-zrzyj", "衡阳市自然资源和规划局", "department"),
    ("hy-zjj", "衡阳市住房和城乡建设局", "department"),
    ("hy-sthjj", "衡阳市生态环境局", "department"),
    ("hy-scjg", "衡阳市市场监督管理局", "department"),
    ("hy-yjglj", "衡阳市应急管理局", "department"),
    ("hy-xfzd", "衡阳市消防救援支队", "department"),
    ("hy-sfj", "衡阳市司法局", "department"),
    ("hy-swj", "衡阳市商务局", "department"),
    ("hy-jtysj", "衡阳市交通运输局", "department"),
    ("hy-slj", "衡阳市水利局", "department"),
    ("hy-rsj", "衡阳市人力资源和社会保障局", "department"),
    ("hy-czj", "衡阳市财政局", "department"),
    ("hy-xfj", "衡阳市信访局", "department"),
    ("hy-kjj", "衡阳市科学技术局", "department"),
    ("hy-tjj", "衡阳市统计局", "department"),
    ("hy-xzspj", "衡阳市行政审批服务局", "department"),
    ("hy-zxj", "衡阳市城市管理和综合执法局", "department"),
    ("hy-yshjb", "衡阳市优化营商环境办公室", "office"),
    ("hy-dcs", "衡阳市人民政府督查室", "office"),
    ("hy-zdxmb", "衡阳市重点项目建设事务中心", "office"),
    ("hy-cylb", "衡阳市产业链建设推进办公室", "office"),
    ("hy-awb", "衡阳市安全生产委员会办公室", "office"),
    ("hy-xxzx", "衡阳市政务服务和大数据中心", "office"),
]
UTILITIES = [
    ("hy-power", "国网衡阳供电公司"),
    ("hy-water", "衡阳市水务投资集团有限公司"),
    ("hy-gas", "衡阳市燃气有限公司"),
]
# Parks by region code.
PARKS = [
    ("hy-gxq", "衡阳高新技术产业开发区", "430408"),
    ("hy-smq", "衡阳松木经济开发区", "430407"),
    ("hy-bszq", "白沙洲工业园区", "430406"),
    ("hy-zhpark", "珠晖工业园", "430405"),
    ("hyx-park", "衡阳县经济开发区", "430421"),
    ("hn-park", "衡南经济开发区", "430422"),
    ("hs-park", "衡山经济开发区", "430423"),
    ("hd-park", "衡东经济开发区", "430424"),
    ("qd-park", "祁东经济开发区", "430426"),
    ("ly-park", "耒阳经济开发区", "430481"),
    ("cn-park", "常宁水口山经济开发区", "430482"),
]
REGION_SLUGS = {
    "430405": "zh", "430406": "yf", "430407": "sg", "430408": "zx", "430412": "ny", "430421": "hyx",
    "430422": "hn", "430423": "hs", "430424": "hd", "430426": "qd", "430481": "ly", "430482": "cn",
}
# Enterprises the article names, with their region and chain.
# Name, region, park, chains and 国民经济行业代码 (GB/T 4754-2017) of what each one makes.
NAMED_ENTERPRISES = [
    ("衡山汽车制造有限公司", "430423", "hs-park", ["nev", "equipment"], "C3612"),  # 新能源车整车制造
    ("湖南大合新材料有限公司", "430408", "hy-gxq", ["new-materials"], "C3240"),  # 有色金属合金制造
    ("衡阳恒飞电缆有限责任公司", "430405", "hy-zhpark", ["power-transmission"], "C3831"),  # 电线、电缆制造
    ("湘南纺织产业基地示范企业有限公司", "430426", "qd-park", ["textile"], "C1711"),  # 棉纺纱加工
    ("船山时间谷钟表制造有限公司", "430406", "hy-bszq", ["clocks"], "C4040"),  # 钟表与计时仪器制造
    ("祁东县示例纸箱包装有限公司", "430426", "qd-park", ["food"], "C2231"),  # 纸和纸板容器制造
]
NAME_HEADS = ["华", "湘", "雁", "衡", "南", "岳", "蒸", "耒", "船", "回", "石", "常", "恒", "鑫", "瑞", "联", "泰", "远"]
NAME_TAILS = ["达", "盛", "源", "祥", "丰", "宇", "科", "锦", "新", "通", "德", "兴", "诚", "辉", "晟", "鼎"]
INDUSTRY_WORDS = {
    "power-transmission": "电气设备", "nonferrous": "有色金属", "fine-chemicals": "化工", "nev": "新能源汽车零部件",
    "digital": "信息技术", "military-civil": "精密机械", "textile": "纺织", "clocks": "钟表", "new-materials": "新材料",
    "nuclear": "核技术", "biomedicine": "生物医药", "food": "食品", "equipment": "装备制造", "electronics": "电子",
}
# The 国民经济行业代码 of a generated enterprise, from the chain its name says it works in
# (taken from the chain, not the random stream, so the names and codes stay the same).
INDUSTRY_CODES = {
    "power-transmission": "C3821",  # 变压器、整流器和电感器制造
    "nonferrous": "C3212",  # 铅锌冶炼
    "fine-chemicals": "C2662",  # 专项化学用品制造
    "nev": "C3670",  # 汽车零部件及配件制造
    "digital": "I6513",  # 应用软件开发
    "military-civil": "C3484",  # 机械零部件加工
    "textile": "C1711",  # 棉纺纱加工
    "clocks": "C4040",  # 钟表与计时仪器制造
    "new-materials": "C3985",  # 电子专用材料制造
    "nuclear": "C2530",  # 核燃料加工
    "biomedicine": "C2761",  # 生物药品制造
    "food": "C1499",  # 其他未列明食品制造
    "equipment": "C3499",  # 其他未列明通用设备制造业
    "electronics": "C3982",  # 电子电路制造
}
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ["示例", "演示", "样例"]


# Domain apps add their demo data after the core city is loaded (core must not import
# them: the dependency rule points downward). Each loader is idempotent.
_DEMO_LOADERS: list[tuple[str, Any]] = []


def register_demo_loader(name: str, loader: Any) -> None:
    """`loader()` adds an app's demo data; called by `yancheng demo` after the city."""
    if all(existing != name for existing, _loader in _DEMO_LOADERS):
        _DEMO_LOADERS.append((name, loader))


# What a loader wants printed after the logins (a module's own logins, a 查询码 to try).
_DEMO_NOTES: list[str] = []


def add_demo_note(line: str) -> None:
    """A line for `yancheng demo` to print after the logins (cleared when the demo starts)."""
    _DEMO_NOTES.append(line)


def demo_notes() -> list[str]:
    return list(_DEMO_NOTES)


def demo_loader_names() -> list[str]:
    """The registered loaders' names, in the order they run."""
    return [name for name, _loader in _DEMO_LOADERS]


def run_demo_loaders(before: Callable[[str], None] | None = None) -> list[str]:
    """Run every registered loader; `before(name)` is told as each one begins (the demo's
    progress bar)."""
    done = []
    _DEMO_NOTES.clear()
    for name, loader in _DEMO_LOADERS:
        if before is not None:
            before(name)
        loader()
        done.append(name)
    return done


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    organisation: str
    password: str


DEMO_USERS: list[tuple[str, str, str, str]] = [
    # username, role, organisation code (ent-* resolved later), full name
    ("qiye", Role.ENTERPRISE, "@祁东县示例纸箱包装有限公司", "王示例（企业）"),
    ("qiye2", Role.ENTERPRISE, "@衡山汽车制造有限公司", "李示例（企业）"),
    ("chengban", Role.HANDLER, "hy-power", "张示例（供电公司）"),
    ("chengban2", Role.HANDLER, "qd-fgj", "刘示例（祁东发改）"),
    ("diaodu", Role.DISPATCHER, "qd-park", "陈示例（园区调度）"),
    ("diaodu2", Role.DISPATCHER, "hy-zdxmb", "杨示例（重点项目办）"),
    ("jiancha", Role.INSPECTOR, "hy-scjg", "赵示例（市场监管）"),
    ("jiancha2", Role.INSPECTOR, "hy-scjg", "黄示例（市场监管）"),
    # 应急管理局's inspector: safety checks are inspections registered through the code.
    ("yingji", Role.INSPECTOR, "hy-yjglj", "钱执法（应急管理）"),
    ("fazhi", Role.HANDLER, "hy-scjg", "钱示例（市场监管法制科）"),
    ("lingdao", Role.LEADER, "hy-gov", "周示例（市领导）"),
    ("ducha", Role.SUPERVISOR, "hy-sfj", "吴示例（司法局）"),
    ("lianban", Role.CHAIN_OFFICE, "hy-cylb", "王演示（链办）"),
    ("xinfang", Role.PETITION, "hy-xfj", "李演示（信访局）"),
    ("anweiban", Role.SAFETY, "hy-awb", "张演示（安委办）"),
    ("xitong", Role.SYSTEM_ADMIN, "hy-xxzx", "系统管理员（演示）"),
    ("anquan", Role.SECURITY_ADMIN, "hy-xxzx", "安全管理员（演示）"),
    ("shenji", Role.AUDIT_ADMIN, "hy-xxzx", "审计管理员（演示）"),
]


def _org(code: str, name: str, kind: str, region: Region, parent: Organisation | None) -> Organisation:
    existing = Organisation.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return organisation_create(code=code, name=name, kind=kind, region=region, parent=parent, actor=None)


def _demo_uscc(rng: random.Random, region_code: str, used: set[str]) -> str:
    while True:
        body = "91" + region_code + "MA4" + "".join(rng.choice(ALPHABET) for _ in range(6))
        code = complete(body)
        if code not in used:
            used.add(code)
            return code


def load_hengyang_demo(enterprise_count: int = 200) -> list[DemoLogin]:
    """Load (or complete) the demo city; returns the demo logins."""
    rng = random.Random(430400)  # noqa: S311 - reproducible: the same codes and names every time
    with transaction.atomic():
        load_regions(regions_file_for("430400"))
        regions = {r.code: r for r in Region.objects.all()}
        city = regions["430400"]
        for index, (code, name) in enumerate(CHAINS):
            IndustryChain.objects.get_or_create(code=code, defaults={"name": name, "sort_order": index})
        chains = {c.code: c for c in IndustryChain.objects.all()}

        city_gov = _org("hy-gov", "衡阳市人民政府", "government", city, None)
        for code, name, kind in CITY_DEPARTMENTS:
            _org(code, name, kind, city, city_gov)
        for code, name in UTILITIES:
            _org(code, name, "utility", city, None)
        for region_code, slug in REGION_SLUGS.items():
            region = regions[region_code]
            gov = _org(f"{slug}-gov", f"{region.name}人民政府", "government", region, None)
            _org(f"{slug}-fgj", f"{region.name}发展和改革局", "department", region, gov)
            _org(f"{slug}-scjg", f"{region.name}市场监督管理局", "department", region, gov)
        parks = {}
        for code, name, region_code in PARKS:
            region = regions[region_code]
            gov = Organisation.objects.get(code=f"{REGION_SLUGS[region_code]}-gov")
            parks[code] = _org(code, name, "park", region, gov)

        # The random stream must not depend on what is already in the database, so that a
        # second run walks the same names and codes and skips them.
        used: set[str] = set()
        by_name = {e.name: e for e in Enterprise.objects.all()}
        names_this_run: set[str] = set()
        for name, region_code, park_code, chain_codes, industry_code in NAMED_ENTERPRISES:
            uscc = _demo_uscc(rng, region_code, used)
            representative = f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}"
            if name in by_name:
                continue
            by_name[name] = enterprise_create(
                uscc=uscc, name=name, region=regions[region_code], park=parks[park_code],
                chains=[chains[c] for c in chain_codes], grade="A", is_above_scale_industry=True,
                legal_representative=representative, industry_code=industry_code, actor=None,
            )
        county_codes = list(REGION_SLUGS)
        park_by_region: dict[str, list[Organisation]] = {}
        for code, _name, region_code in PARKS:
            park_by_region.setdefault(region_code, []).append(parks[code])
        generated = 0
        attempts = 0
        while generated < enterprise_count - len(NAMED_ENTERPRISES) and attempts < enterprise_count * 5:
            attempts += 1
            region_code = rng.choice(county_codes)
            chain_code = rng.choice([c for c, _n in CHAINS])
            name = (
                f"{regions[region_code].name[:2]}{rng.choice(NAME_HEADS)}{rng.choice(NAME_TAILS)}"
                f"{INDUSTRY_WORDS[chain_code]}有限公司"
            )
            uscc = _demo_uscc(rng, region_code, used)
            region_parks = park_by_region.get(region_code, [])
            park = rng.choice(region_parks) if region_parks and rng.random() < 0.7 else None
            grade = rng.choices("ABCD", weights=[2, 5, 2, 1])[0]
            tier = rng.choices(["", "innovative", "srdi", "little_giant"], weights=[12, 4, 2, 1])[0]
            scale = rng.random() < 0.45
            representative = f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}"
            address = f"{regions[region_code].name}示例路{rng.randint(1, 300)}号"
            if name in names_this_run:
                continue
            names_this_run.add(name)
            generated += 1
            if name in by_name:
                continue
            by_name[name] = enterprise_create(
                uscc=uscc, name=name, region=regions[region_code], park=park, chains=[chains[chain_code]],
                grade=grade, srdi_tier=tier, is_above_scale_industry=scale, legal_representative=representative,
                address=address, industry_code=INDUSTRY_CODES[chain_code], actor=None,
            )

        logins: list[DemoLogin] = []
        for username, role, org_ref, full_name in DEMO_USERS:
            if org_ref.startswith("@"):
                organisation = by_name[org_ref[1:]].organisation
            else:
                organisation = Organisation.objects.get(code=org_ref)
            assert organisation is not None
            if not User.objects.filter(username=username).exists():
                user_create(
                    username=username, password=DEMO_PASSWORD, role=role, organisation=organisation,
                    full_name=full_name, phone=f"1380000{len(logins):04d}",
                    enforcement_certificate_no=f"43040{rng.randint(100000, 999999)}" if role == Role.INSPECTOR else "",
                    must_change_password=False, actor=None,
                )
            logins.append(DemoLogin(username, str(Role(role).label), organisation.name, DEMO_PASSWORD))
    return logins


def demo_summary() -> dict[str, Any]:
    return {
        "regions": Region.objects.count(),
        "organisations": Organisation.objects.exclude(kind="enterprise").count(),
        "parks": Organisation.objects.filter(kind="park").count(),
        "enterprises": Enterprise.objects.count(),
        "users": User.objects.count(),
    }
