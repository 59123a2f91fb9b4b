"""Cases with their whole history, as the services would have left them.

Each case is simulated from its submission on: triage and 交办 to a lead unit (with co-units
for a quarter of them), sometimes 退回 and 改派/维持, 签收 (now and then late), 延期 and
挂起 for a few, 办结 mostly in time but with a long tail of late and stuck cases, the
enterprise's 评价 (不满意 reopens it), 回访, 撤回 and 并单 — every step that lies before
the anchor moment becomes a CaseEvent, and the case row holds the state after the last one.
Deadlines are computed like ``cases.clocks.set_clocks`` (see ``yc_bench.clocks``), so the
lights come out green, yellow and red in SQL exactly as the product computes them.

The escalation ladder (催办 → 督办 → 通报) is applied up to the previous working day's
deadline batch, as if the worker had run until just before midnight: the first
``escalation_tick`` after the anchor has that night's batch to do, which is what
``bench/run`` measures.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from yancheng.cases.demo import PROBLEMS
from yancheng.cases.models import (
    Case,
    CaseCounter,
    CaseEvent,
    CaseKind,
    CaseTask,
    ExtensionRequest,
    SlaPolicy,
    Status,
    Urgency,
)
from yancheng.core.models import Enterprise, Role, User
from yancheng.core.notifications.models import Notification
from yancheng.projects.models import Project

from ..bulk import Chunk, Progress, Rows
from ..clocks import SHANGHAI, Clocks
from .base import Context, Stage
from .world import World, world_of

CHUNK = 5_000  # cases a chunk
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
HAZARDS = ("厂区消防通道被占用", "危化品仓库未按规定分区存放", "高处作业未设防护栏", "配电房存在漏水隐患",
           "有限空间作业未审批", "锅炉压力表超期未检")
PETITIONS = ("拖欠工程款请求协调", "征地补偿款未足额兑付", "厂区噪声扰民", "劳动报酬争议请求调处")
REQUESTS = ("申请技改补贴政策辅导", "请求协调银行续贷", "申请专精特新认定辅导", "请求解决员工子女入学")
RETURN_REASONS = ("该事项不属于本单位职责，建议交由属地政府协调。", "事项涉及多个部门，请明确主办单位。")
RATING_COMMENTS = ("办理及时，感谢！", "问题已解决。", "基本解决，后续还需跟进。", "处理结果不满意，问题仍未解决。")


@dataclass
class Sim:
    """One case being simulated: the row, and what happened to it."""

    row: dict[str, Any]
    events: list[tuple[Any, ...]] = field(default_factory=list)  # in EVENT_COLUMNS order
    tasks: list[dict[str, Any]] = field(default_factory=list)
    extensions: list[dict[str, Any]] = field(default_factory=list)

    def event(self, at: dt.datetime, action: str, *, actor: int | None, actor_org: int | None, to: str,
              note: str = "", internal: bool = False, data: dict[str, Any] | None = None) -> None:
        row = self.row
        self.events.append((row["id"], at, actor, actor_org, action, row["status"], to, note, internal, data or {}))
        row["status"] = to
        row["version"] += 1
        if at > row["updated_at"]:
            row["updated_at"] = at


NOTIFICATION_COLUMNS = ("recipient_id", "verb", "title", "body", "url", "object_type", "object_id", "created_at",
                        "read_at")
EVENT_COLUMNS = ("case_id", "at", "actor_id", "actor_org_id", "action", "from_status", "to_status", "note", "internal",
                 "data")


def _at(event: tuple[Any, ...]) -> dt.datetime:
    return event[1]  # type: ignore[no-any-return]


def _micros(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def _moment(micros: int) -> dt.datetime:
    return (EPOCH + dt.timedelta(microseconds=micros)).astimezone(SHANGHAI)


def last_batch_moment(now: dt.datetime, clocks: Clocks) -> dt.datetime:
    """The latest 00:00 (Asia/Shanghai) at or before ``now`` that ends a working day: the
    moment a day's deadlines fall due."""
    day = now.astimezone(SHANGHAI).date()
    for _ in range(30):
        if clocks.is_working_day(day - DAY):
            return dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)
        day -= DAY
    return dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)


