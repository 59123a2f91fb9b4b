"""Load N django-helpdesk tickets in bulk (run with bench/.peer-venv's python, from bench/peer).

Tickets over the last two years in ten queues, most closed, some open, resolved, reopened
or duplicate, a third unassigned, each with the follow-up helpdesk writes when a ticket
opens (and one more when it was resolved). Restartable: a database holding N tickets or
more is left alone (runs add their own); fewer (an interrupted load) is emptied and loaded
again. Prints JSON with the
session cookies of four staff users for the load client."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_site.settings")

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from helpdesk.models import FollowUp, Queue, Ticket  # noqa: E402

QUEUES = ["用地报批", "规划许可", "施工许可", "环评能评", "消防验收", "供电接入", "供水供气", "用工融资", "政策兑现", "其他诉求"]
TITLES = ["项目用地报批进度滞后", "建设工程规划许可证办理受阻", "施工许可证审批材料反复补正", "环评批复迟迟未下达",
          "厂房消防验收排期过长", "专线接电进度滞后", "厂区供水管网未接通", "招工难，急需熟练技工", "技改补贴资金未兑现"]
STATUSES = [(Ticket.OPEN_STATUS, 15), (Ticket.REOPENED_STATUS, 1), (Ticket.RESOLVED_STATUS, 5),
            (Ticket.CLOSED_STATUS, 77), (Ticket.DUPLICATE_STATUS, 2)]
BATCH = 5_000


def staff() -> list:
    User = get_user_model()
    users = []
    for n in range(1, 5):
        user, created = User.objects.get_or_create(username=f"bench-staff-{n}", defaults={
            "is_staff": True, "email": f"staff{n}@bench.invalid"})
        if created:
            user.set_unusable_password()
            user.save()
        users.append(user)
    return users


def load(total: int, seed: int, users: list) -> int:
    rng = random.Random(seed)
    queues = [Queue.objects.get_or_create(slug=f"q{n}", defaults={"title": title})[0]
              for n, title in enumerate(QUEUES)]
    existing = Ticket.objects.count()
    if existing >= total:
        return 0  # loaded before (a benchmark run adds its own tickets on top, as on Yancheng's side)
    if existing:
        FollowUp.objects.all().delete()
        Ticket.objects.all().delete()
    # bulk_create would stamp now() into the auto_now fields: the history is backdated.
    created_field, modified_field = Ticket._meta.get_field("created"), Ticket._meta.get_field("modified")
    created_field.auto_now_add = modified_field.auto_now = False
    now = timezone.now()
    statuses = [s for s, _w in STATUSES]
    weights = [w for _s, w in STATUSES]
    made = 0
    started = time.monotonic()
    while made < total:
        size = min(BATCH, total - made)
        tickets = []
        for _ in range(size):
            created = now - dt.timedelta(seconds=rng.uniform(300, 730 * 86400))
            tickets.append(Ticket(
                title=rng.choice(TITLES), queue=queues[rng.randrange(len(queues))], created=created,
                modified=created + dt.timedelta(hours=rng.uniform(0, 200)), submitter_email="ent@bench.invalid",
                assigned_to=users[rng.randrange(len(users))] if rng.random() < 0.7 else None,
                status=rng.choices(statuses, weights)[0], description="企业反映的问题，请协调解决。",
                resolution="", priority=rng.choice([1, 2, 3, 3, 3, 4, 5]),
            ))
        with transaction.atomic():
            Ticket.objects.bulk_create(tickets, batch_size=1000)
            followups = []
            for ticket in tickets:
                followups.append(FollowUp(ticket=ticket, date=ticket.created, title="Ticket Opened",
                                          comment=ticket.description, public=True, new_status=None))
                if ticket.status in (Ticket.RESOLVED_STATUS, Ticket.CLOSED_STATUS):
                    followups.append(FollowUp(ticket=ticket, date=ticket.modified, title="Resolved",
                                              comment="已解决。", public=True, new_status=Ticket.RESOLVED_STATUS,
                                              user=ticket.assigned_to))
            FollowUp.objects.bulk_create(followups, batch_size=2000)
        made += size
        rate = made / max(time.monotonic() - started, 1e-9)
        print(f"  helpdesk tickets {made:,}/{total:,} ({rate:,.0f}/s)", file=sys.stderr, flush=True)
    return made


def cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, required=True)
    parser.add_argument("--seed", type=int, default=20260426)
    args = parser.parse_args()
    users = staff()
    loaded = load(args.tickets, args.seed, users)
    queue = Queue.objects.order_by("id").first()
    print(json.dumps({"loaded": loaded, "tickets": Ticket.objects.count(), "queue": queue.pk if queue else None,
                      "cookies": [cookie(u) for u in users]}))


if __name__ == "__main__":
    main()
