"""信访 at scale: matters (``Petition``) with their petitioners (``Petitioner``, names, ID
numbers, phones and addresses encrypted with the product's key ring and the ID number's
keyed digest, exactly as ``petitions.intake.petition_register`` stores them) and the
registration event of each (``PetitionEvent``).

Each city gets a 信访局 (衡阳: the one the demo or a test made, else ``b-<city>-xfj``) with a
信访 clerk ``b-<city>-xfj-petition-1``. The matters are spread over the history with the
channels, types and topics in realistic shares. The cases stage's petition cases (kind
``petition``) become the handled matters: transferred to the case's lead unit, accepted,
answered or closed as the case's status says, so their lights are the engine's. The rest:
the last fortnight's matters wait to be transferred (on the 15日 transfer clock, a few past
it), older ones were not accepted (第三十一条 routes) or closed, and a share of all are
repeat filings (同一事项的前次信访, or 重复信访 of one still running).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.hashers import make_password

from yancheng.cases.models import Case, Status
from yancheng.core.crypto.fields import digest_of
from yancheng.core.crypto.keys import load_ring
from yancheng.core.demo import GIVEN, SURNAMES
from yancheng.core.models import NumberCounter, Organisation, Region, Role, User
from yancheng.core.services import organisation_create, user_create
from yancheng.petitions import querycode
from yancheng.petitions.models import (
    Channel,
    ClaimRoute,
    Petition,
    Petitioner,
    PetitionEvent,
    PetitionType,
    Topic,
)
from yancheng.petitions.models import (
    Stage as MatterStage,
)

from ..bulk import Progress
from ..env import BENCH_PASSWORD
from .base import SHANGHAI, Context, Stage
from .world import BENCH_USER_PREFIX, world_of

# Matters per scale (a city of 6.6 million files some 10,000 a year).
PETITIONS = {"smoke": 200, "town": 5_000, "city": 25_000, "province": 250_000}
CHANNELS = ((Channel.LETTER, 25), (Channel.VISIT, 25), (Channel.PHONE, 10), (Channel.ONLINE, 25),
            (Channel.HOTLINE, 12), (Channel.LEADER_DAY, 3))
TYPES = ((PetitionType.CLAIM, 70), (PetitionType.SUGGESTION, 15), (PetitionType.ACCUSATION, 15))
TITLES = ("小区电梯长期停运", "拖欠农民工工资", "征地补偿款未足额兑付", "物业服务收费不合理", "道路施工噪声扰民",
          "养老保险待遇核定有误", "举报村干部优亲厚友", "建议增设公交线路", "学位分配不公", "房屋质量问题维修无果")
REQUESTS = ("请求督促有关单位依法处理。", "请求协调解决。", "请求依法查处。", "建议有关部门研究采纳。")
NOT_ACCEPTED_ROUTES = (ClaimRoute.LITIGATION, ClaimRoute.ARBITRATION, ClaimRoute.ADMINISTRATIVE)
REPEAT_SHARE = 0.08
DAY = dt.timedelta(days=1)
TRANSFER_DAYS = 15
# The case's status → the matter's stage.
STAGE_OF = {
    Status.SUBMITTED: MatterStage.REGISTERED,
    Status.ASSIGNED: MatterStage.TRANSFERRED,
    Status.RETURNED: MatterStage.TRANSFERRED,
    Status.ACCEPTED: MatterStage.ACCEPTED,
    Status.RESOLVED: MatterStage.ANSWERED,
    Status.CLOSED: MatterStage.CLOSED,
}


def _weighted(rng: Any, pairs: tuple[tuple[Any, int], ...]) -> Any:
    total = sum(w for _v, w in pairs)
    pick = rng.random() * total
    for value, weight in pairs:
        pick -= weight
        if pick < 0:
            return value
    return pairs[-1][0]


def _id_number(rng: Any, region_code: str) -> str:
    """A 公民身份号码 with its GB 11643 check character."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50))
    body = f"{region_code[:6]}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def bureaus(ctx: Context) -> list[tuple[int, int, int]]:
    """(信访局 id, its clerk's user id, the city's region id) per city, made once."""
    world = world_of(ctx)
    found: list[tuple[int, int, int]] = []
    password = make_password(BENCH_PASSWORD)
    for city in world.cities:
        region = Region.objects.get(pk=city.region_id)
        bureau = Organisation.objects.filter(region=region, kind="department", name__endswith="信访局").first()
        if bureau is None:
            bureau = organisation_create(code=f"{BENCH_USER_PREFIX}{city.code}-xfj", name=f"{region.name}信访局",
                                         kind="department", region=region,
                                         parent=Organisation.objects.get(pk=city.gov_id), actor=None)
        clerk = User.objects.filter(organisation=bureau, role=Role.PETITION, is_active=True).order_by("pk").first()
        if clerk is None:
            clerk = user_create(username=f"{BENCH_USER_PREFIX}{city.code}-xfj-petition-1", password=None,
                                role=Role.PETITION, organisation=bureau, full_name="信访登记员", actor=None,
                                must_change_password=False)
            User.objects.filter(pk=clerk.pk).update(password=password)
        found.append((bureau.pk, clerk.pk, city.region_id))
    return found