class CaseStage(Stage):
    name = "cases"
    tables = (Case, CaseTask, ExtensionRequest, CaseEvent, Notification)
    set_aside = True
    resumes = True

    def planned(self, ctx: Context) -> int:
        return ctx.scale.cases * 7

    # --- inputs -------------------------------------------------------------------------------

    def _inputs(self, ctx: Context) -> dict[str, Any]:
        world = world_of(ctx)
        by_county: dict[int, list[tuple[int, int, int | None]]] = defaultdict(list)
        for pk, org_id, park_id, region_id in (
            Enterprise.objects.filter(is_active=True).values_list("id", "organisation_id", "park_id", "region_id")
            .order_by("id").iterator(chunk_size=20_000)
        ):
            by_county[region_id].append((pk, org_id, park_id))
        reporters = dict(
            User.objects.filter(role=Role.ENTERPRISE, is_active=True).values_list("organisation_id", "id")
            .order_by("id")
        )
        projects: dict[int, list[int]] = defaultdict(list)
        for pk, region_id in Project.objects.values_list("id", "region_id").order_by("id").iterator(chunk_size=20_000):
            projects[region_id].append(pk)
        policies = {(p.kind, p.urgency): p for p in SlaPolicy.objects.all()}
        return {"world": world, "enterprises": by_county, "reporters": reporters, "projects": projects,
                "policies": policies}

    # --- run ----------------------------------------------------------------------------------------

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:
        scale = ctx.scale
        rng = ctx.rng(self.name)
        clocks = Clocks()
        inputs = self._inputs(ctx)
        world: World = inputs["world"]
        if "total" not in marks:  # (a resumed run counts the cases it wrote itself as existing)
            marks["total"] = max(scale.cases - Case.objects.count(), 0)
            marks["notifications"] = max(scale.notifications - Notification.objects.count(), 0)
        total = int(marks["total"])
        self.notifications = int(marks["notifications"])
        now = ctx.now
        self.batch_moment = last_batch_moment(now, clocks)
        self.last_tick = self.batch_moment - dt.timedelta(microseconds=1)
        # Submission moments (microseconds since the epoch, sorted): a working day of the
        # span, in office hours (a few outside). Drawn here, so the numbering (WT<year>-n,
        # in time order) is known before the chunks are made.
        first_day = (now - dt.timedelta(days=scale.span_days)).astimezone(SHANGHAI).date()
        days = [first_day + dt.timedelta(days=k) for k in range((now.astimezone(SHANGHAI).date() - first_day).days + 1)]
        working = [d for d in days if clocks.is_working_day(d)] or days
        starts = [_micros(dt.datetime.combine(d, dt.time(0), tzinfo=SHANGHAI)) for d in working]
        latest = _micros(now - dt.timedelta(minutes=5))
        random_ = rng.random
        n_days = len(working)
        moments = []
        for _ in range(total):
            day = starts[int(random_() * n_days)]
            minute = 8 * 60 + 30 + int(random_() * 541) if random_() < 0.95 else int(random_() * 1440)
            moments.append(min(day + minute * 60_000_000 + int(random_() * 60_000_000), latest))
        moments.sort()
        # Numbers: per local year, after the counters the database holds.
        counters = dict(CaseCounter.objects.values_list("year", "last"))
        years = list(range(_moment(moments[0]).year, _moment(moments[-1]).year + 1)) if moments else []
        year_starts = [_micros(dt.datetime(y, 1, 1, tzinfo=SHANGHAI)) for y in years]
        first_index = [bisect.bisect_left(moments, b) for b in year_starts]
        self.numbering = (years, year_starts, first_index, [counters.get(y, 0) for y in years])
        self.ctx, self.clocks, self.inputs, self.world = ctx, clocks, inputs, world
        self._leads: dict[tuple[Any, ...], list[int]] = {}
        self.moments = moments
        self.first_case_id = int(marks[Case._meta.db_table])
        counties = [(index, county) for index, city in enumerate(world.cities) for county in city.counties
                    if inputs["enterprises"].get(county.region_id)]
        if not counties:
            raise SystemExit("no enterprises: run the enterprises stage first")
        cumulative = []
        running = 0
        for _i, county in counties:
            running += len(inputs["enterprises"][county.region_id])
            cumulative.append(running)
        self.counties, self.cumulative, self.running = counties, cumulative, running
        chunks = (total + CHUNK - 1) // CHUNK
        done = int(marks.get("chunks_done", 0))
        progress = Progress("cases", total)
        progress.skip(min(done * CHUNK, total))
        written = ctx.bulk.run_chunks(self.make_chunk, range(done, chunks), progress=progress,
                                      after=ctx.progress_mark(self.name, marks))
        progress.finish()
        for year, first, base, following in zip(years, first_index, self.numbering[3], [*first_index[1:], total],
                                                strict=True):
            if following > first:
                CaseCounter.objects.update_or_create(year=year, defaults={"last": base + following - first})
        return written

    def make_chunk(self, k: int) -> Chunk:
        """Cases k·CHUNK … (k+1)·CHUNK − 1 in time order, from the chunk's own stream."""
        vendor = self.ctx.bulk.vendor
        self.rng = rng = self.ctx.chunk_rng(self.name, k)
        cases, tasks = Rows.of_model(Case, vendor), Rows.of_model(CaseTask, vendor, pk=False)
        extensions = Rows.of_model(ExtensionRequest, vendor, pk=False)
        events = Rows(CaseEvent, EVENT_COLUMNS, vendor)
        add_event = events.add
        notifications = Rows(Notification, NOTIFICATION_COLUMNS, vendor)
        recent: dict[int, deque[tuple[int, dt.datetime]]] = defaultdict(lambda: deque(maxlen=20))
        years, year_starts, first_index, bases = self.numbering
        first, last = k * CHUNK, min((k + 1) * CHUNK, len(self.moments))
        for index in range(first, last):
            micros = self.moments[index]
            y = bisect.bisect_right(year_starts, micros) - 1
            number = f"WT{years[y]}-{bases[y] + index - first_index[y] + 1:06d}"
            city_index, county = self.counties[bisect.bisect_right(self.cumulative, rng.random() * self.running)]
            sim = self.simulate(self.first_case_id + index, number, _moment(micros), city_index, county, recent)
            cases.add_dict(sim.row)
            for task in sim.tasks:
                tasks.add_dict(task)
            for extension in sim.extensions:
                extensions.add_dict(extension)
            for event in sim.events:
                add_event(*event)
            # Its in-app notifications: the new case for the receiving unit's dispatchers,
            # the assignment for the lead unit's handlers; those older than three days
            # mostly read. How many a case gets is spread evenly over the cases (exact total).
            wanted, total = self.notifications, len(self.moments)
            count = (index + 1) * wanted // total - index * wanted // total
            if count:
                self.notify(sim.row, count, notifications)
        return Chunk(units=last - first, parts=[cases.part(), tasks.part(), extensions.part(), events.part(),
                                                notifications.part()])

    def notify(self, row: dict[str, Any], count: int, out: Rows) -> None:
        rng, world, now = self.rng, self.world, self.ctx.now
        old = now - dt.timedelta(days=3)
        pk, number, title = row["id"], row["number"], row["title"]
        for n in range(count):
            lead, assigned = row["lead_org_id"], row.get("assigned_at")
            if n % 2 == 1 and lead and assigned:
                users, verb, text, at = world.handlers.get(lead, []), "case.assigned", "交办事项，请签收", assigned
            else:
                users, verb, text, at = (world.dispatchers.get(row["dispatch_org_id"], []), "case.submitted",
                                         "新事项待受理", row["created_at"])
            if not users:
                continue
            at = at + dt.timedelta(seconds=rng.uniform(0, 5))
            read = at + dt.timedelta(hours=rng.uniform(0.2, 30)) if at < old and rng.random() < 0.9 else None
            out.add(users[rng.randrange(len(users))], verb, f"[{number}] {text}：{title}"[:200], title, f"/cases/{pk}/",
                    "cases.case", str(pk), at, min(read, now) if read else None)

    # --- one case --------------------------------------------------------------------------------------

    def _pick(self, items: list[int]) -> int | None:
        return items[self.rng.randrange(len(items))] if items else None

    def _handler(self, org: int | None) -> int | None:
        return self._pick(self.world.handlers.get(org, [])) if org else None

    def _dispatcher(self, org: int) -> int | None:
        return self._pick(self.world.dispatchers.get(org, []))

    def _lead_for(self, city_index: int, county: Any, avoid: int | None = None) -> int:
        rng = self.rng
        local = rng.random() >= 0.65 and bool(county.units)
        key = (city_index, county.region_id, local, avoid)
        leads = self._leads.get(key)
        if leads is None:
            city = self.world.cities[city_index]
            pool = county.units if local else city.units
            leads = [u for u in pool if u != avoid and self.world.handlers.get(u)]
            if not leads:
                leads = [u for u in city.units + county.units if u != avoid and self.world.handlers.get(u)]
            self._leads[key] = leads
        return leads[rng.randrange(len(leads))]

    def simulate(self, case_id: int, number: str, t0: dt.datetime, city_index: int, county: Any,
                 recent: dict[int, deque[tuple[int, dt.datetime]]]) -> Sim:
        rng, now = self.rng, self.ctx.now
        enterprise, ent_org, park = self.inputs["enterprises"][county.region_id][
            rng.randrange(len(self.inputs["enterprises"][county.region_id]))]
        dispatch = park or county.gov_id or self.world.cities[city_index].gov_id
        reporter = self.inputs["reporters"].get(ent_org)
        draw = rng.random()
        if draw < 0.06:
            kind, title = CaseKind.HAZARD, rng.choice(HAZARDS)
            description, resolution = f"{title}，请尽快督促整改。", "已现场督促整改，复查合格。"
        elif draw < 0.10:
            kind, title = CaseKind.PETITION, rng.choice(PETITIONS)
            description, resolution = f"{title}，请依法依规处理。", "已依法调处，当事人表示接受。"
        elif draw < 0.30:
            kind, title = CaseKind.ENTERPRISE_REQUEST, rng.choice(REQUESTS)
            description, resolution = f"{title}。", "已对接落实。"
        else:
            problem = PROBLEMS[rng.randrange(len(PROBLEMS))]
            kind, title = problem.kind, rng.choice(problem.titles)
            description, resolution = problem.description, problem.resolution
        urgency = Urgency.URGENT if rng.random() < 0.1 else Urgency.NORMAL
        policy = self.inputs["policies"].get((kind, urgency)) or self.inputs["policies"][
            (CaseKind.PROJECT_PROBLEM, urgency)]
        projects = self.inputs["projects"].get(county.region_id)
        subject_ref = f"project:{projects[rng.randrange(len(projects))]}" if projects and rng.random() < 0.3 else ""
        row: dict[str, Any] = {
            "id": case_id, "number": number, "kind": kind, "urgency": urgency, "title": title,
            "description": description, "subject": "", "subject_ref": subject_ref, "status": Status.SUBMITTED,
            "reporter_id": reporter, "reporter_org_id": ent_org, "enterprise_id": enterprise,
            "region_id": county.region_id, "dispatch_org_id": dispatch, "lead_org_id": None,
            "accept_days": 0, "solve_days": 0, "deadlines_provisional": False, "resolution": "", "satisfaction": "",
            "rating_comment": "", "reopen_count": 0, "dissatisfied_count": 0, "escalation_level": 0,
            "suspended_reason": "", "created_at": t0, "updated_at": t0, "version": 0, "merged_into_id": None,
        }
        sim = Sim(row)
        sim.event(t0, "submit", actor=reporter, actor_org=ent_org if reporter else None, to=Status.SUBMITTED,
                  data={"dispatch_org": dispatch})
        row["version"] = 1
        window = recent[county.region_id]
        path = rng.random()

        def happened(at: dt.datetime) -> bool:
            return at <= now

        # 撤回 before anyone acted, or 并单 into a recent case of the same county.
        if path < 0.02:
            at = t0 + HOUR * rng.uniform(0.5, 30)
            if happened(at):
                sim.event(at, "withdraw", actor=reporter, actor_org=ent_org if reporter else None, to=Status.WITHDRAWN,
                          note="问题已自行解决，撤回。")
            return sim
        if path < 0.03 and window:
            target, when = window[rng.randrange(len(window))]
            at = t0 + HOUR * rng.uniform(0.5, 6)
            if happened(at) and t0 - when < 7 * DAY:
                dispatcher = self._dispatcher(dispatch)
                row["merged_into_id"] = target
                sim.event(at, "merge", actor=dispatcher, actor_org=dispatch, to=Status.MERGED,
                          note="与已受理事项重复，并单办理。", data={"into": target})
                sim.events.append((target, at, dispatcher, dispatch, "merged_in", "", "", number, False,
                                   {"case": case_id}))
            return sim
        window.append((case_id, t0))

        # 交办.
        at = t0 + HOUR * rng.uniform(0.2, 8)
        if not happened(at):
            return sim
        dispatcher = self._dispatcher(dispatch)
        lead = self._lead_for(city_index, county)
        solve_days = policy.solve_working_days if rng.random() < 0.8 else rng.choice((3, 8, 10, 15, 20))
        co = []
        if rng.random() < 0.25:
            co = list({self._lead_for(city_index, county, avoid=lead) for _ in range(rng.randint(1, 2))})
        self._assign(sim, at, lead, policy.accept_working_days, solve_days, policy)
        row.update(assigned_at=at)
        sim.event(at, "assign", actor=dispatcher, actor_org=dispatch, to=Status.ASSIGNED,
                  data={"lead_org": lead, "co_orgs": co, "solve_days": solve_days})
        for org in co:
            sim.tasks.append({"case_id": case_id, "org_id": org, "instruction": "配合办理", "status": "open",
                              "due_at": row["solve_due_at"], "assigned_at": at, "done_at": None, "done_by_id": None,
                              "result": ""})
        clock_start = at

        # 退回 → 改派 or 维持交办.
        if rng.random() < 0.05:
            at = at + (row["accept_due_at"] - at) * rng.uniform(0.1, 0.9)
            if not happened(at):
                return self._escalate(sim, policy, clock_start)
            sim.event(at, "return", actor=self._handler(lead), actor_org=lead, to=Status.RETURNED,
                      note=rng.choice(RETURN_REASONS))
            at = at + HOUR * rng.uniform(1, 20)
            if not happened(at):
                return self._escalate(sim, policy, clock_start)
            if rng.random() < 0.6:
                lead = self._lead_for(city_index, county, avoid=lead)
                self._assign(sim, at, lead, policy.accept_working_days, solve_days, policy)
                sim.event(at, "reassign", actor=dispatcher, actor_org=dispatch, to=Status.ASSIGNED,
                          note="经审核，改派主管单位办理。", data={"lead_org": lead})
            else:
                self._assign(sim, at, lead, policy.accept_working_days, solve_days, policy)
                sim.event(at, "insist", actor=dispatcher, actor_org=dispatch, to=Status.ASSIGNED,
                          note="经审核，该事项属于贵单位职责范围，维持交办。")
            clock_start = at

        # 签收 (15 % late).
        if rng.random() < 0.85:
            at = clock_start + (row["accept_due_at"] - clock_start) * rng.uniform(0.05, 0.9)
        else:
            at = row["accept_due_at"] + HOUR * rng.uniform(1, 48)
        if not happened(at):
            return self._escalate(sim, policy, clock_start)
        handler = self._handler(lead)
        row["accepted_at"] = at
        sim.event(at, "accept", actor=handler, actor_org=lead, to=Status.ACCEPTED)
        accepted = at

        # 延期.
        if rng.random() < 0.05:
            asked = accepted + (row["solve_due_at"] - accepted) * rng.uniform(0.2, 0.6)
            if happened(asked):
                extra = rng.randint(3, 10)
                request = {"case_id": case_id, "requested_by_id": handler or self._handler(lead), "working_days": extra,
                           "reason": "需补充论证材料，申请延期。", "status": "pending", "decided_by_id": None,
                           "decided_at": None, "decision_note": "", "created_at": asked}
                sim.extensions.append(request)
                sim.event(asked, "request_extension", actor=handler, actor_org=lead, to=Status.ACCEPTED,
                          data={"working_days": extra})
                decided = asked + HOUR * rng.uniform(2, 24)
                if happened(decided):
                    approve = rng.random() < 0.7
                    request.update(status="approved" if approve else "refused", decided_by_id=dispatcher,
                                   decided_at=decided, decision_note="同意延期。" if approve else "理由不充分，不予延期。")
                    if approve:
                        row["solve_days"] += extra
                        row.update(self.clocks.clocks(clock_start, row["accept_days"], row["solve_days"], policy))
                    sim.event(decided, "approve_extension" if approve else "refuse_extension", actor=dispatcher,
                              actor_org=dispatch, to=Status.ACCEPTED,
                              data={"solve_due_at": row["solve_due_at"].isoformat()} if approve else {})

        # 挂起 (and 恢复计时).
        paused = dt.timedelta(0)
        if rng.random() < 0.03:
            suspended = accepted + (row["solve_due_at"] - accepted) * rng.uniform(0.1, 0.5)
            if happened(suspended):
                row.update(suspended_at=suspended, suspended_reason="等待企业补充材料")
                sim.event(suspended, "suspend", actor=handler, actor_org=lead, to=Status.ACCEPTED,
                          note="等待企业补充材料")
                resumed = suspended + DAY * rng.uniform(2, 15)
                if not happened(resumed):
                    return sim  # still paused: no clock runs, nothing escalates
                days = self.clocks.working_days_between(suspended, resumed)
                row.update(suspended_at=None, suspended_reason="")
                row["solve_days"] += days
                row.update(self.clocks.clocks(clock_start, row["accept_days"], row["solve_days"], policy))
                paused = resumed - suspended
                sim.event(resumed, "resume", actor=handler, actor_org=lead, to=Status.ACCEPTED,
                          note="材料已补齐，恢复计时。", data={"paused_working_days": days})

        # 办结: most in time, a long tail late, a few stuck.
        span = row["solve_due_at"] - clock_start
        draw = rng.random()
        factor = rng.uniform(0.15, 0.95) if draw < 0.8 else rng.uniform(1.0, 2.0) if draw < 0.98 else \
            rng.uniform(2.0, 12)
        resolved = max(clock_start + span * factor + paused, accepted + HOUR)
        for task in sim.tasks:
            done = max(resolved - HOUR * rng.uniform(1, 24), task["assigned_at"] + HOUR)
            if happened(done):
                task.update(status="done", done_at=done, done_by_id=self._handler(task["org_id"]),
                            result="协办事项已完成。")
                sim.event(done, "complete_task", actor=task["done_by_id"], actor_org=task["org_id"],
                          to=Status.ACCEPTED, data={"task": None})
        if not happened(resolved):
            return self._escalate(sim, policy, clock_start)
        self._escalate(sim, policy, clock_start, until=resolved)
        row.update(resolved_at=resolved, resolution=resolution)
        sim.event(resolved, "resolve", actor=handler, actor_org=lead, to=Status.RESOLVED, note=resolution)

        # 评价 (不满意 reopens once).
        rated = resolved + HOUR * rng.uniform(1, 72)
        if not happened(rated):
            return sim
        if rng.random() < 0.05:
            row.update(satisfaction="dissatisfied", rating_comment=RATING_COMMENTS[3], dissatisfied_count=1,
                       reopen_count=1, resolved_at=None, closed_at=None, accept_days=0,
                       solve_days=policy.solve_working_days, escalation_level=row["escalation_level"])
            row.update(self.clocks.clocks(rated, 0, policy.solve_working_days, policy))
            sim.event(rated, "rate", actor=reporter, actor_org=ent_org, to=Status.ACCEPTED, note=RATING_COMMENTS[3],
                      data={"satisfaction": "dissatisfied", "reopened": True, "escalated": False})
            clock_start = rated
            resolved = rated + (row["solve_due_at"] - rated) * rng.uniform(0.2, 1.3)
            if not happened(resolved):
                return self._escalate(sim, policy, clock_start)
            self._escalate(sim, policy, clock_start, until=resolved)
            row.update(resolved_at=resolved, resolution=resolution + "（重新办理）")
            sim.event(resolved, "resolve", actor=handler, actor_org=lead, to=Status.RESOLVED, note=row["resolution"])
            rated = resolved + HOUR * rng.uniform(1, 48)
            if not happened(rated):
                return sim
        satisfaction = "satisfied" if rng.random() < 0.84 else "basically"
        comment = RATING_COMMENTS[0 if satisfaction == "satisfied" else 2]
        revisit_due = rated + DAY * policy.revisit_after_days
        row.update(satisfaction=satisfaction, rating_comment=comment, closed_at=rated, revisit_due_at=revisit_due)
        sim.event(rated, "rate", actor=reporter, actor_org=ent_org, to=Status.CLOSED, note=comment,
                  data={"satisfaction": satisfaction})

        # 回访.
        asked = revisit_due + dt.timedelta(minutes=rng.uniform(0, 30))
        if happened(asked):
            row["revisit_asked_at"] = asked
            sim.event(asked, "revisit_asked", actor=None, actor_org=None, to=Status.CLOSED)
            answered = asked + HOUR * rng.uniform(1, 72)
            if happened(answered) and rng.random() < 0.85:
                row["revisit_answered_at"] = answered
                sim.event(answered, "revisit", actor=reporter, actor_org=ent_org, to=Status.CLOSED,
                          note="问题已解决。", data={"solved": True})
        return sim

    def _assign(self, sim: Sim, at: dt.datetime, lead: int, accept_days: int, solve_days: int, policy: Any) -> None:
        row = sim.row
        row.update(lead_org_id=lead, accept_days=accept_days, solve_days=solve_days, escalation_level=0,
                   escalated_to_id=None, pressed_at=None, supervised_at=None, reported_at=None)
        row.update(self.clocks.clocks(at, accept_days, solve_days, policy))

    def _escalate(self, sim: Sim, policy: Any, clock_start: dt.datetime, until: dt.datetime | None = None) -> Sim:
        """催办/督办/通报 the worker would have done on the current clock before ``until``
        (the resolution) or, for a case still open, before the last tick."""
        row = sim.row
        end = min(until or self.last_tick, self.last_tick)
        if row.get("suspended_at") is not None:
            end = min(end, row["suspended_at"])
        steps = ((1, "solve_due_at", "pressed_at", "press"), (2, "supervise_at", "supervised_at", "supervise"),
                 (3, "report_at", "reported_at", "report"))
        status = row["status"]
        for level, due_field, at_field, action in steps:
            due = row.get(due_field)
            if due is None or row["escalation_level"] >= level:
                continue
            at = due + dt.timedelta(seconds=self.rng.uniform(0, 1800))
            if at > end:
                break
            row["escalation_level"] = level
            row[at_field] = at
            target = None
            if level == 2:
                target = self.world.escalation_target(row["lead_org_id"])
                row["escalated_to_id"] = target
            sim.event(at, action, actor=None, actor_org=None, to=status,
                      data={"level": level, "escalated_to": row.get("escalated_to_id")})
        sim.events.sort(key=_at)
        return sim
