"""In-app notifications: the messages the case services would have sent (new case for the
receiving unit's dispatchers, assigned for the lead unit's handlers), those older than
three days mostly read. Streams through the cases in id order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from yancheng.cases.models import Case
from yancheng.core.notifications.models import Notification

from ..bulk import Batches, Progress
from .base import Context, Stage
from .world import world_of


class NotificationStage(Stage):
    name = "notifications"
    tables = (Notification,)
    set_aside = True

    def planned(self, ctx: Context) -> int:
        return ctx.scale.notifications

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:
        rng = ctx.rng(self.name)
        world = world_of(ctx)
        cases = Case.objects.count()
        wanted = max(ctx.scale.notifications - Notification.objects.count(), 0)
        per_case = wanted / cases if cases else 0
        progress = Progress("notifications", wanted)
        out = Batches(ctx.bulk, [Notification], size=5_000, progress=progress)
        old = ctx.now - dt.timedelta(days=3)
        made = 0
        rows = (Case.objects.order_by("id").values_list("id", "number", "title", "dispatch_org_id", "lead_org_id",
                                                        "created_at", "assigned_at").iterator(chunk_size=10_000))
        for pk, number, title, dispatch, lead, created, assigned in rows:
            count = int(per_case) + (1 if rng.random() < per_case - int(per_case) else 0)
            for n in range(count):
                if made >= wanted:
                    break
                if n % 2 == 1 and lead and assigned:
                    users, verb, text, at = world.handlers.get(lead, []), "case.assigned", "交办事项，请签收", assigned
                else:
                    users, verb, text, at = world.dispatchers.get(dispatch, []), "case.submitted", "新事项待受理", created
                if not users:
                    continue
                at = at + dt.timedelta(seconds=rng.uniform(0, 5))
                read = at + dt.timedelta(hours=rng.uniform(0.2, 30)) if at < old and rng.random() < 0.9 else None
                out.add(Notification, {
                    "recipient_id": users[rng.randrange(len(users))], "verb": verb,
                    "title": f"[{number}] {text}：{title}"[:200], "body": title, "url": f"/cases/{pk}/",
                    "object_type": "cases.case", "object_id": str(pk), "created_at": at,
                    "read_at": min(read, ctx.now) if read else None,
                })
                made += 1
                out.unit_done()
        out.flush()
        progress.finish()
        return out.written
