"""The places, organisations and staff accounts everything else refers to.

Hengyang comes from the product's own demo loader (real regions, parks, departments and
the demo logins, made through the services and audited). At province scale 13 more cities
of Hunan are added through the same services, each with the same shape (a government,
its departments and offices, three utilities, counties with their government, 发改局 and
市场监管局, and parks); their county names are invented. Staff accounts — handlers in
every unit, dispatchers in every receiving unit, leaders, supervisors — are written in
bulk with one shared password hash (bench/README.md prints the password).

``load_world`` reads this back from the database, so a later stage (or a rerun) needs
nothing from memory.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Q

from yancheng.core.demo import CITY_DEPARTMENTS, GIVEN, NAMED_ENTERPRISES, SURNAMES, load_hengyang_demo
from yancheng.core.models import Organisation, Region, Role, User
from yancheng.core.services import organisation_create, region_upsert

from ..env import BENCH_PASSWORD
from .base import Context, Stage

PROVINCE = ("430000", "湖南省")
# The other 13 cities of Hunan (code, name, short slug); counties are generated.
OTHER_CITIES = [
    ("430100", "长沙市", "cs"), ("430200", "株洲市", "zz"), ("430300", "湘潭市", "xt"), ("430500", "邵阳市", "sy"),
    ("430600", "岳阳市", "yy"), ("430700", "常德市", "cd"), ("430800", "张家界市", "zjj"), ("430900", "益阳市", "yiy"),
    ("431000", "郴州市", "cz"), ("431100", "永州市", "yz"), ("431200", "怀化市", "hh"), ("431300", "娄底市", "ld"),
    ("433100", "湘西土家族苗族自治州", "xx"),
]
COUNTY_WORDS = ["东", "西", "南", "北", "中", "新", "安", "宁", "平", "和", "兴", "丰"]
BENCH_USER_PREFIX = "b-"
HANDLERS_PER_UNIT = 3
DISPATCHERS_PER_DESK = 2
OFFICE_CODE_SUFFIX = "-zdxmb"  # the city's project office (重点项目建设事务中心)


# --- what the database holds, read back ----------------------------------------------------------


@dataclass
class County:
    region_id: int
    code: str
    gov_id: int | None
    units: list[int] = field(default_factory=list)  # county-level units that can lead a case
    parks: list[int] = field(default_factory=list)


@dataclass
class City:
    code: str
    region_id: int
    gov_id: int
    office_id: int | None
    units: list[int] = field(default_factory=list)  # city departments, offices and utilities
    counties: list[County] = field(default_factory=list)
    leaders: list[int] = field(default_factory=list)


@dataclass
class World:
    cities: list[City]
    handlers: dict[int, list[int]]  # org id -> user ids
    dispatchers: dict[int, list[int]]
    parent_of: dict[int, int | None]  # org id -> parent org id
    region_of_org: dict[int, int]
    city_of_region: dict[int, int]  # region id -> index in cities
    county_of_region: dict[int, County]
    org_names: dict[int, str]

    def escalation_target(self, lead_id: int) -> int | None:
        """Mirror of cases.services.escalation_target: the parent, else the region's
        government, else the city's."""
        parent = self.parent_of.get(lead_id)
        if parent:
            return parent
        region = self.region_of_org.get(lead_id)
        county = self.county_of_region.get(region) if region is not None else None
        if county is not None and county.gov_id and county.gov_id != lead_id:
            return county.gov_id
        city_index = self.city_of_region.get(region) if region is not None else None
        if city_index is not None:
            gov = self.cities[city_index].gov_id
            return gov if gov != lead_id else None
        return None


