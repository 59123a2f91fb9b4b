"""A year of 信访 for the Hengyang demo (SPEC §8; issue 13 "The demo").

Every channel, type and stage; every clock state (waiting to be transferred, late, waiting
for the acceptance notice, handled on time and late, paused for a hearing, extended);
objections, 复查 and 复核 through to 终结, a filing after 终结, repeat filings, group
visits, an urgent matter reported to the leaders, 包案, reception days, follow-up visits
and ratings. Every step goes through the services; ``demo_time.move_back`` makes the
history (see there). The matters are about invented people (names from fixed lists,
phones 1380000xxxx, ID numbers made by the GB 11643 rule).

Idempotent: the first matter's title is the marker. A 查询码 exists only when it is made,
so each run gives the showcase matter a fresh one (``querycode`` reissue, audited) and
prints it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from yancheng.core.demo import DEMO_PASSWORD, GIVEN, SURNAMES, add_demo_note
from yancheng.core.models import Organisation, Region, Role, User
from yancheng.core.services import organisation_create, user_create
from yancheng.lib import idcard

from . import documents, handling, intake, leaders, public, querycode, reviews, stabilise
from .demo_time import move_back
from .models import DocumentKind, LeaderReception, Petition, PetitionDocument, Stage, Topic

SEED = 20220501  # the 条例 took effect on 1 May 2022
SHOWCASE = "小区电梯停运一年多无人维修"

ORGS = [
    # code, name, short name, kind, parent code, region code
    ("hy-jw", "中共衡阳市纪律检查委员会", "衡纪", "department", None, "430400"),
    ("qd-xfj", "祁东县信访局", "祁信", "department", "qd-gov", "430426"),
    ("qd-rsj", "祁东县人力资源和社会保障局", "祁人社", "department", "qd-gov", "430426"),
]
SHORT_NAMES = {"hy-xfj": "衡信", "hy-zjj": "衡住建", "hy-rsj": "衡人社", "hy-zrzyj": "衡自然资源", "hy-sthjj": "衡环",
               "qd-gov": "祁政", "hy-gov": "衡政"}
LOGINS = [
    # username, role, organisation code, full name
    ("xfzhujian", Role.HANDLER, "hy-zjj", "孙演示（住建局信访承办）"),
    ("xfjuzhang", Role.LEADER, "hy-zjj", "钱演示（住建局局长）"),
    ("xfrenshe", Role.HANDLER, "hy-rsj", "周演示（人社局信访承办）"),
    ("xfjiwei", Role.HANDLER, "hy-jw", "吴演示（市纪委信访室）"),
    ("xfqidong", Role.PETITION, "qd-xfj", "郑演示（祁东县信访局）"),
    ("xfqdrenshe", Role.HANDLER, "qd-rsj", "冯演示（祁东县人社局）"),
    ("xfqdzhengfu", Role.HANDLER, "qd-gov", "陈演示（祁东县政府，复查）"),
    ("xfshizhengfu", Role.HANDLER, "hy-gov", "褚演示（市政府，复核）"),
]


@dataclass(frozen=True)
class Matter:
    """One demo matter: what it is about and how far it went."""

    title: str
    topic: str
    request: str
    organ: str  # who handles it
    kind: str = "claim"  # suggestion / accusation / claim
    route: str = "petition"
    channel: str = "letter"
    county: bool = False  # registered by 祁东县信访局, about 祁东
    respondent: str = ""
    story: str = "answered"  # how far it goes (see Story.run)
    age: int = 120  # days since registration
    group: int = 0  # head count of a group visit
    urgent: bool = False


MATTERS: list[Matter] = [
    Matter(SHOWCASE, "urban_construction", "请求督促物业公司修复电梯并公开维修资金使用情况。", "hy-zjj",
           story="answered_served", age=75),
    Matter("拖欠农民工工资三个月", "labour_social_security", "请求责令施工单位支付拖欠的工资。", "hy-rsj",
           channel="visit", group=12, story="answered_served", age=70),
    Matter("建议延长夜间公交运营时间", "transport", "建议市区主要线路末班车延长至23时。", "hy-zjj", kind="suggestion",
           route="", channel="online", story="answered", age=150),
    Matter("举报执法人员收受好处费", "discipline", "请求查处某执法人员收受好处费的问题。", "hy-jw", kind="accusation",
           route="", channel="letter", respondent="hy-zjj", story="answered", age=60),
    Matter("举报违规审批建设项目", "discipline", "请求调查违规审批问题。", "hy-jw", kind="accusation", route="",
           channel="online", respondent="hy-zrzyj", story="accepted", age=20),
    Matter("工伤认定结论不服", "labour_social_security", "对工伤认定结论不服。", "hy-rsj", route="administrative",
           story="not_accepted", age=40),
    Matter("劳动合同纠纷", "labour_social_security", "请求解除劳动合同并支付经济补偿。", "hy-rsj", route="arbitration",
           channel="phone", story="not_accepted", age=33),
    Matter("小区周边工地夜间施工噪声扰民", "environment", "请求制止夜间施工。", "hy-sthjj", channel="hotline",
           story="registered", age=3),
    Matter("安置房延期交付", "urban_construction", "请求明确交房时间并按合同赔偿。", "hy-zjj", channel="visit", group=30,
           story="registered_late", age=19, urgent=True),
    Matter("老旧小区改造质量问题", "urban_construction", "请求返工处理渗漏问题。", "hy-zjj", story="transferred", age=6),
    Matter("社保缴费年限认定", "labour_social_security", "请求核实并补记缴费年限。", "hy-rsj", story="transferred_late",
           age=18),
    Matter("物业费收费标准过高", "urban_construction", "请求核查物业收费标准。", "hy-zjj", story="accepted", age=30),
    Matter("宅基地确权争议", "land_resources", "请求重新确权。", "hy-zrzyj", channel="visit", story="accepted_yellow",
           age=52),
    Matter("企业排污影响饮水", "environment", "请求查处排污企业。", "hy-sthjj", story="accepted_late", age=80,
           urgent=True),
    Matter("拆迁补偿标准争议", "land_resources", "请求按新标准补偿。", "hy-zrzyj", story="hearing", age=45),
    Matter("公租房配租资格复核", "urban_construction", "请求重新审核配租资格。", "hy-zjj", story="extended", age=70),
    Matter("养老保险待遇核定有误", "labour_social_security", "请求重新核定养老金。", "qd-rsj", county=True,
           story="final", age=300),
    Matter("失业保险金未按时发放", "labour_social_security", "请求补发失业保险金。", "qd-rsj", county=True,
           story="reviewed", age=100),
    Matter("企业职工退休年龄认定", "labour_social_security", "请求按特殊工种提前退休。", "qd-rsj", county=True,
           story="reviewing", age=95),
    Matter("物业维修资金挪用", "urban_construction", "请求追回被挪用的维修资金。", "hy-zjj", story="objection", age=4),
    Matter("建议增设社区养老服务点", "civil_affairs", "建议在老城区增设养老服务点。", "hy-rsj", kind="suggestion", route="",
           channel="leader_day", story="answered", age=200),
    Matter("道路积水影响出行", "urban_construction", "请求改造排水管网。", "hy-zjj", channel="hotline", story="closed",
           age=240),
]


@dataclass
class People:
    rng: random.Random

    def person(self, index: int) -> intake.PetitionerInput:
        name = SURNAMES[index % len(SURNAMES)] + GIVEN[index % len(GIVEN)] + "甲乙丙丁"[index % 4]
        region = "430426" if index % 3 == 0 else "430407"
        born = dt.date(1950 + index % 50, 1 + index % 12, 1 + index % 28)
        body = f"{region}{born:%Y%m%d}{100 + index:03d}"[:17]
        number = body + idcard.check_character(body)
        return intake.PetitionerInput(name=name, id_number=number, phone=f"1380000{index:04d}",
                                      address=f"衡阳市示例路{index + 1}号", is_representative=True)


def _org(code: str, name: str, short: str, kind: str, parent: Organisation | None, region: Region) -> Organisation:
    found = Organisation.objects.filter(code=code).first()
    if found is None:
        found = organisation_create(code=code, name=name, kind=kind, region=region, parent=parent, actor=None)
    if short and not found.short_name:
        Organisation.objects.filter(pk=found.pk).update(short_name=short)
        found.short_name = short
    return found


class Story:
    """Runs one matter through the services, step by step, moving it back between steps."""

    def __init__(self, orgs: dict[str, Organisation], users: dict[str, User]) -> None:
        self.orgs = orgs
        self.users = users

    def _clerk(self, m: Matter) -> User:
        return self.users["xfqidong" if m.county else "xinfang"]

    def _handler(self, m: Matter) -> User:
        return {"hy-zjj": self.users["xfzhujian"], "hy-rsj": self.users["xfrenshe"], "hy-jw": self.users["xfjiwei"],
                "qd-rsj": self.users["xfqdrenshe"]}.get(m.organ) or self._any_handler(m.organ)

    def _any_handler(self, code: str) -> User:
        org = self.orgs[code]
        user = User.objects.filter(organisation=org, role=Role.HANDLER, is_active=True).order_by("pk").first()
        if user is None:
            user = user_create(username=f"xf-{code}", password=DEMO_PASSWORD, role=Role.HANDLER, organisation=org,
                               full_name=f"{org.short_name or org.name}信访承办", must_change_password=False,
                               actor=None)
        return user

    def _fresh(self, p: Petition) -> Petition:
        return Petition.objects.select_related("case").get(pk=p.pk)

    def _serve_last(self, p: Petition, kind: str | None = None) -> None:
        qs = PetitionDocument.objects.filter(petition=p, served_at__isnull=True).order_by("-pk")
        if kind:
            qs = qs.filter(kind=kind)
        doc = qs.first()
        if doc is not None:
            documents.document_serve(doc, actor=self._clerk_for(p), served_on=timezone.localdate(), how="post")

    def _clerk_for(self, p: Petition) -> User:
        return self.users["xfqidong"] if p.registering_org.code == "qd-xfj" else self.users["xinfang"]

    def run(self, m: Matter, index: int, people: People) -> Petition:
        """Register, then walk the matter as far as its story says; ``gaps`` are days between steps."""
        clerk = self._clerk(m)
        region = self.orgs["qd-gov"].region if m.county else Region.objects.get(code=["430407", "430405", "430408",
                                                                                      "430406"][index % 4])
        petitioners = [people.person(index * 7 + i) for i in range(min(max(m.group, 1), 3))]
        registered = intake.petition_register(
            actor=clerk, channel=m.channel, received_on=timezone.localdate(), region=region,
            topic=Topic.objects.get(code=m.topic), title=m.title, request=m.request,
            facts="信访人反映的情况详见来信（来访）记录。", petitioners=petitioners,
            respondent_org=self.orgs[m.respondent] if m.respondent else None,
            respondent_person="某科室负责人" if m.kind == "accusation" else "",
            is_group=m.group > 1, head_count=m.group or None, is_urgent=m.urgent,
            petition_type=m.kind, claim_route=m.route if m.kind == "claim" else "",
        )
        p = registered.petition
        remaining = m.age
        steps = self._steps(m)
        for gap, step in steps:
            gap = min(gap, max(remaining - 1, 0))
            move_back(p, gap)
            remaining -= gap
            p = self._fresh(p)
            step(p)
        move_back(p, max(remaining, 0))
        if m.title == SHOWCASE:
            self.showcase_code = registered.query_code
        return self._fresh(p)

    def _steps(self, m: Matter) -> list[tuple[int, Callable[[Petition], Any]]]:
        clerk, organ = self._clerk(m), self.orgs[m.organ]
        handler = self._handler(m)
        transfer: tuple[int, Callable[[Petition], Any]] = (
            3, lambda p: handling.petition_transfer(p, actor=clerk, organ=organ,
                                                    mode="assign" if m.group else "forward"))

        def accept_and_notify(p: Petition) -> None:
            handling.petition_accept(p, actor=handler)
            self._serve_last(p, DocumentKind.ACCEPTANCE)

        accept: tuple[int, Callable[[Petition], Any]] = (5, accept_and_notify)

        def answer(p: Petition) -> None:
            outcome = "explain" if m.kind != "claim" else ("support" if len(m.title) % 2 else "reject")
            handling.petition_answer(
                p, actor=handler, outcome=outcome, facts="经调查核实，信访人反映的情况基本属实。",
                reasons="依照有关规定，结合调查情况作出处理。", legal_basis="《信访工作条例》第三十二条及相关法律法规。",
                result_text="已督促有关单位整改，并向信访人答复。",
            )
            self._serve_last(p)

        answered = (40, answer)
        story = m.story
        if story == "registered" or story == "registered_late":
            return []
        if story == "not_accepted":
            return [(2, lambda p: intake.petition_not_accept(
                p, actor=clerk, reason="该事项应通过法定途径解决。", channel_text=intake.channel_text_for(m.route)))]
        if story in ("transferred", "transferred_late"):
            return [transfer]
        if story == "objection":
            return [transfer, (1, lambda p: handling.petition_object(
                p, actor=handler, reason="该事项属于区住建部门职责，建议改送。"))]
        steps = [transfer, accept]
        if story in ("accepted", "accepted_yellow", "accepted_late"):
            return steps
        if story == "hearing":
            return [*steps, (20, lambda p: handling.petition_hearing_start(p, actor=handler, reason="组织听证"))]
        if story == "extended":
            head = self.users["xfjuzhang"]

            def approve(p: Petition) -> None:
                handling.petition_decide_extension(p, actor=head, approve=True, note="同意延期")
                self._serve_last(p, DocumentKind.EXTENSION)

            return [*steps,
                    (45, lambda p: handling.petition_request_extension(p, actor=handler, days=30,
                                                                       reason="涉及多个部门，需进一步调查核实。")),
                    (2, approve)]
        steps.append(answered)
        if story in ("answered", "answered_served"):
            return steps
        if story == "closed":
            return [*steps, (35, lambda p: reviews.petition_close_expired())]
        # 复查 by the county government, 复核 by the city government: 终结.
        review_organ, recheck_organ = self.orgs["qd-gov"], self.orgs["hy-gov"]

        def ask(level: str, organ: Organisation) -> Callable[[Petition], Any]:
            return lambda p: reviews.review_request(p, actor=clerk, level=level, requested_on=timezone.localdate(),
                                                    request="对处理意见不服，请求复查（复核）。", organ=organ)

        def decide(user: str) -> Callable[[Petition], Any]:
            def run(p: Petition) -> None:
                review = p.reviews.filter(decided_at__isnull=True).get()
                reviews.review_decide(review, actor=self.users[user], outcome="reject",
                                      facts="经复查（复核），原处理意见认定事实清楚。", reasons="原处理意见适用依据正确。",
                                      legal_basis="《信访工作条例》第三十五条、第三十六条。")
                self._serve_last(p)
            return run

        steps += [(20, ask("review", review_organ))]
        if story == "reviewing":
            return steps
        steps += [(25, decide("xfqdzhengfu"))]
        if story == "reviewed":
            return steps
        return [*steps, (15, ask("recheck", recheck_organ)), (25, decide("xfshizhengfu"))]


def load_petition_demo() -> None:
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data
    with transaction.atomic():
        for code, short in SHORT_NAMES.items():
            Organisation.objects.filter(code=code, short_name="").update(short_name=short)
        orgs = {o.code: o for o in Organisation.objects.filter(code__in=[
            "hy-gov", "hy-xfj", "hy-zjj", "hy-rsj", "hy-zrzyj", "hy-sthjj", "qd-gov"])}
        for code, name, short, kind, parent, region in ORGS:
            orgs[code] = _org(code, name, short, kind, orgs.get(parent or ""), Region.objects.get(code=region))
        users = {u.username: u for u in User.objects.filter(username__in=["xinfang", *[x[0] for x in LOGINS]])}
        for username, role, code, full_name in LOGINS:
            if username not in users:
                users[username] = user_create(username=username, password=DEMO_PASSWORD, role=role,
                                              organisation=orgs[code], full_name=full_name,
                                              must_change_password=False, actor=None)
    for username, role, code, _name in LOGINS:
        add_demo_note(f"信访演示账号：{username:<14} {Role(role).label:<8} {orgs[code].name}  {DEMO_PASSWORD}")
    showcase = Petition.objects.filter(title=SHOWCASE).first()
    if showcase is None:
        story = Story(orgs, users)
        people = People(rng)
        for index, matter in enumerate(MATTERS):
            with transaction.atomic():
                story.run(matter, index, people)
        with transaction.atomic():
            _reception_days(orgs, users)
            _aftercare(users)
        code = story.showcase_code
    else:
        code = querycode_reissue(showcase)
    add_demo_note(f"信访查询码（公开查询页 /petitions/query/，不用登录）：{querycode.display(code)}")


def querycode_reissue(petition: Petition) -> str:
    """A fresh 查询码 for the showcase matter (the old one stops working)."""
    return intake.petition_reissue_query_code(petition, actor=None)


def _reception_days(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    leader = User.objects.filter(username="lingdao").first()
    if leader is None:
        return
    today = timezone.localdate()
    for offset in (-30, -2, 12):
        reception = leaders.reception_schedule(actor=users["xinfang"], leader=leader,
                                               day=today + dt.timedelta(days=max(offset, 0)),
                                               place="衡阳市人民来访接待中心", topics="住房、社保、拆迁")
        if offset < 0:  # a past day: scheduled then, held, its notes recorded (moved back, demo only)
            LeaderReception.objects.filter(pk=reception.pk).update(day=today + dt.timedelta(days=offset))
            reception.refresh_from_db()
            leaders.reception_record(reception, actor=users["xinfang"], notes="接待来访群众，现场交办事项。")


def _aftercare(users: dict[str, User]) -> None:
    today = timezone.localdate()
    for p in Petition.objects.filter(stage__in=[Stage.FINAL, Stage.ANSWERED]).order_by("pk")[:4]:
        clerk = users["xfqidong"] if p.registering_org.code == "qd-xfj" else users["xinfang"]
        stabilise.petition_set_risk(p, actor=clerk, level="medium" if p.stage == Stage.ANSWERED else "high",
                                    note="信访人情绪不稳定，需持续关注。")
        p.refresh_from_db()
        stabilise.follow_up_plan(p, actor=clerk, kind="visit", org=p.registering_org,
                                 due_on=today + dt.timedelta(days=3), plan="上门回访，了解诉求落实情况。")
        p.refresh_from_db()
        stabilise.follow_up_plan(p, actor=clerk, kind="assist", org=p.registering_org, due_on=today,
                                 plan="协调民政部门落实临时救助。")
    rated = Petition.objects.filter(stage=Stage.ANSWERED, answered_at__isnull=False).order_by("pk").first()
    if rated is not None:
        public.petition_rate(rated, handling="satisfied", result="basically", comment="办理及时。")
    city_leader = User.objects.filter(username="lingdao").first()
    urgent = Petition.objects.filter(is_urgent=True).order_by("pk").first()
    if city_leader is not None and urgent is not None:
        leaders.petition_take_personally(urgent, actor=city_leader, note="本人包案，限期化解。")
