"""Enterprises with their account organisation, chains and (for a share of them) a login.

Credit codes are valid GB 32100-2015 codes built from a serial number ("91" + the county's
code + "MC" + the serial in the code alphabet + the check character), so they never
collide with the demo's ("MA4…") or the import file's ("MD…")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.hashers import make_password

from yancheng.core.demo import CHAINS, GIVEN, INDUSTRY_WORDS, NAME_HEADS, NAME_TAILS, SURNAMES
from yancheng.core.models import Enterprise, IndustryChain, Organisation, Region, Role, User
from yancheng.lib.uscc import ALPHABET, complete

from ..bulk import Chunk, Progress, Rows
from ..env import BENCH_PASSWORD
from .base import Context, Stage
from .world import world_of

EnterpriseChain = Enterprise.chains.through


def serial_code(serial: int, width: int = 7) -> str:
    digits = []
    for _ in range(width):
        serial, rest = divmod(serial, len(ALPHABET))
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits))


def uscc_for(region_code: str, serial: int, marker: str = "MC") -> str:
    return complete(f"91{region_code}{marker}{serial_code(serial)}")


CHUNK = 10_000  # enterprises a chunk


class EnterpriseStage(Stage):
    name = "enterprises"
    tables = (Organisation, Enterprise, EnterpriseChain, User)
    set_aside = True
    resumes = True

    def planned(self, ctx: Context) -> int:
        scale = ctx.scale
        return int(scale.enterprises * (3.5 + scale.enterprise_user_share))

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:
        scale = ctx.scale
        self.ctx, self.world = ctx, world_of(ctx)
        self.regions = {r["id"]: r for r in Region.objects.values("id", "code", "name")}
        self.park_paths = dict(Organisation.objects.filter(kind="park").values_list("id", "path"))
        self.chains = {c.code: c.pk for c in IndustryChain.objects.all()}
        self.chain_codes = [code for code, _name in CHAINS if code in self.chains]
        self.password = make_password(BENCH_PASSWORD)
        if "total" not in marks:
            marks["total"] = max(scale.enterprises - Enterprise.objects.count(), 0)
        self.total = int(marks["total"])
        self.first_org = int(marks[Organisation._meta.db_table])
        self.first_enterprise = int(marks[Enterprise._meta.db_table])
        chunks = (self.total + CHUNK - 1) // CHUNK
        done = int(marks.get("chunks_done", 0))
        progress = Progress("enterprises", self.total)
        written = ctx.bulk.run_chunks(self.make_chunk, range(done, chunks), progress=progress,
                                      after=ctx.progress_mark(self.name, marks))
        progress.finish()
        return written

    def make_chunk(self, k: int) -> Chunk:
        ctx, world, regions, chains, chain_codes = self.ctx, self.world, self.regions, self.chains, self.chain_codes
        scale = ctx.scale
        rng = ctx.chunk_rng(self.name, k)
        vendor = ctx.bulk.vendor
        start = dt.timedelta(days=scale.span_days * 2)
        orgs, enterprises = Rows.of_model(Organisation, vendor), Rows.of_model(Enterprise, vendor)
        links, users = Rows.of_model(EnterpriseChain, vendor, pk=False), Rows.of_model(User, vendor, pk=False)
        first, last = k * CHUNK, min((k + 1) * CHUNK, self.total)
        for serial in range(first, last):
            org_id, ent_id = self.first_org + serial, self.first_enterprise + serial
            city = world.cities[serial % len(world.cities)]
            county = city.counties[rng.randrange(len(city.counties))]
            region = regions[county.region_id]
            park = county.parks[rng.randrange(len(county.parks))] if county.parks and rng.random() < 0.6 else None
            chain = chain_codes[rng.randrange(len(chain_codes))]
            name = (f"{region['name'][:2]}{rng.choice(NAME_HEADS)}{rng.choice(NAME_TAILS)}"
                    f"{INDUSTRY_WORDS[chain]}有限公司")
            code = uscc_for(region["code"], serial)
            created = ctx.now - start * rng.random()
            path = (self.park_paths[park] if park else "/") + f"{org_id}/"
            orgs.add_dict({"id": org_id, "code": f"ent-{code.lower()}", "name": name, "short_name": "",
                           "kind": Organisation.Kind.ENTERPRISE, "region_id": county.region_id, "parent_id": park,
                           "path": path, "is_active": True, "version": 1})
            tier = rng.choices(["", "innovative", "srdi", "little_giant"], weights=[12, 4, 2, 1])[0]
            enterprises.add_dict({
                "id": ent_id, "uscc": code, "name": name, "region_id": county.region_id, "park_id": park,
                "organisation_id": org_id, "legal_representative": f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}",
                "address": f"{region['name']}示例路{rng.randint(1, 999)}号{serial}", "is_above_scale_industry":
                rng.random() < 0.45, "is_above_quota_trade": rng.random() < 0.1, "is_qualified_construction":
                rng.random() < 0.05, "is_above_scale_service": rng.random() < 0.1, "srdi_tier": tier,
                "srdi_valid_until": (ctx.today + dt.timedelta(days=rng.randint(30, 1000))) if tier else None,
                "grade": rng.choices("ABCD", weights=[2, 5, 2, 1])[0], "is_active": rng.random() > 0.02,
                "created_at": created, "updated_at": created, "version": 1,
            })
            links.add_dict({"enterprise_id": ent_id, "industrychain_id": chains[chain]})
            if rng.random() < 0.15:
                other = chain_codes[rng.randrange(len(chain_codes))]
                if other != chain:
                    links.add_dict({"enterprise_id": ent_id, "industrychain_id": chains[other]})
            if rng.random() < scale.enterprise_user_share:
                users.add_dict({
                    "username": f"e{code.lower()}", "password": self.password, "role": Role.ENTERPRISE,
                    "organisation_id": org_id, "full_name": f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}（企业）",
                    "phone": f"1380000{serial % 10000:04d}", "email": "", "first_name": "", "last_name": "",
                    "is_staff": False, "is_superuser": False, "is_active": True, "date_joined": created,
                    "password_changed_at": ctx.now, "must_change_password": False, "last_login": None,
                    "enforcement_certificate_no": "",
                })
        return Chunk(units=last - first, parts=[orgs.part(), enterprises.part(), links.part(), users.part()])