def load_world() -> World:
    orgs = list(
        Organisation.objects.exclude(kind=Organisation.Kind.ENTERPRISE)
        .values("id", "code", "kind", "region_id", "parent_id", "name")
        .order_by("id")
    )
    regions = list(Region.objects.values("id", "code", "kind", "parent_id").order_by("code"))
    city_regions = [r for r in regions if r["kind"] == Region.Kind.CITY]
    by_region: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for org in orgs:
        by_region[org["region_id"]].append(org)
    cities: list[City] = []
    city_of_region: dict[int, int] = {}
    county_of_region: dict[int, County] = {}
    for city_region in city_regions:
        here = by_region.get(city_region["id"], [])
        gov = next((o for o in here if o["kind"] == Organisation.Kind.GOVERNMENT), None)
        if gov is None:
            continue
        office = next((o for o in here if o["code"].endswith(OFFICE_CODE_SUFFIX)), None)
        city = City(code=city_region["code"], region_id=city_region["id"], gov_id=gov["id"],
                    office_id=office["id"] if office else None)
        city.units = [o["id"] for o in here if o["kind"] in {"department", "utility", "office"}]
        index = len(cities)
        city_of_region[city_region["id"]] = index
        for region in regions:
            if region["parent_id"] != city_region["id"]:
                continue
            local = by_region.get(region["id"], [])
            county_gov = next((o for o in local if o["kind"] == Organisation.Kind.GOVERNMENT), None)
            county = County(region_id=region["id"], code=region["code"], gov_id=county_gov["id"] if county_gov else None)
            county.units = [o["id"] for o in local if o["kind"] in {"government", "department"}]
            county.parks = [o["id"] for o in local if o["kind"] == Organisation.Kind.PARK]
            city.counties.append(county)
            county_of_region[region["id"]] = county
            city_of_region[region["id"]] = index
        cities.append(city)
    handlers: dict[int, list[int]] = defaultdict(list)
    dispatchers: dict[int, list[int]] = defaultdict(list)
    leaders: dict[int, list[int]] = defaultdict(list)
    staff = User.objects.filter(is_active=True, role__in=[Role.HANDLER, Role.DISPATCHER, Role.LEADER]).exclude(
        organisation__kind=Organisation.Kind.ENTERPRISE
    )
    for uid, org_id, role in staff.values_list("id", "organisation_id", "role").order_by("id"):
        {Role.HANDLER: handlers, Role.DISPATCHER: dispatchers, Role.LEADER: leaders}[role][org_id].append(uid)
    for city in cities:
        city.leaders = leaders.get(city.gov_id, [])
    return World(
        cities=cities,
        handlers=dict(handlers),
        dispatchers=dict(dispatchers),
        parent_of={o["id"]: o["parent_id"] for o in orgs},
        region_of_org={o["id"]: o["region_id"] for o in orgs},
        city_of_region=city_of_region,
        county_of_region=county_of_region,
        org_names={o["id"]: o["name"] for o in orgs},
    )


def world_of(ctx: Context) -> World:
    if "world" not in ctx.cache:
        ctx.cache["world"] = load_world()
    world: World = ctx.cache["world"]
    return world


# --- making it ------------------------------------------------------------------------------------


def _org(code: str, name: str, kind: str, region: Region, parent: Organisation | None) -> Organisation:
    existing = Organisation.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return organisation_create(code=code, name=name, kind=kind, region=region, parent=parent, actor=None)


def _add_city(code: str, name: str, slug: str, province: Region, counties: int) -> None:
    city = region_upsert(code=code, name=name, kind=Region.Kind.CITY, parent=province, actor=None)
    short = name[:2]
    gov = _org(f"{slug}-gov", f"{name}人民政府", "government", city, None)
    for dept_code, dept_name, kind in CITY_DEPARTMENTS:
        suffix = dept_code.split("-", 1)[1]
        _org(f"{slug}-{suffix}", dept_name.replace("衡阳市", name), kind, city, gov)
    for suffix, label in (("power", f"国网{short}供电公司"), ("water", f"{name}水务集团有限公司"), ("gas", f"{name}燃气有限公司")):
        _org(f"{slug}-{suffix}", label, "utility", city, None)
    for index in range(counties):
        county_code = f"{code[:4]}{index + 21:02d}"
        kind = Region.Kind.DISTRICT if index < 3 else Region.Kind.COUNTY
        county_name = f"{short}{COUNTY_WORDS[index % len(COUNTY_WORDS)]}{'区' if index < 3 else '县'}"
        region = region_upsert(code=county_code, name=county_name, kind=kind, parent=city, actor=None)
        county_slug = f"{slug}{index + 1}"
        county_gov = _org(f"{county_slug}-gov", f"{county_name}人民政府", "government", region, None)
        _org(f"{county_slug}-fgj", f"{county_name}发展和改革局", "department", region, county_gov)
        _org(f"{county_slug}-scjg", f"{county_name}市场监督管理局", "department", region, county_gov)
        if index % 2 == 0:
            _org(f"{county_slug}-park", f"{county_name}经济开发区", "park", region, county_gov)


