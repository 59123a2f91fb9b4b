"""The audit trail, topped up to the scale's count: records of case steps, enterprise and
project changes, logins and reads, spread over the history in time order, hash-chained
exactly as ``core.audit.services.audit_record`` chains them (the product's canonical form,
see ``chain_hash``) and signed every YANCHENG_AUDIT_CHECKPOINT_EVERY records with the
checkpoint key, so ``yancheng audit verify`` passes on the generated database.

The trail is append-only (database triggers refuse DELETE), so an interrupted run is not
cleaned up: the stage continues from the chain's head until the count is reached.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.conf import settings

from yancheng.cases.models import Case
from yancheng.core.audit.chain import format_ts
from yancheng.core.audit.keys import checkpoint_message, load_keys, sign
from yancheng.core.audit.models import AuditCheckpoint, AuditEvent
from yancheng.core.audit.services import chain_head
from yancheng.core.models import Enterprise, Organisation, User
from yancheng.projects.models import Project

from ..bulk import Batches, Progress
from .base import Context, Stage

CASE_STEPS = (("submit", "", "submitted"), ("assign", "submitted", "assigned"), ("accept", "assigned", "accepted"),
              ("resolve", "accepted", "resolved"), ("rate", "resolved", "closed"), ("note", "accepted", "accepted"))
SAMPLE = 50_000
# The product's canonical form (core.audit.chain.canonical_payload: sorted keys, no ASCII
# escaping, compact separators, str() for anything else) with the encoder built once
# instead of per record; ``yancheng audit verify`` checks every generated hash with the
# product's own code.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def chain_hash(prev: str, fields: dict[str, Any]) -> str:
    payload = _CANONICAL.encode({**fields, "ts": format_ts(fields["ts"])})
    return hashlib.sha256((prev + payload).encode()).hexdigest()


def _sample(queryset: Any, rng: Any, size: int = SAMPLE) -> list[tuple[Any, ...]]:
    rows = list(queryset[: size * 4])
    rng.shuffle(rows)
    return rows[:size]


class AuditStage(Stage):
    name = "audit"
    tables = (AuditEvent, AuditCheckpoint)
    set_aside = True

    def planned(self, ctx: Context) -> int:
        return ctx.scale.audit

    def cleanup(self, ctx: Context, marks: dict[str, Any]) -> None:
        """Nothing to delete (and nothing may be): the chain up to its head is valid."""

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:
        rng = ctx.rng(f"{self.name}:{AuditEvent.objects.count()}")
        seq, prev = chain_head()
        wanted = max(ctx.scale.audit - AuditEvent.objects.count(), 0)
        if not wanted:
            return 0
        keys = load_keys()
        every = int(getattr(settings, "YANCHENG_AUDIT_CHECKPOINT_EVERY", 0) or 0)
        deployment = settings.YANCHENG_AUDIT_DEPLOYMENT_ID
        orgs = dict(Organisation.objects.exclude(kind="enterprise").values_list("id", "name"))
        staff = [(u, name, org, orgs.get(org, "")) for u, name, org in
                 User.objects.exclude(organisation__kind="enterprise").values_list("id", "username", "organisation_id")]
        cases = _sample(Case.objects.order_by("-id").values_list("id", "number", "title"), rng)
        enterprises = _sample(Enterprise.objects.order_by("-id").values_list("id", "name", "grade"), rng)
        projects = _sample(Project.objects.order_by("-id").values_list("id", "code", "name"), rng)
        start = ctx.now - dt.timedelta(days=ctx.scale.span_days)
        last = AuditEvent.objects.order_by("-seq").values_list("ts", flat=True).first()
        if last is not None and start < last < ctx.now:
            start = last  # continuing an interrupted run: keep time moving forward
        step = (ctx.now - start) / (wanted + 1)
        progress = Progress("audit records", wanted)
        out = Batches(ctx.bulk, [AuditEvent, AuditCheckpoint], size=10_000, progress=progress)
        for n in range(1, wanted + 1):
            seq += 1
            ts = start + step * n
            actor, username, org_id, org_name = staff[rng.randrange(len(staff))]
            draw = rng.random()
            before: dict[str, Any] | None = None
            after: dict[str, Any] | None
            if draw < 0.65 and cases:
                pk, number, title = cases[rng.randrange(len(cases))]
                action, from_status, to_status = CASE_STEPS[rng.randrange(len(CASE_STEPS))]
                action, object_type, object_id, object_repr = f"case.{action}", "cases.case", pk, f"{number} {title}"
                before, after = {"status": from_status}, {"status": to_status}
            elif draw < 0.75 and enterprises:
                pk, name, grade = enterprises[rng.randrange(len(enterprises))]
                action, object_type, object_id, object_repr = "enterprise.update", "core.enterprise", pk, name
                before, after = {"address": "旧地址"}, {"address": "新地址", "grade": grade}
            elif draw < 0.85 and projects:
                pk, code, name = projects[rng.randrange(len(projects))]
                action, object_type, object_id, object_repr = "project.report_month", "projects.project", pk, \
                    f"{code} {name}"
                after = {"month": ts.strftime("%Y-%m"), "invested_ytd": str(rng.randint(100, 90_000))}
            else:
                action, object_type, object_id, object_repr = "auth.login", "core.user", actor, username
                after = {"username": username}
            fields = {
                "seq": seq, "ts": ts, "actor_id": actor, "actor_repr": username[:150], "organisation_id": org_id,
                "organisation_repr": org_name[:128], "action": action, "object_type": object_type,
                "object_id": str(object_id), "object_repr": object_repr[:255], "before": before,
                "after": after, "ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                "request_id": f"{rng.getrandbits(128):032x}", "outcome": "success" if rng.random() < 0.99 else "denied",
            }
            digest = chain_hash(prev, fields)  # before/after hold only str and int: already normal JSON
            out.add(AuditEvent, {**fields, "prev_hash": prev, "hash": digest})
            if every and seq % every == 0:
                message = checkpoint_message(deployment_id=deployment, seq=seq, chain_hash=digest,
                                             is_archive_cut=False, created_at=format_ts(ts))
                out.add(AuditCheckpoint, {"seq": seq, "hash": digest, "created_at": ts, "key_id": keys.signing_key_id,
                                          "signature": sign(keys.signing_key, message), "is_archive_cut": False})
            prev = digest
            out.unit_done()
        out.flush()
        progress.finish()
        return out.written