class PetitionStage(Stage):
    name = "petitions"
    tables = (Petition, Petitioner, PetitionEvent)

    def planned(self, ctx: Context) -> int:
        return PETITIONS.get(ctx.scale.name, 0) * 3

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:
        rng = ctx.rng(self.name)
        world = world_of(ctx)
        total = PETITIONS.get(ctx.scale.name, 0)
        if not total:
            return 0
        offices = bureaus(ctx)
        topics = list(Topic.objects.filter(is_active=True).values_list("pk", flat=True))
        region_codes = dict(Region.objects.values_list("pk", "code"))
        ring = load_ring()
        name_field, id_field = Petitioner._meta.get_field("name"), Petitioner._meta.get_field("id_number")
        phone_field, address_field = Petitioner._meta.get_field("phone"), Petitioner._meta.get_field("address")

        def seal(field: Any, plain: str) -> str:
            return ring.encrypt(plain, context=field.context) if plain else ""

        # The petition cases not yet behind a matter, oldest first: the handled matters.
        linked = set(Petition.objects.filter(case__isnull=False).values_list("case_id", flat=True))
        cases = [c for c in Case.objects.filter(kind="petition").order_by("created_at", "pk").values(
            "pk", "status", "lead_org_id", "region_id", "created_at", "assigned_at", "accepted_at", "resolved_at")
            if c["pk"] not in linked]
        now, span = ctx.now, dt.timedelta(days=ctx.scale.span_days)
        moments = sorted(now - span * rng.random() ** 1.3 for _ in range(max(0, total - len(cases))))
        plan: list[tuple[dt.datetime, dict[str, Any] | None]] = [(c["created_at"], c) for c in cases[:total]]
        plan += [(m, None) for m in moments]
        plan.sort(key=lambda item: item[0])

        petition_id, person_id = int(marks[Petition._meta.db_table]), int(marks[Petitioner._meta.db_table])
        counters: dict[int, int] = dict(NumberCounter.objects.filter(series="petition").values_list("year", "last"))
        petitions: list[dict[str, Any]] = []
        people: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        recent: list[tuple[int, int | None, str, int]] = []  # (id, handling org, stage, person's row index)
        progress = Progress("petitions", len(plan))
        for at, case in plan:
            office, clerk, city_region = offices[world.city_of_region.get(case["region_id"], 0) if case else
                                                 rng.randrange(len(offices))]
            city = world.cities[world.city_of_region.get(city_region, 0)]
            county = rng.choice(city.counties) if city.counties and rng.random() < 0.8 else None
            region = case["region_id"] if case else (county.region_id if county else city.region_id)
            local = at.astimezone(SHANGHAI)
            counters[local.year] = counters.get(local.year, 0) + 1
            kind = _weighted(rng, TYPES)
            row: dict[str, Any] = {
                "id": petition_id, "number": f"XF{local.year}-{counters[local.year]:06d}",
                "query_code_digest": querycode.digest(querycode.new_code()),
                "channel": _weighted(rng, CHANNELS), "petition_type": kind,
                "claim_route": ClaimRoute.PETITION if kind == PetitionType.CLAIM else "",
                "received_on": (local - DAY * rng.randrange(3)).date(), "registered_at": at,
                "registered_by_id": clerk, "registering_org_id": office, "region_id": region,
                "topic_id": rng.choice(topics), "title": rng.choice(TITLES), "request": rng.choice(REQUESTS),
                "facts": "", "respondent_person": "", "is_group": False, "head_count": 1, "is_urgent": rng.random() < 0.02,
                "after_final": False, "transfer_mode": "", "transfer_due_at": None, "stage": MatterStage.REGISTERED,
                "end_reason": "", "outcome": "", "risk_level": "", "rating_handling": "", "rating_result": "",
                "rating_comment": "", "created_at": at, "updated_at": at, "version": 1,
            }
            organ = None
            if kind == PetitionType.ACCUSATION and city.units:
                row["respondent_org_id"] = rng.choice(city.units)
            if case is not None:
                organ = case["lead_org_id"]
                row.update(case_id=case["pk"], handling_org_id=organ, stage=STAGE_OF.get(case["status"],
                           MatterStage.NOT_ACCEPTED), transferred_at=case["assigned_at"],
                           transfer_mode="assign" if rng.random() < 0.3 else "forward",
                           accepted_at=case["accepted_at"], answered_at=case["resolved_at"])
                if kind == PetitionType.ACCUSATION and row.get("respondent_org_id") == organ:
                    row["respondent_org_id"] = None
                if row["stage"] == MatterStage.REGISTERED:
                    row["transfer_due_at"] = at + DAY * TRANSFER_DAYS
                if row["stage"] == MatterStage.NOT_ACCEPTED:
                    row.update(case_id=None, ended_at=case["resolved_at"] or at, end_reason="已撤回或并入其他事项。")
                if case["resolved_at"] and rng.random() < 0.6:
                    rating = rng.choice(("satisfied", "satisfied", "basically", "dissatisfied"))
                    row.update(rating_handling=rating, rating_result=rating,
                               rated_at=case["resolved_at"] + DAY * rng.uniform(1, 20))
                    if row["rated_at"] > now:
                        row.update(rating_handling="", rating_result="", rated_at=None)
            elif now - at < DAY * TRANSFER_DAYS or rng.random() < 0.01:
                row["transfer_due_at"] = at + DAY * TRANSFER_DAYS  # waiting (a few past the limit)
            elif kind == PetitionType.CLAIM and rng.random() < 0.4:
                row.update(stage=MatterStage.NOT_ACCEPTED, claim_route=rng.choice(NOT_ACCEPTED_ROUTES),
                           ended_at=at + DAY * rng.randrange(1, TRANSFER_DAYS), end_reason="属于法定途径办理事项。")
            else:
                organ = rng.choice(city.units) if city.units else None
                row.update(stage=MatterStage.CLOSED, handling_org_id=organ, transfer_mode="forward",
                           transferred_at=at + DAY * rng.randrange(1, TRANSFER_DAYS),
                           ended_at=at + DAY * rng.randrange(20, 70))
            # 溯源: a share repeats an earlier matter of the same person.
            person = len(people)
            if recent and rng.random() < REPEAT_SHARE:
                earlier_id, _organ, earlier_stage, person = recent[rng.randrange(len(recent))]
                row["earlier_id"] = earlier_id
                if earlier_stage in (MatterStage.TRANSFERRED, MatterStage.ACCEPTED) and case is None:
                    row.update(duplicate_of_id=earlier_id, stage=MatterStage.NOT_ACCEPTED, transfer_due_at=None,
                               ended_at=at, end_reason="重复信访：原信访事项仍在办理期限内。", handling_org_id=None)
                source = people[person]
                people.append({**source, "id": person_id, "petition_id": petition_id})
            else:
                name = f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.randint(1, 99)}"
                id_number = _id_number(rng, region_codes.get(region, "430400"))
                phone = f"138{rng.randrange(10**8):08d}"
                people.append({
                    "id": person_id, "petition_id": petition_id, "name": seal(name_field, name),
                    "id_number": seal(id_field, id_number), "id_digest": digest_of(id_field, id_number),
                    "phone": seal(phone_field, phone), "phone_digest": digest_of(phone_field, phone),
                    "address": seal(address_field, "衡阳市某区某路1号"), "is_representative": False, "order": 0,
                })
            recent.append((petition_id, organ, row["stage"], person))
            if len(recent) > 2_000:
                recent.pop(0)
            petitions.append(row)
            events.append({"petition_id": petition_id, "at": at, "action": "register", "actor_id": clerk,
                           "actor_org_id": office, "note": "", "public": True, "data": {"channel": row["channel"]}})
            petition_id += 1
            person_id += 1
            progress.advance(1)
        progress.finish()
        bulk = ctx.bulk
        written = bulk.insert_model(Petition, petitions)
        written += bulk.insert_model(Petitioner, people)
        written += bulk.insert_model(PetitionEvent, events)
        for year, last in counters.items():
            NumberCounter.objects.update_or_create(series="petition", year=year, defaults={"last": last})
        return written
