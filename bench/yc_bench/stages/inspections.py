"""企业赋码保护 at scale: the rules and registries (``InspectionSetupStage``), then the
registrations with everything hanging off them (``InspectionStage``: 2,000,000 at province
scale), as the ``inspections/registration/`` package and ``ratings.py`` leave them.

The setup: a supervision code for every enterprise (a few re-issued, the old one revoked);
in every city the four inspecting departments of the demo (市场监管, 应急管理, 生态环境,
消防救援) and each county's 市场监管局, with their inspector registries (licences, most
with an inspector account; some suspended, revoked or expired) and published item lists
(the demo's items; a draft one not published); the cap matrix (the demo's ``CAPS``), the
exemption reasons, Spring Festival quiet periods (and a few enterprises' own), every
department's annual plan for each year of the history, and the policy's supervising org.

The registrations: how many each enterprise gets is drawn from a weight (its grade, and a
risk of its own), over the working days since it exists; an enterprise's visits are then
decided in its own time order with the product's rules — non-enforcement visits (~25 %),
joint inspections of two or three departments (~10 %, each with its accepted joint proposal
and the departments' plan entries), exempt ones (个案检查 with their evidence), planned ones
(a plan entry in the lead's annual plan) and outside-plan ones (with their reason); no
proactive inspection of a grade-A enterprise; counted inspections against the caps per
calendar year (a department that would exceed one mostly comes as exempt or as a visit
instead; the rest is acknowledged and alerted), the high-frequency count over 30 days,
quiet periods; scan / emergency (先查后扫) / back-fill (补录) entry modes. Every warning the
service stores and every alert it raises is there. Finished visits have an outcome and a
result; about two in three visits of an enterprise with a login are rated (anonymous
``Rating`` rows with a random key, one per department, and the keyed ``RatingReceipt``
digest of ``ratings.receipt_digest``). Older alerts are mostly handled by a supervisor.

Registrations are numbered and stored in time order (JC<year>-NNNNNN, ids rising with the
registration time, as in production); the per-enterprise decisions are made by the workers
over ranges of enterprises, the rows by the workers over ranges of time.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import hmac
import math
import uuid
from collections import defaultdict, deque
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils.crypto import salted_hmac

from yancheng.core.demo import GIVEN, SURNAMES
from yancheng.core.models import Enterprise, Organisation, Role, User
from yancheng.inspections.demo import CAPS, COMMENTS, DEPARTMENTS, EXEMPTIONS, RESULTS
from yancheng.inspections.models import (
    CapRule,
    ExemptionReason,
    Inspection,
    InspectionAlert,
    InspectionDepartment,
    InspectionInspector,
    InspectionItem,
    InspectionItemChecked,
    InspectionPlan,
    InspectionPolicy,
    InspectorLicence,
    JointAcceptance,
    JointProposal,
    PlanEntry,
    QuietPeriod,
    Rating,
    RatingReceipt,
    SupervisionCode,
)
from yancheng.inspections.ratings import RECEIPT_SALT

from ..bulk import Chunk, Progress, Rows
from ..env import BENCH_PASSWORD
from .base import SHANGHAI, Context, Stage
from .world import BENCH_USER_PREFIX, world_of

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MINUTE = 60_000_000
DAY_US = 86_400_000_000
CHUNK = 10_000  # registrations a chunk
ENTERPRISE_CHUNK = 10_000  # enterprises a chunk of the decisions
# The demo's four departments by the suffix of their code, with the county 市场监管局 (scjg).
SUFFIXES = ("scjg", "yjglj", "sthjj", "xfzd")
ITEMS = {code.split("-", 1)[1]: spec for code, spec in DEPARTMENTS.items()}
# How an enterprise's inspections spread over its departments: county market bureau,
# city market bureau, emergency management, ecology and environment, fire rescue.
DEPARTMENT_WEIGHTS = {"county": 35, "scjg": 15, "yjglj": 20, "sthjj": 15, "xfzd": 15}
GRADE_WEIGHT = {"A": 0.4, "B": 1.0, "C": 1.3, "D": 1.8}
OUTSIDE = (("superior", 40), ("complaint", 30), ("referral", 20), ("emergency", 10))
REACTIVE = ("complaint", "referral")
EXEMPT = (("complaint", 35), ("referral", 25), ("follow-up", 25), ("own-request", 5), ("accident", 10))
EXEMPT_REASON = {"complaint": "complaint", "referral": "referral", "follow-up": "superior", "own-request": "superior",
                 "accident": "emergency"}
PURPOSES = ("research", "call", "publicity")
OUTCOMES = (("no_issue", 6), ("rectify", 3), ("guidance", 2), ("case_filed", 1))
HANDLING_NOTES = ("已约谈检查部门负责人，要求合并检查事项、严格执行频次上限。", "已核实，检查事由充分，予以备案。",
                  "已责令检查部门说明情况并整改。")
EMERGENCY_REASONS = ("危化品储罐泄漏报警，先行现场处置，离开前扫码登记。", "接群众举报现场存在重大安全隐患，证据可能灭失，先行检查。")
BACKFILL_REASONS = ("当日政务外网中断，无法扫码，系统恢复后补录。", "企业所在园区网络故障，现场无法登记，事后补录。")
HIGH_FREQUENCY_DAYS = 30
HIGH_FREQUENCY_THRESHOLD = 3
BACKFILL_DAYS = 10


def _micros(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def _moment(micros: int) -> dt.datetime:
    return (EPOCH + dt.timedelta(microseconds=micros)).astimezone(SHANGHAI)


def _weighted(pairs: Any) -> tuple[list[Any], list[float]]:
    values, cumulative, total = [], [], 0.0
    for value, weight in pairs:
        total += weight
        values.append(value)
        cumulative.append(total)
    return values, cumulative


def _pick(rng: Any, table: tuple[list[Any], list[float]]) -> Any:
    values, cumulative = table
    return values[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def _day(value: dt.date) -> str:
    return value.strftime("%Y-%m-%d")


def _month_end(day: dt.date) -> dt.date:
    following = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def program_start(ctx: Context) -> dt.datetime:
    """When 赋码 began: a month before the history the generator writes."""
    return ctx.now - dt.timedelta(days=ctx.scale.span_days + 30)


def inspecting_departments(ctx: Context) -> dict[int, tuple[str, int, int | None]]:
    """{organisation id: (suffix, city index, county region id or None)} of the departments
    that inspect: the demo's four in every city and each county's market bureau."""
    world = world_of(ctx)
    codes = dict(Organisation.objects.filter(kind="department").values_list("id", "code"))
    found: dict[int, tuple[str, int, int | None]] = {}
    for index, city in enumerate(world.cities):
        for org in city.units:
            suffix = codes.get(org, "").rsplit("-", 1)[-1]
            if org in codes and suffix in SUFFIXES:
                found[org] = (suffix, index, None)
        for county in city.counties:
            for org in county.units:
                if codes.get(org, "").endswith("-scjg"):
                    found[org] = ("scjg", index, county.region_id)
    return found


# --- the rules and registries ------------------------------------------------------------------------


class InspectionSetupStage(Stage):
    name = "inspection-setup"
    tables = (User, InspectorLicence, InspectionItem, CapRule, ExemptionReason, QuietPeriod, InspectionPlan,
              SupervisionCode)

    def enabled(self, ctx: Context) -> bool:
        return ctx.scale.inspections > 0

    def planned(self, ctx: Context) -> int:
        return ctx.scale.enterprises + 2_000

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:
        rng = ctx.rng(self.name)
        bulk = ctx.bulk
        world = world_of(ctx)
        start = program_start(ctx)
        today = ctx.today
        departments = inspecting_departments(ctx)
        orgs = {o["id"]: o for o in Organisation.objects.filter(pk__in=list(departments))
                .values("id", "code", "name", "region__code")}
        written = 0
        policy = InspectionPolicy.current()
        supervising = Organisation.objects.filter(code="hy-sfj").first()
        if supervising is not None and policy.supervising_org_id != supervising.pk:
            policy.supervising_org = supervising
            # current() gives the unsaved defaults on a database emptied since migrating.
            policy.save(update_fields=None if policy.pk is None else ["supervising_org"])

        # Inspector registries: the demo's inspector logins of a department first, then
        # bench inspectors (most with an account), a few suspended, revoked or expired.
        per_city = max(4, min(40, ctx.scale.inspections // (ctx.scale.cities * 4 * 500)))
        per_county = max(3, min(20, ctx.scale.inspections // (ctx.scale.cities * ctx.scale.county_count * 800)))
        password = make_password(BENCH_PASSWORD)
        user_id = int(marks[User._meta.db_table])
        licence_id = int(marks[InspectorLicence._meta.db_table])
        users: list[dict[str, Any]] = []
        licences: list[dict[str, Any]] = []
        taken = set(InspectorLicence.objects.values_list("certificate_no", flat=True))
        existing = defaultdict(list)
        for user in User.objects.filter(role=Role.INSPECTOR, is_active=True).exclude(
                username__startswith=BENCH_USER_PREFIX).order_by("id"):
            existing[user.organisation_id].append(user)
            taken.add((user.enforcement_certificate_no or "").upper())
        for org_id, (suffix, _city, county) in sorted(departments.items()):
            org = orgs[org_id]
            count = per_county if county else per_city
            for n in range(1, count + 1):
                certificate = f"{org['region__code'][:6]}{SUFFIXES.index(suffix) + 1}{n:04d}"
                if certificate in taken:
                    continue
                draw = rng.random()
                status = "suspended" if draw < 0.04 else "revoked" if draw < 0.07 else "active"
                valid_until = today + dt.timedelta(days=rng.randint(200, 1800))
                if status == "active" and rng.random() < 0.03:
                    valid_until = today - dt.timedelta(days=rng.randint(1, 200))
                account = None
                name = f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{n}"
                if existing[org_id] and existing[org_id][0].enforcement_certificate_no:
                    # the demo's own inspectors (jiancha, jiancha2) come first
                    demo = existing[org_id].pop(0)
                    account, name, status = demo.pk, demo.full_name or name, "active"
                    certificate = demo.enforcement_certificate_no.upper()
                    if InspectorLicence.objects.filter(user_id=demo.pk).exists():
                        continue
                    valid_until = today + dt.timedelta(days=900)
                elif rng.random() < 0.85:
                    account = user_id
                    users.append({
                        "id": user_id, "username": f"{BENCH_USER_PREFIX}{org['code']}-inspector-{n}",
                        "password": password, "role": Role.INSPECTOR, "organisation_id": org_id, "full_name": name,
                        "phone": f"1370000{user_id % 10000:04d}", "email": "", "first_name": "", "last_name": "",
                        "is_staff": False, "is_superuser": False, "is_active": status == "active",
                        "date_joined": start, "password_changed_at": ctx.now, "must_change_password": False,
                        "last_login": None, "enforcement_certificate_no": certificate,
                    })
                    user_id += 1
                taken.add(certificate)
                licences.append({"id": licence_id, "department_id": org_id, "user_id": account, "full_name": name,
                                 "certificate_no": certificate, "valid_until": valid_until, "status": status,
                                 "created_at": start, "updated_at": start})
                licence_id += 1
        written += bulk.insert_model(User, users) + bulk.insert_model(InspectorLicence, licences)

        # Published items (and a draft), the cap matrix, exemption reasons, quiet periods.
        item_id = int(marks[InspectionItem._meta.db_table])
        items: list[dict[str, Any]] = []
        have = set(InspectionItem.objects.values_list("department_id", "code"))
        for org_id, (suffix, _city, _county) in sorted(departments.items()):
            spec = ITEMS[suffix]
            for code, name, basis in spec["items"]:
                if (org_id, code) not in have:
                    items.append({"id": item_id, "department_id": org_id, "code": code, "name": name,
                                  "legal_basis": basis, "published_at": start, "withdrawn_at": None, "created_at": start})
                    item_id += 1
            if "draft" in spec and (org_id, spec["draft"][0]) not in have:
                code, name, basis = spec["draft"]
                items.append({"id": item_id, "department_id": org_id, "code": code, "name": name, "legal_basis": basis,
                              "published_at": None, "withdrawn_at": None, "created_at": start})
                item_id += 1
        written += bulk.insert_model(InspectionItem, items)
        bulk.sync()  # (read back below)
        caps: list[dict[str, Any]] = []
        rules = set(CapRule.objects.values_list("grade", "scope", "item_id", "department_id"))
        published = list(InspectionItem.objects.filter(published_at__isnull=False, withdrawn_at__isnull=True)
                         .values_list("id", flat=True).order_by("id"))
        for grade, cap in CAPS.items():
            for scope in ("department", "total"):
                if (grade, scope, None, None) not in rules:
                    caps.append({"grade": grade, "scope": scope, "item_id": None, "department_id": None,
                                 "max_per_year": cap[scope]})
            caps += [{"grade": grade, "scope": "item", "item_id": pk, "department_id": None, "max_per_year": cap["item"]}
                     for pk in published if (grade, "item", pk, None) not in rules]
        written += bulk.insert_model(CapRule, caps)
        known = set(ExemptionReason.objects.values_list("code", flat=True))
        written += bulk.insert_model(ExemptionReason, [
            {"code": code, "name": name, "evidence_required": evidence, "requires_attachment": attachment,
             "is_active": True} for code, name, evidence, attachment in EXEMPTIONS if code not in known])
        years = list(range(start.astimezone(SHANGHAI).year, today.year + 1))
        quiet: list[dict[str, Any]] = [
            {"name": f"{year}年春节企业宁静期", "starts_on": dt.date(year, 2, 10), "ends_on": dt.date(year, 2, 24),
             "region_id": None, "enterprise_id": None, "created_by_id": None,
             "created_at": dt.datetime(year, 1, 15, 10, tzinfo=SHANGHAI)} for year in years
            if not QuietPeriod.objects.filter(name=f"{year}年春节企业宁静期").exists()]
        enterprise_ids = list(Enterprise.objects.filter(is_active=True).values_list("id", flat=True).order_by("id"))
        for pk in rng.sample(enterprise_ids, max(1, len(enterprise_ids) // 1000)) if enterprise_ids else []:
            first = today - dt.timedelta(days=rng.randint(0, ctx.scale.span_days))
            quiet.append({"name": "新落地项目试生产宁静期", "starts_on": first, "ends_on": first + dt.timedelta(days=90),
                          "region_id": None, "enterprise_id": pk, "created_by_id": None,
                          "created_at": dt.datetime.combine(first, dt.time(9), tzinfo=SHANGHAI)})
        written += bulk.insert_model(QuietPeriod, quiet)

        # Every department's annual plan of each year, filed by its clerk in January.
        plans = set(InspectionPlan.objects.filter(month__isnull=True).values_list("department_id", "year"))
        written += bulk.insert_model(InspectionPlan, [
            {"department_id": org_id, "year": year, "month": None, "status": "filed",
             "filed_at": dt.datetime(year, 1, 20, 10, tzinfo=SHANGHAI),
             "filed_by_id": (world.handlers.get(org_id) or [None])[0],
             "created_at": dt.datetime(year, 1, 10, 9, tzinfo=SHANGHAI)}
            for org_id in sorted(departments) for year in years if (org_id, year) not in plans])

        # A code for every enterprise (赋码 needs no application); a few asked for a new one.
        coded = set(SupervisionCode.objects.values_list("enterprise_id", flat=True))
        progress = Progress("supervision codes", Enterprise.objects.count())

        def codes() -> Any:
            span = (ctx.now - start).total_seconds()
            for pk in Enterprise.objects.values_list("id", flat=True).order_by("id"):
                progress.advance(1)
                if pk in coded:
                    continue
                token = uuid.UUID(int=rng.getrandbits(128)).hex + f"{rng.getrandbits(64):016x}"
                if rng.random() < 0.005:
                    revoked = start + dt.timedelta(seconds=span * rng.uniform(0.2, 0.98))
                    yield {"enterprise_id": pk, "token": token[:32], "issued_at": start, "issued_by_id": None,
                           "revoked_at": revoked, "revoked_by_id": None, "revoke_reason": "海报被翻拍外传，申请重新赋码"}
                    yield {"enterprise_id": pk, "token": token[32:] + token[:16], "issued_at": revoked,
                           "issued_by_id": None, "revoked_at": None, "revoked_by_id": None, "revoke_reason": ""}
                else:
                    yield {"enterprise_id": pk, "token": token, "issued_at": start, "issued_by_id": None,
                           "revoked_at": None, "revoked_by_id": None, "revoke_reason": ""}

        written += bulk.insert_model(SupervisionCode, codes())
        progress.finish()
        return written


# --- the registrations --------------------------------------------------------------------------------


class InspectionStage(Stage):
    name = "inspections"
    tables = (JointProposal, JointAcceptance, PlanEntry, Inspection, InspectionDepartment, InspectionInspector,
              InspectionItemChecked, InspectionAlert, Rating, RatingReceipt)
    set_aside = True
    resumes = True

    def enabled(self, ctx: Context) -> bool:
        return ctx.scale.inspections > 0

    def planned(self, ctx: Context) -> int:
        return ctx.scale.inspections * 7

    def marks(self, ctx: Context) -> dict[str, int]:
        return {t: ctx.bulk.next_id(t) for t in self.marks_tables()}

    def finish(self, ctx: Context) -> None:
        for table in self.marks_tables():
            ctx.bulk.fix_sequence(table)
        ctx.bulk.analyze(self.table_names())

    def marks_tables(self) -> list[str]:
        """The tables with an integer id (Rating's key is random, RatingReceipt's a digest)."""
        return [t for t in self.table_names() if t not in (Rating._meta.db_table, RatingReceipt._meta.db_table)]

    # --- what the registrations refer to, read back ---------------------------------------------------

    def _load(self, ctx: Context) -> None:
        world = world_of(ctx)
        today = ctx.today
        self.ctx, self.today, self.now_us = ctx, today, _micros(ctx.now)
        departments = inspecting_departments(ctx)
        self.department_names = dict(Organisation.objects.filter(pk__in=list(departments)).values_list("id", "name"))
        # Candidate departments of each county, weighted.
        city_departments: dict[int, dict[str, int]] = defaultdict(dict)
        county_market: dict[int, int] = {}
        for org_id, (suffix, city, county) in departments.items():
            if county is None:
                city_departments[city][suffix] = org_id
            else:
                county_market[county] = org_id
        self.candidates: dict[int, tuple[list[int], list[float]]] = {}
        for region_id in world.county_of_region:
            city = world.city_of_region[region_id]
            pairs = [(org, DEPARTMENT_WEIGHTS[s]) for s, org in sorted(city_departments[city].items())]
            if region_id in county_market:
                pairs.append((county_market[region_id], DEPARTMENT_WEIGHTS["county"]))
            if pairs:
                self.candidates[region_id] = _weighted(pairs)
        # Registries and item lists.
        self.registrants: dict[int, list[tuple[int, int, str, str]]] = defaultdict(list)  # with an account
        self.licences: dict[int, list[tuple[int, int | None, str, str]]] = defaultdict(list)
        for pk, dept, user, name, certificate, valid_until in (
            InspectorLicence.objects.filter(status="active", department_id__in=list(departments))
            .values_list("id", "department_id", "user_id", "full_name", "certificate_no", "valid_until")
            .order_by("id")
        ):
            if valid_until is not None and valid_until < today:
                continue
            self.licences[dept].append((pk, user, name, certificate))
            if user is not None:
                self.registrants[dept].append((pk, user, name, certificate))
        self.items: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        self.item_department: dict[int, int] = {}
        for pk, dept, name, basis in (InspectionItem.objects.filter(published_at__isnull=False, withdrawn_at__isnull=True,
                                                                     department_id__in=list(departments))
                                      .values_list("id", "department_id", "name", "legal_basis").order_by("id")):
            self.items[dept].append((pk, name, basis))
            self.item_department[pk] = dept
        self.item_names = {pk: name for rows in self.items.values() for pk, name, _b in rows}
        self.item_basis = {pk: basis for rows in self.items.values() for pk, _n, basis in rows}
        usable = [d for d in departments if len(self.licences[d]) >= 2 and self.registrants[d] and self.items[d]]
        self.usable = set(usable)
        # Rules.
        self.caps: dict[tuple[str, str, int | None], tuple[int, int]] = {}
        for pk, grade, scope, item, dept, limit in CapRule.objects.values_list(
                "id", "grade", "scope", "item_id", "department_id", "max_per_year"):
            if scope == "item":
                self.caps[(grade, "item", item)] = (pk, limit)
            elif scope == "department":
                self.caps[(grade, "department", dept)] = (pk, limit)
            else:
                self.caps[(grade, "total", None)] = (pk, limit)
        self.exemptions = {code: (pk, name, evidence, attachment) for pk, code, name, evidence, attachment in
                           ExemptionReason.objects.filter(is_active=True).values_list(
                               "id", "code", "name", "evidence_required", "requires_attachment")}
        self.quiet_all: list[tuple[dt.date, dt.date, str]] = []
        self.quiet_own: dict[int, tuple[dt.date, dt.date, str]] = {}
        for name, starts, ends, region, enterprise in QuietPeriod.objects.values_list(
                "name", "starts_on", "ends_on", "region_id", "enterprise_id").order_by("starts_on", "id"):
            if enterprise is not None:
                self.quiet_own[enterprise] = (starts, ends, name)
            elif region is None:
                self.quiet_all.append((starts, ends, name))
        self.plans = {(d, y): pk for pk, d, y in InspectionPlan.objects.filter(month__isnull=True, status="filed")
                      .values_list("id", "department_id", "year")}
        self.clerks = {org: users[0] for org, users in world.handlers.items() if users}
        policy = InspectionPolicy.current()
        supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True)
        if policy.supervising_org_id:
            supervisors = supervisors.filter(organisation_id=policy.supervising_org_id) or supervisors
        self.supervisors = list(supervisors.values_list("id", flat=True).order_by("id"))
        self.hf_days, self.hf_threshold = policy.high_frequency_window_days, policy.high_frequency_threshold
        # Enterprises, their codes and whether someone there can rate.
        self.enterprises: list[tuple[int, int, str, int]] = []  # id, region, grade, first moment (micros)
        span_start = _micros(ctx.now - dt.timedelta(days=ctx.scale.span_days))
        for pk, region, grade, created in Enterprise.objects.filter(is_active=True).values_list(
                "id", "region_id", "grade", "created_at").order_by("id"):
            if region in self.candidates:
                self.enterprises.append((pk, region, grade, max(span_start, _micros(created) + DAY_US)))
        self.codes: dict[int, tuple[int, int | None, int]] = {}  # enterprise -> active, old, revoked at
        for pk, enterprise, revoked in SupervisionCode.objects.values_list("id", "enterprise_id", "revoked_at").order_by(
                "id"):
            active, old, at = self.codes.get(enterprise, (0, None, 0))
            if revoked is None:
                self.codes[enterprise] = (pk, old, at)
            else:
                self.codes[enterprise] = (active, pk, _micros(revoked))
        self.raters = set(User.objects.filter(role=Role.ENTERPRISE, is_active=True).values_list(
            "organisation__enterprise__id", flat=True))
        secret = getattr(settings, "YANCHENG_RATING_RECEIPT_KEY", "") or settings.SECRET_KEY
        self.receipt_key = hashlib.sha256(RECEIPT_SALT.encode() + secret.encode()).digest()
        # Working days of the history (registrations happen on them), as micros of midnight.
        from ..clocks import Clocks

        clocks = Clocks()
        first = (ctx.now - dt.timedelta(days=ctx.scale.span_days)).astimezone(SHANGHAI).date()
        days = [first + dt.timedelta(days=k) for k in range((today - first).days + 1)]
        self.working = [_micros(dt.datetime.combine(d, dt.time(0), tzinfo=SHANGHAI)) for d in days
                        if clocks.is_working_day(d)]
        self.quiet_days = {_micros(dt.datetime.combine(d, dt.time(0), tzinfo=SHANGHAI)) for d in days
                           if any(a <= d <= b for a, b, _n in self.quiet_all)}

    # --- run ---------------------------------------------------------------------------------------------

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:
        self._load(ctx)
        if "total" not in marks:
            marks["total"] = max(ctx.scale.inspections - Inspection.objects.count(), 0)
        total = int(marks["total"])
        if not total or not self.enterprises:
            return 0
        # How many registrations each enterprise gets: systematic sampling over the weights
        # (grade × its own risk × the share of the history it existed), so the total is exact.
        rng = ctx.rng(self.name)
        weights = []
        last = self.working[-1] + DAY_US
        for _pk, _region, grade, since in self.enterprises:
            share = max(last - since, 0) / max(last - self.working[0], 1)
            weights.append(GRADE_WEIGHT.get(grade, 1.0) * math.exp(rng.gauss(0, 0.4)) * share)
        step = sum(weights) / total
        offset = rng.random() * step
        counts, running, taken = [], 0.0, 0
        for weight in weights:
            running += weight
            upto = int((running - offset) // step) + 1 if running > offset else 0
            upto = min(upto, total)
            counts.append(upto - taken)
            taken = upto
        if taken < total:
            counts[-1] += total - taken
        self.counts = counts
        # The decisions, per range of enterprises (in the workers), then in time order here.
        ranges = range((len(self.enterprises) + ENTERPRISE_CHUNK - 1) // ENTERPRISE_CHUNK)
        began = Progress("inspections: plan", total)
        events: list[tuple[Any, ...]] = []
        for part in ctx.bulk.map_chunks(self.decide, ranges):
            events += part.info
            began.advance(part.units)
        began.finish()
        events.sort(key=_first)
        self.events = events
        # Ids and numbers are known before the rows are made: per chunk, where its plan
        # entries and joint proposals start, and per year where its numbers start.
        self.first_id = int(marks[Inspection._meta.db_table])
        entry_id, proposal_id = int(marks[PlanEntry._meta.db_table]), int(marks[JointProposal._meta.db_table])
        self.bases: list[tuple[int, int]] = []
        for index, event in enumerate(events):
            if index % CHUNK == 0:
                self.bases.append((entry_id, proposal_id))
            kind = event[5]
            if kind == "planned":
                entry_id += 1
            elif kind == "joint":
                entry_id += 1 + len(event[4])
                proposal_id += 1
        years = list(range(_moment(events[0][0]).year, _moment(events[-1][0]).year + 1))
        starts = [_micros(dt.datetime(y, 1, 1, tzinfo=SHANGHAI)) for y in years]
        firsts = [bisect.bisect_left(events, s, key=_first) for s in starts]
        bases = []
        for year in years:
            prefix = f"JC{year}-"
            last_number = (Inspection.objects.filter(number__startswith=prefix, id__lt=self.first_id)
                           .order_by("-number").values_list("number", flat=True).first())
            bases.append(int(last_number[len(prefix):]) if last_number and last_number[len(prefix):].isdigit() else 0)
        self.numbering = (years, starts, firsts, bases)
        chunks = (len(events) + CHUNK - 1) // CHUNK
        done = int(marks.get("chunks_done", 0))
        progress = Progress("inspections", len(events))
        progress.skip(min(done * CHUNK, len(events)))
        written = ctx.bulk.run_chunks(self.make_chunk, range(done, chunks), progress=progress,
                                      after=ctx.progress_mark(self.name, marks))
        progress.finish()
        return written

    # --- the decisions, one enterprise at a time ---------------------------------------------------------

    def decide(self, k: int) -> Chunk:
        """The registrations of enterprises k·ENTERPRISE_CHUNK …, each decided in the
        enterprise's own time order against its caps, its recent visits and its quiet
        periods. An event: (registered µs, started µs, enterprise index, lead department,
        other departments, kind, items, reason, entry mode, notices, counted)."""
        rng = self.ctx.chunk_rng(f"{self.name}:decide", k)
        random_ = rng.random
        working = self.working
        n_days = len(working)
        out: list[tuple[Any, ...]] = []
        first, last = k * ENTERPRISE_CHUNK, min((k + 1) * ENTERPRISE_CHUNK, len(self.enterprises))
        outside, exempt = _weighted(OUTSIDE), _weighted(EXEMPT)
        hf_window = self.hf_days * DAY_US
        for index in range(first, last):
            count = self.counts[index]
            if not count:
                continue
            pk, region, grade, since = self.enterprises[index]
            candidates = self.candidates[region]
            usable = [d for d in candidates[0] if d in self.usable]
            if not usable:
                continue
            low = bisect.bisect_left(working, since - since % DAY_US)
            low = min(low, n_days - 1)
            own_quiet = self.quiet_own.get(pk)
            moments = []
            for _ in range(count):
                day = working[low + int(random_() * (n_days - low))]
                for _retry in range(3):  # departments mostly wait for the end of a quiet period
                    if day not in self.quiet_days or random_() < 0.1:
                        break
                    day = working[low + int(random_() * (n_days - low))]
                moments.append(day + (8 * 60 + 40 + int(random_() * 470)) * MINUTE + int(random_() * MINUTE))
            moments.sort()
            used: dict[tuple[Any, ...], int] = defaultdict(int)
            recent: deque[int] = deque()
            for moment in moments:
                if moment > self.now_us - 10 * MINUTE:
                    moment = self.now_us - 10 * MINUTE - int(random_() * 60 * MINUTE)
                local = _moment(moment)
                day = local.date()
                lead = _pick(rng, candidates)
                if lead not in self.usable:
                    lead = usable[int(random_() * len(usable))]
                draw = random_()
                partners: tuple[int, ...] = ()
                if draw < 0.25:
                    kind = "visit"
                elif draw < 0.35 and len(usable) > 1:
                    kind = "joint"
                    others = [d for d in usable if d != lead]
                    partners = tuple(rng.sample(others, min(len(others), 1 if random_() < 0.75 else 2)))
                elif draw < 0.47:
                    kind = "exempt"
                else:
                    kind = "planned" if random_() < 0.45 else "outside"
                # Quiet periods admit only exempt inspections.
                quiet = [q for q in (*self.quiet_all, own_quiet) if q and q[0] <= day <= q[1]]
                if quiet and kind != "exempt":
                    kind, partners = "exempt", ()
                # Grade A: no proactive inspection (the policy refuses it).
                reason = ""
                if kind == "exempt":
                    reason = _pick(rng, exempt)
                elif kind == "outside":
                    reason = _pick(rng, outside) if grade != "A" else REACTIVE[int(random_() * 2)]
                elif grade == "A" and kind in ("planned", "joint"):
                    kind, partners, reason = "outside", (), REACTIVE[int(random_() * 2)]
                departments = (lead, *partners)
                if kind == "visit":
                    items: tuple[int, ...] = ()
                elif kind == "joint":
                    items = tuple(self.items[d][int(random_() * len(self.items[d]))][0] for d in departments)
                else:
                    own = self.items[lead]
                    items = (own[int(random_() * len(own))][0],)
                    if len(own) > 1 and random_() < 0.3:
                        second = own[int(random_() * len(own))][0]
                        if second != items[0]:
                            items += (second,)
                counted = kind not in ("visit", "exempt")
                notices: list[tuple[Any, ...]] = []
                if kind == "exempt" and self.exemptions.get(reason, (0, "", "", False))[3]:
                    notices.append(("attachment_needed", reason))
                if quiet:
                    notices.append(("quiet_period", tuple(quiet)))
                year = day.year
                if counted:
                    rules = []
                    for item in items:
                        rule = self.caps.get((grade, "item", item))
                        if rule:
                            rules.append((rule, ("item", year, item), self.item_department[item], "item", item))
                    for dept in departments:
                        rule = self.caps.get((grade, "department", dept)) or self.caps.get((grade, "department", None))
                        if rule:
                            rules.append((rule, ("department", year, dept), dept, "department", dept))
                    rule = self.caps.get((grade, "total", None))
                    if rule:
                        rules.append((rule, ("total", year), lead, "total", None))
                    over = [r for r in rules if used[r[1]] + 1 > r[0][1]]
                    if over and random_() < 0.85:
                        # The department sees the cap and comes for a reason that does not
                        # count (exempt), or does not inspect (a visit).
                        counted = False
                        if random_() < 0.5:
                            kind, partners, reason = "exempt", (), _pick(rng, exempt)
                            departments, items = (lead,), items[:1]
                        else:
                            kind, partners, reason, items, departments = "visit", (), "", (), (lead,)
                    else:
                        for (rule_id, limit), key, dept, scope, target in rules:
                            after = used[key] + 1
                            if after >= limit:
                                notices.append(("cap_exceeded" if after > limit else "cap_reached", rule_id, scope,
                                                target, dept, after - 1, limit))
                        for _rule, key, *_rest in rules:
                            used[key] += 1
                # Entry mode: mostly scanned at the door; a few emergencies and back-fills.
                started = moment
                mode = "scanned"
                draw = random_()
                if draw < 0.025 and kind != "visit":
                    mode = "emergency"
                    started = max(moment - int((0.5 + random_() * 3) * 60 * MINUTE),
                                  _micros(dt.datetime.combine(day, dt.time(0, 5), tzinfo=SHANGHAI)))
                elif draw < 0.045:
                    mode = "backfill"
                    started = moment - (1 + int(random_() * (BACKFILL_DAYS - 1))) * DAY_US - int(random_() * 60 * MINUTE)
                # High frequency: visits of any kind started in the window before now.
                while recent and recent[0] <= moment - hf_window:
                    recent.popleft()
                before = sum(1 for s in recent if s <= moment)
                if before + 1 >= self.hf_threshold:
                    notices.append(("high_frequency", before))
                recent.append(started)
                if len(recent) > 1 and recent[-1] < recent[-2]:
                    recent = deque(sorted(recent))
                out.append((moment, started, index, lead, partners, kind, items, reason, mode, tuple(notices), counted))
        return Chunk(units=sum(self.counts[first:last]), parts=[], info=out)

    # --- the rows, one stretch of time at a time --------------------------------------------------------

    def make_chunk(self, k: int) -> Chunk:
        ctx = self.ctx
        vendor = ctx.bulk.vendor
        rng = ctx.chunk_rng(self.name, k)
        random_ = rng.random
        first, last = k * CHUNK, min((k + 1) * CHUNK, len(self.events))
        entry_id, proposal_id = self.bases[k]
        years, year_starts, firsts, number_bases = self.numbering
        proposals = Rows(JointProposal, ("id", "enterprise_id", "window_start", "window_end", "status",
                                         "lead_department_id", "created_at"), vendor)
        acceptances = Rows(JointAcceptance, ("proposal_id", "department_id", "decision", "reason", "decided_by_id",
                                             "decided_at"), vendor)
        entries = Rows(PlanEntry, ("id", "plan_id", "enterprise_id", "enterprise_class", "item_id", "legal_basis",
                                   "month", "window_start", "window_end", "announced", "joint_proposal_id", "note"),
                       vendor)
        inspections = Rows(Inspection, INSPECTION_COLUMNS, vendor)
        links = Rows(InspectionDepartment, ("inspection_id", "department_id"), vendor)
        people = Rows(InspectionInspector, ("inspection_id", "licence_id", "full_name", "certificate_no"), vendor)
        checked = Rows(InspectionItemChecked, ("inspection_id", "item_id"), vendor)
        alerts = Rows(InspectionAlert, ALERT_COLUMNS, vendor)
        ratings = Rows(Rating, ("id", "department_id", "kind", "rated_on", "score", "comment"), vendor)
        receipts = Rows(RatingReceipt, ("digest",), vendor)
        outcomes = _weighted(OUTCOMES)
        scores = _weighted(((5, 50), (4, 30), (3, 10), (2, 6), (1, 4)))
        receipt = hmac.new(self.receipt_key, digestmod=hashlib.sha256)
        now_us, today = self.now_us, self.today
        checked_digest = False
        for index in range(first, last):
            (moment, started_us, ent_index, lead, partners, kind, items, reason, mode, notices,
             counted) = self.events[index]
            pk = self.first_id + index
            enterprise, _region, grade, _since = self.enterprises[ent_index]
            y = bisect.bisect_right(year_starts, moment) - 1
            number = f"JC{years[y]}-{number_bases[y] + index - firsts[y] + 1:06d}"
            registered, started = _moment(moment), _moment(started_us)
            day = started.date()
            departments = (lead, *partners)
            # Who: the registering inspector and a colleague; one of each other department.
            registrants = self.registrants[lead]
            own = registrants[int(random_() * len(registrants))]
            colleagues = self.licences[lead]
            second = colleagues[int(random_() * len(colleagues))]
            if second[0] == own[0]:
                second = next(lic for lic in colleagues if lic[0] != own[0])
            team = [own, second]
            for dept in partners:
                pool = self.licences[dept]
                team.append(pool[int(random_() * len(pool))])
            # What for.
            basis = "\n".join(dict.fromkeys(self.item_basis[i] for i in items)) if items else ""
            plan_entry = joint = None
            outside = ""
            exemption = None
            evidence = ""
            purpose = ""
            if kind == "visit":
                purpose = PURPOSES[int(random_() * 3)]
            elif kind == "planned":
                plan_entry = entry_id
                entries.add(entry_id, self.plans.get((lead, day.year)), enterprise, "", items[0],
                            self.item_basis[items[0]], day.month, day.replace(day=1), _month_end(day),
                            random_() < 0.75, None, "")
                entry_id += 1
            elif kind == "joint":
                joint = proposal_id
                window = (day.replace(day=1), _month_end(day))
                created = dt.datetime.combine(window[0] - dt.timedelta(days=30), dt.time(10), tzinfo=SHANGHAI)
                proposals.add(proposal_id, enterprise, window[0], window[1], "done", lead, created)

                decided = dt.datetime.combine(window[0] - dt.timedelta(days=10), dt.time(9, 30), tzinfo=SHANGHAI)
                for dept, item in zip(departments, items, strict=True):
                    acceptances.add(proposal_id, dept, "accepted", "", self.clerks.get(dept), decided)
                    entries.add(entry_id, self.plans.get((dept, day.year)), enterprise, "", item, self.item_basis[item],
                                day.month, window[0], window[1], True, proposal_id, "")
                    if dept == lead:
                        plan_entry = entry_id
                    entry_id += 1
                proposal_id += 1
            else:
                outside = EXEMPT_REASON[reason] if kind == "exempt" else reason
                if kind == "exempt":
                    exemption = self.exemptions[reason][0]
                    evidence = _evidence(reason, day, index)
            code = None
            draw = random_()
            found_by = "code" if draw < 0.82 else "uscc" if draw < 0.95 else "licence_qr"
            if found_by == "code":
                active, old, revoked_at = self.codes.get(enterprise, (None, None, 0))
                code = old if old is not None and moment < revoked_at else active
                if code is None:
                    found_by = "uscc"
            mode_reason = ""
            if mode == "emergency":
                mode_reason = EMERGENCY_REASONS[int(random_() * len(EMERGENCY_REASONS))]
            elif mode == "backfill":
                mode_reason = BACKFILL_REASONS[int(random_() * len(BACKFILL_REASONS))]
            # The warnings stored and the alerts raised, as the service words them.
            warnings, raised = self._notices(notices, lead, mode, mode_reason, day)
            # The end and the result.
            ended_us = started_us + (40 + int(random_() * 140)) * MINUTE
            finished = ended_us < now_us and random_() > 0.002
            ended = _moment(min(ended_us, now_us)) if finished else None
            outcome = "guidance" if kind == "visit" else _pick(rng, outcomes)
            inspections.add(
                pk, number, enterprise, lead, code, found_by, "visit" if kind == "visit" else "enforcement", purpose,
                basis, plan_entry, joint, outside, exemption, evidence, mode, mode_reason, started, ended,
                "finished" if finished else "in_progress", outcome if finished else "",
                RESULTS.get(outcome, "") if finished else "", grade, counted, warnings, own[1], registered,
                2 if finished else 1,
            )
            for dept in departments:
                links.add(pk, dept)
            for licence, _user, name, certificate in team:
                people.add(pk, licence, name, certificate)
            for item in items:
                checked.add(pk, item)
            for alert_kind, dept, rule, count, limit, message in raised:
                status, handler, handled_at, note = "open", None, None, ""
                if moment < now_us - 20 * DAY_US and self.supervisors and random_() < 0.75:
                    status = "handled"
                    handler = self.supervisors[int(random_() * len(self.supervisors))]
                    handled_at = _moment(moment + int((1 + random_() * 9) * DAY_US))
                    note = HANDLING_NOTES[int(random_() * len(HANDLING_NOTES))]
                alerts.add(alert_kind, enterprise, dept, pk, rule, count, limit, message, registered, status, handler,
                           handled_at, note)
            # About two in three finished visits of an enterprise with a login are rated.
            if finished and enterprise in self.raters and random_() < 0.66:
                assert ended is not None
                rated_on = min(ended.date() + dt.timedelta(days=int(random_() * 4)), today)
                score = _pick(rng, scores)
                comment = COMMENTS[int(random_() * len(COMMENTS))]
                for dept in departments:
                    ratings.add(uuid.UUID(int=rng.getrandbits(128), version=4).hex, dept,
                                "visit" if kind == "visit" else "enforcement", rated_on, score, comment)
                mac = receipt.copy()
                mac.update(f"enterprise:{enterprise}|inspection:{pk}".encode())
                digest = mac.hexdigest()
                if not checked_digest:  # once a chunk: the same digest as ratings.receipt_digest
                    secret = getattr(settings, "YANCHENG_RATING_RECEIPT_KEY", "") or None
                    expected = salted_hmac(RECEIPT_SALT, f"enterprise:{enterprise}|inspection:{pk}", secret=secret,
                                           algorithm="sha256").hexdigest()
                    if digest != expected:
                        raise AssertionError("rating receipt digest differs from ratings.receipt_digest")
                    checked_digest = True
                receipts.add(digest)
        return Chunk(units=last - first, parts=[
            proposals.part(), acceptances.part(), entries.part(), inspections.part(), links.part(), people.part(),
            checked.part(), alerts.part(), ratings.part(), receipts.part()])

    def _notices(self, notices: tuple[tuple[Any, ...], ...], lead: int, mode: str, mode_reason: str,
                 day: dt.date) -> tuple[list[dict[str, str]], list[tuple[Any, ...]]]:
        """The warnings the service stores (code, message in the site's language) and the
        alerts it raises: (kind, department, cap rule, count, limit, message)."""
        warnings: list[dict[str, str]] = []
        raised: list[tuple[Any, ...]] = []
        exceeded: list[dict[str, str]] = []
        frequent: list[dict[str, str]] = []
        for notice in notices:
            code = notice[0]
            if code == "attachment_needed":
                _pk, name, evidence, _attachment = self.exemptions[notice[1]]
                warnings.append({"code": code, "message": f"豁免事由“{name}”须上传证明材料（{evidence}），请在登记后于登记详情页上传附件。"})
            elif code == "quiet_period":
                names = "、".join(f"{name}（{_day(a)}–{_day(b)}）" for a, b, name in notice[1])
                message = f"企业宁静期：{names}，期间只允许有豁免事由的检查。"
                warnings.append({"code": code, "message": message})
                raised.append(("quiet_period", lead, None, 0, None, message))
            elif code in ("cap_reached", "cap_exceeded"):
                _code, rule, scope, target, dept, used, limit = notice
                if scope == "item":
                    label = f"检查事项“{self.item_names[target]}”"
                elif scope == "department":
                    label = self.department_names.get(target, "")
                else:
                    label = "各部门合计"
                text = f"{label}本年已计 {used} 次，本次登记后为 {used + 1} 次，上限 {limit} 次"
                message = f"{'超过' if code == 'cap_exceeded' else '达到'}频次上限：{text}。"
                (exceeded if code == "cap_exceeded" else warnings).append({"code": code, "message": message})
                raised.append((code, dept, rule, used + 1, limit, message))
            elif code == "high_frequency":
                n = notice[1]
                message = (f"高频入企：该企业近 {self.hf_days} 日内已有 {n} 次入企（含非执法入企），本次为第 {n + 1} 次，"
                           "将向执法监督机构预警。")
                frequent.append({"code": code, "message": message})
                raised.append(("high_frequency", lead, None, n + 1, self.hf_threshold, message))
        warnings += exceeded + frequent
        if mode == "emergency":
            raised.append(("emergency", lead, None, 0, None, f"先查后扫：{mode_reason}"))
        elif mode == "backfill":
            raised.append(("backfill", lead, None, 0, None, f"事后补录（开始于 {_day(day)}）：{mode_reason}"))
        return warnings, raised


def _first(event: tuple[Any, ...]) -> int:
    return int(event[0])


def _evidence(reason: str, day: dt.date, index: int) -> str:
    if reason == "complaint":
        return f"12345-{day.year}{index % 1_000_000:06d}"
    if reason == "referral":
        return f"交办函〔{day.year}〕{index % 1000 + 1}号"
    if reason == "follow-up":
        return f"责令整改通知书 {day.year}-{index % 100_000:05d}"
    if reason == "own-request":
        return f"企业书面申请（{_day(day)}）"
    return f"事故报告 {day.year}-{index % 1000:03d}"


INSPECTION_COLUMNS = (
    "id", "number", "enterprise_id", "department_id", "code_id", "found_by", "kind", "purpose", "legal_basis",
    "plan_entry_id", "joint_proposal_id", "outside_plan_reason", "exemption_reason_id", "exemption_evidence",
    "entry_mode", "entry_mode_reason", "started_at", "ended_at", "status", "outcome", "result",
    "grade_at_registration", "counts_toward_caps", "warnings", "registered_by_id", "registered_at", "version",
)
ALERT_COLUMNS = ("kind", "enterprise_id", "department_id", "inspection_id", "cap_rule_id", "count", "limit", "message",
                 "created_at", "status", "handled_by_id", "handled_at", "handling_note")
