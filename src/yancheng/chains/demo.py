"""The chains demo (issue 15, "The demo"), run by ``yancheng demo`` after the safety demo
(INSTALLED_APPS order), on the demo city with its enterprises, projects and cases:

1. the registry (``demo_registry``): the 14 chains' profiles, maps (the two largest with 20
   nodes, 15 on the current map), development paths and placements, the 链长 logins;
2. the 发展目标清单 (``demo_targets``): two years of targets with monthly actuals, some
   chains behind plan (yellow, red), one with its last month missing;
3. the 招商 list (``demo_leads``): leads in every stage on the gap nodes, some stale, one
   signed lead converted into a project;
4. the research list (``demo_research``): results with their matches and 对接;
5. the 重点问题清单: a chain-level problem raised by 链办 and assigned (the cases of the chains'
   enterprises and projects show up by themselves);
6. one closed 链长 meeting of 有色金属: its agenda built from the chain's red items, its
   decision an assigned case.

Every write goes through the services; each part runs once (loading twice adds nothing)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yancheng.cases.models import Case, CaseKind
from yancheng.core.demo import DEMO_PASSWORD, add_demo_note
from yancheng.core.models import IndustryChain, Organisation, Role, User
from yancheng.core.services import user_create

from .demo_leads import load_leads_demo
from .demo_registry import load_registry_demo
from .demo_research import load_research_demo
from .demo_targets import load_targets_demo
from .models import ChainAgendaItem, ChainMeeting
from .services.meetings import agenda_build, decision_add, meeting_close, meeting_create, meeting_minutes
from .services.problems import problem_raise

MEETING_CHAIN = "nonferrous"
# The department login that owns 商务局's leads (a backing unit of every chain).
DEPARTMENT_LOGIN = ("zhaoshang", "hy-swj", "钱演示（商务局招商科）")
# username, what the note calls it
SHOWN = [("lianban", "链办"), ("lianzhang", "链长"), ("zhaoshang", "后盾单位")]
PROBLEMS = [
    ("nonferrous", "铅锌冶炼企业大工业用电成本偏高", "水口山片区冶炼企业反映峰谷电价调整后用电成本上升约 8%，"
     "请发改委会同供电公司研究降本措施。", "hy-fgw", 10),
    ("power-transmission", "特高压变压器配套绝缘件本地配套率低", "本地企业绝缘件产能不足，链主企业外购比例超过 70%，"
     "请工信局牵头组织本地配套对接。", "hy-gxj", 20),
]


def _department_login() -> None:
    username, code, full_name = DEPARTMENT_LOGIN
    org = Organisation.objects.filter(code=code).first()
    if org is not None and not User.objects.filter(username=username).exists():
        user_create(username=username, password=DEMO_PASSWORD, role=Role.HANDLER, organisation=org,
                    full_name=full_name, must_change_password=False, actor=None)


def _problems() -> None:
    """链级问题 raised by the city's 链办 and assigned (once)."""
    clerk = User.objects.filter(username="lianban", is_active=True).first()
    if clerk is None or Case.objects.filter(kind=CaseKind.CHAIN_PROBLEM).exists():
        return
    chains = {c.code: c for c in IndustryChain.objects.all()}
    for code, title, description, org_code, days in PROBLEMS:
        org = Organisation.objects.filter(code=org_code).first()
        if code in chains and org is not None:
            problem_raise(chains[code], actor=clerk, title=title, description=description, lead_org=org,
                          solve_days=days)


def _meeting(today: dt.date) -> None:
    """有色金属's 链长 meeting a week ago: the agenda from its red items, a decision on the first
    item, minutes, closed — the decision is now a case assigned to its unit (once)."""
    chain = IndustryChain.objects.filter(code=MEETING_CHAIN).first()
    chair = User.objects.filter(username="lianzhang", is_active=True).first()
    unit = Organisation.objects.filter(code="hy-swj").first()
    if chain is None or chair is None or unit is None or ChainMeeting.objects.filter(chain=chain).exists():
        return
    held_on = today - dt.timedelta(days=7)
    meeting = meeting_create(chain, actor=chair, title=f"{chain.name}产业链链长办公会（{held_on:%Y年%m月}）",
                             held_on=held_on)
    agenda = agenda_build(meeting, actor=chair)
    Source = ChainAgendaItem.Source
    first = next((i for i in agenda if i.source == Source.NODE), agenda[0] if agenda else None)
    subject = first.title.split("：", 1)[-1] if first is not None else chain.name
    decision_add(meeting, actor=chair, agenda_item=first, lead_org=unit, due_working_days=20,
                 text=f"由市商务局牵头，围绕“{subject}”环节开展专题招商，一个月内提出目标企业名单并组织赴外对接。")
    meeting_minutes(meeting, actor=chair, minutes=(
        f"{held_on:%Y年%m月%d日}，链长主持召开{chain.name}产业链链长办公会，听取链办关于目标完成、招商线索和"
        "重点问题的汇报，研究补链强链工作，议定事项由链办交办并跟踪督办。"))
    meeting_close(meeting, actor=chair)


def load_chains_demo() -> None:
    """Load the chains demo onto the demo city (each part once)."""
    if not Organisation.objects.filter(code="hy-cylb").exists():
        return  # no demo city to build on
    today = timezone.localdate()
    load_registry_demo(DEMO_PASSWORD)
    with transaction.atomic():
        _department_login()
    load_targets_demo(today)
    load_leads_demo()
    load_research_demo()
    with transaction.atomic():
        _problems()
        _meeting(today)
    for username, label in SHOWN:
        user = User.objects.filter(username=username).select_related("organisation").first()
        if user is not None and user.organisation is not None:
            add_demo_note(f"产业链演示账号：{username:<14} {label:<8} {user.organisation.name}  {DEMO_PASSWORD}")