def _name(rng: Any) -> str:
    return f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.randint(1, 99)}"


class WorldStage(Stage):
    name = "world"
    tables = (User,)

    def planned(self, ctx: Context) -> int:
        return ctx.scale.cities * 250

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:
        load_hengyang_demo(enterprise_count=len(NAMED_ENTERPRISES))
        if ctx.scale.cities > 1:
            province = region_upsert(code=PROVINCE[0], name=PROVINCE[1], kind=Region.Kind.PROVINCE, parent=None,
                                     actor=None)
            hengyang = Region.objects.get(code="430400")
            region_upsert(code=hengyang.code, name=hengyang.name, kind=hengyang.kind, parent=province, actor=None)
            for code, name, slug in OTHER_CITIES[: ctx.scale.cities - 1]:
                _add_city(code, name, slug, province, ctx.scale.county_count)
        ctx.cache.pop("world", None)
        return self._staff(ctx)

    def _staff(self, ctx: Context) -> int:
        """Handlers in every unit that leads cases, dispatchers in every unit that receives
        them, leaders at each city government and supervisors at its 督查室."""
        rng = ctx.rng(self.name)
        password = make_password(BENCH_PASSWORD)
        taken = set(User.objects.filter(username__startswith=BENCH_USER_PREFIX).values_list("username", flat=True))
        rows: list[dict[str, Any]] = []
        next_id = int(marks_or_next(ctx, User))

        def add(org: dict[str, Any], role: str, count: int) -> None:
            nonlocal next_id
            for n in range(1, count + 1):
                username = f"{BENCH_USER_PREFIX}{org['code']}-{role}-{n}"
                if username in taken:
                    continue
                rows.append({
                    "id": next_id, "username": username, "password": password, "role": role,
                    "organisation_id": org["id"], "full_name": _name(rng), "phone": f"1390000{next_id % 10000:04d}",
                    "email": f"{username}@bench.invalid" if role in {Role.HANDLER, Role.DISPATCHER} else "",
                    "first_name": "", "last_name": "", "is_staff": False, "is_superuser": False, "is_active": True,
                    "date_joined": ctx.now, "password_changed_at": ctx.now, "must_change_password": False,
                    "last_login": None, "enforcement_certificate_no": "",
                })
                next_id += 1

        orgs = Organisation.objects.exclude(kind=Organisation.Kind.ENTERPRISE).filter(
            Q(kind__in=["department", "utility", "office", "government", "park"])
        ).values("id", "code", "kind", "region__kind").order_by("id")
        for org in orgs:
            kind, code = org["kind"], org["code"]
            if kind in {"department", "utility"}:
                add(org, Role.HANDLER, HANDLERS_PER_UNIT)
            elif kind == "office":
                if code.endswith(OFFICE_CODE_SUFFIX):
                    add(org, Role.DISPATCHER, DISPATCHERS_PER_DESK)
                elif code.endswith("-dcs"):
                    add(org, Role.SUPERVISOR, 2)
                else:
                    add(org, Role.HANDLER, 2)
            elif kind == "park":
                add(org, Role.DISPATCHER, DISPATCHERS_PER_DESK)
            elif kind == "government":
                add(org, Role.DISPATCHER, DISPATCHERS_PER_DESK)
                add(org, Role.HANDLER, 2)
                if org["region__kind"] == Region.Kind.CITY:
                    add(org, Role.LEADER, 3)
        return ctx.bulk.insert_model(User, rows)


def marks_or_next(ctx: Context, model: Any) -> int:
    return ctx.bulk.next_id(model._meta.db_table)
