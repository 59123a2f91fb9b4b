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
from yancheng.core.audit.chain import canonical_payload, format_ts
from yancheng.core.audit.keys import checkpoint_message, load_keys, sign
from yancheng.core.audit.models import AuditCheckpoint, AuditEvent
from yancheng.core.audit.services import chain_head
from yancheng.core.models import Enterprise, Organisation, User
from yancheng.projects.models import Project

from ..bulk import _COPY_ESCAPES, Chunk, Progress, Rows
from .base import SHANGHAI as SHANGHAI_TZ
from .base import Context, Stage

CASE_STEPS = (("submit", "", "submitted"), ("assign", "submitted", "assigned"), ("accept", "assigned", "accepted"),
              ("resolve", "accepted", "resolved"), ("rate", "resolved", "closed"), ("note", "accepted", "accepted"))
INSPECTION_STEPS = (("inspection.register", None, '{"status":"in_progress"}'),
                    ("inspection.finish", '{"status":"in_progress"}', '{"outcome":"no_issue","status":"finished"}'))
SAMPLE = 50_000
CHUNK = 20_000  # records a chunk
# The product's canonical form (core.audit.chain.canonical_payload: sorted keys, no ASCII
# escaping, compact separators, str() for anything else) with the encoder built once
# instead of per record; ``yancheng audit verify`` checks every generated hash with the
# product's own code.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
_STRING = json.JSONEncoder(ensure_ascii=False).encode  # one JSON string, as the canonical form writes it
NULL = "\\N"


def chain_hash(prev: str, fields: dict[str, Any]) -> str:
    payload = _CANONICAL.encode({**fields, "ts": format_ts(fields["ts"])})
    return hashlib.sha256((prev + payload).encode()).hexdigest()


def _sample(queryset: Any, rng: Any, size: int = SAMPLE) -> list[tuple[Any, ...]]:
    rows = list(queryset[: size * 4])
    rng.shuffle(rows)
    return rows[:size]


def _num(value: int | None) -> str:
    return "null" if value is None else str(value)


def _copy(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


class AuditStage(Stage):
    """Records are made in chunks by the workers, each with its canonical JSON (the
    expensive part of a hash) and its COPY line but for the two hashes; this process
    chains them in order (one SHA-256 a record) and signs the checkpoints."""

    name = "audit"
    tables = (AuditEvent, AuditCheckpoint)
    set_aside = True
    resumes = True

    def planned(self, ctx: Context) -> int:
        return ctx.scale.audit

    def cleanup(self, ctx: Context, marks: dict[str, Any]) -> None:
        """Nothing to delete (and nothing may be): the chain up to its head is valid."""

    def _objects(self, ctx: Context) -> dict[str, list[tuple[Any, ...]]]:
        """What the records are about, each with its JSON (for the hash) and COPY (for
        the row) forms made once: samples of staff, cases, enterprises, projects and
        inspection registrations."""
        from yancheng.inspections.models import Inspection

        rng = ctx.rng(f"{self.name}:objects")
        orgs = dict(Organisation.objects.exclude(kind="enterprise").values_list("id", "name"))
        staff = []
        for user, username, org in (User.objects.exclude(organisation__kind="enterprise").order_by("id")
                                    .values_list("id", "username", "organisation_id")):
            name, org_name = username[:150], orgs.get(org, "")[:128]
            staff.append((user, _STRING(name), _copy(name), _num(org), "\\N" if org is None else str(org),
                          _STRING(org_name), _copy(org_name), f'{{"username":{_STRING(name)}}}'))
        objects: dict[str, list[tuple[Any, ...]]] = {"staff": staff}

        def described(rows: list[tuple[Any, ...]], text: Any) -> list[tuple[Any, ...]]:
            out = []
            for row in rows:
                label = text(row)[:255]
                out.append((*row, _STRING(label), _copy(label)))
            return out

        objects["cases"] = described(_sample(Case.objects.order_by("-id").values_list("id", "number", "title"), rng),
                                     lambda r: f"{r[1]} {r[2]}")
        objects["enterprises"] = described(
            _sample(Enterprise.objects.order_by("-id").values_list("id", "name", "grade"), rng), lambda r: r[1])
        objects["projects"] = described(
            _sample(Project.objects.order_by("-id").values_list("id", "code", "name"), rng), lambda r: f"{r[1]} {r[2]}")
        objects["inspections"] = described(
            _sample(Inspection.objects.order_by("-id").values_list("id", "number", "enterprise__name"), rng),
            lambda r: f"{r[1]} {r[2]}")
        return objects

    def run(self, ctx: Context, marks: dict[str, Any]) -> int:
        seq, prev = chain_head()
        wanted = max(ctx.scale.audit - AuditEvent.objects.count(), 0)
        if not wanted:
            return 0
        keys = load_keys()
        self.every = int(getattr(settings, "YANCHENG_AUDIT_CHECKPOINT_EVERY", 0) or 0)
        self.deployment = settings.YANCHENG_AUDIT_DEPLOYMENT_ID
        self.signing_key, self.key_id = keys.signing_key, keys.signing_key_id
        self.objects = self._objects(ctx)
        start = ctx.now - dt.timedelta(days=ctx.scale.span_days)
        last = AuditEvent.objects.order_by("-seq").values_list("ts", flat=True).first()
        if last is not None and start < last < ctx.now:
            start = last  # continuing an interrupted run: keep time moving forward
        self.ctx, self.first_seq, self.wanted = ctx, seq + 1, wanted
        self.start, self.step = start, (ctx.now - start) / (wanted + 1)
        self.prev = prev
        progress = Progress("audit records", wanted)
        chunks = (wanted + CHUNK - 1) // CHUNK
        written = ctx.bulk.run_chunks(self.make_chunk, range(chunks), progress=progress, finish=self.chain)
        progress.finish()
        return written

    def make_chunk(self, k: int) -> Chunk:
        """Records first_seq + k·CHUNK …: for each, the canonical JSON of its hashed fields
        and its row's values but the two hashes. The chunk's stream is named by its first
        sequence number, so a run continued from the chain's head draws afresh."""
        objects = self.objects
        staff, cases, enterprises = objects["staff"], objects["cases"], objects["enterprises"]
        projects, inspections = objects["projects"], objects["inspections"]
        first = k * CHUNK
        last = min(first + CHUNK, self.wanted)
        rng = self.ctx.chunk_rng(self.name, self.first_seq + first)
        random_, bits = rng.random, rng.getrandbits
        pg = self.ctx.bulk.vendor == "postgresql"
        payloads: list[str] = []
        values: list[Any] = []
        check_at = None
        for n in range(first + 1, last + 1):
            seq = self.first_seq + n - 1
            ts = self.start + self.step * n
            utc = ts.astimezone(dt.UTC)
            stamp = utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            actor, j_user, c_user, j_org, c_org, j_org_name, c_org_name, j_login = staff[int(random_() * len(staff))]
            draw = random_()
            before = after = None
            if draw < 0.60 and cases:
                pk, _number, _title, j_repr, c_repr = cases[int(random_() * len(cases))]
                step, from_status, to_status = CASE_STEPS[int(random_() * len(CASE_STEPS))]
                action, object_type = f"case.{step}", "cases.case"
                before, after = f'{{"status":"{from_status}"}}', f'{{"status":"{to_status}"}}'
            elif draw < 0.70 and enterprises:
                pk, _name, grade, j_repr, c_repr = enterprises[int(random_() * len(enterprises))]
                action, object_type = "enterprise.update", "core.enterprise"
                before, after = '{"address":"旧地址"}', f'{{"address":"新地址","grade":"{grade}"}}'
            elif draw < 0.78 and projects:
                pk, _code, _name, j_repr, c_repr = projects[int(random_() * len(projects))]
                action, object_type = "project.report_month", "projects.project"
                after = (f'{{"invested_ytd":"{100 + int(random_() * 89_901)}",'
                         f'"month":"{utc.astimezone(SHANGHAI_TZ).strftime("%Y-%m")}"}}')
            elif draw < 0.86 and inspections:
                pk, _number, _name, j_repr, c_repr = inspections[int(random_() * len(inspections))]
                action, before, after = INSPECTION_STEPS[int(random_() * len(INSPECTION_STEPS))]
                object_type = "inspections.inspection"
            else:
                pk, j_repr, c_repr = actor, j_user, c_user
                action, object_type = "auth.login", "core.user"
                after = j_login
            ip = f"10.{int(random_() * 256)}.{int(random_() * 256)}.{1 + int(random_() * 254)}"
            request_id = f"{bits(128):032x}"
            outcome = "success" if random_() < 0.99 else "denied"
            payloads.append(
                f'{{"action":"{action}","actor_id":{actor},"actor_repr":{j_user},"after":{after or "null"},'
                f'"before":{before or "null"},"ip":"{ip}","object_id":"{pk}","object_repr":{j_repr},'
                f'"object_type":"{object_type}","organisation_id":{j_org},"organisation_repr":{j_org_name},'
                f'"outcome":"{outcome}","request_id":"{request_id}","seq":{seq},"ts":"{stamp}"}}'
            )
            if check_at is None:  # the first record of each chunk, checked against the product's own form
                check_at = (len(payloads) - 1, {
                    "seq": seq, "ts": ts, "actor_id": actor, "actor_repr": json.loads(j_user),
                    "organisation_id": json.loads(j_org), "organisation_repr": json.loads(j_org_name),
                    "action": action, "object_type": object_type, "object_id": str(pk),
                    "object_repr": json.loads(j_repr), "before": json.loads(before) if before else None,
                    "after": json.loads(after) if after else None, "ip": ip, "request_id": request_id,
                    "outcome": outcome})
            if pg:
                c_before = _copy(before) if before else NULL
                c_after = _copy(after) if after else NULL
                values.append(
                    f"{seq}\t{ts.isoformat()}\t{actor}\t{c_user}\t{c_org}\t{c_org_name}\t{action}\t{object_type}\t"
                    f"{pk}\t{c_repr}\t{c_before}\t{c_after}\t{ip}\t{request_id}\t{outcome}")
            else:
                values.append((seq, ts, actor, json.loads(j_user), json.loads(j_org), json.loads(j_org_name), action,
                               object_type, str(pk), json.loads(j_repr), json.loads(before) if before else None,
                               json.loads(after) if after else None, ip, request_id, outcome))
        if check_at is not None:
            index, fields = check_at
            expected = canonical_payload(fields)
            if payloads[index] != expected:
                raise AssertionError(f"audit payload differs from the product's canonical form:\n{payloads[index]}\n"
                                     f"{expected}")
        return Chunk(units=last - first, parts=[], info=(payloads, values))

    def chain(self, k: int, chunk: Chunk) -> list[tuple[str, list[str], Any, int]]:
        """Here, in order: each record's hash over the previous one, and the checkpoints."""
        payloads, values = chunk.info
        vendor = self.ctx.bulk.vendor
        events = Rows(AuditEvent, EVENT_COLUMNS, vendor)
        checkpoints = Rows(AuditCheckpoint, CHECKPOINT_COLUMNS, vendor)
        lines, add = events.lines, events.add
        prev, every = self.prev, self.every
        first_seq = self.first_seq + k * CHUNK
        sha256 = hashlib.sha256
        pg = vendor == "postgresql"
        for offset, (payload, value) in enumerate(zip(payloads, values, strict=True)):
            digest = sha256((prev + payload).encode()).hexdigest()
            if pg:
                lines.append(f"{value}\t{prev}\t{digest}")
            else:
                add(*value, prev, digest)
            seq = first_seq + offset
            if every and seq % every == 0:
                ts = self.start + self.step * (k * CHUNK + offset + 1)
                message = checkpoint_message(deployment_id=self.deployment, seq=seq, chain_hash=digest,
                                             is_archive_cut=False, created_at=format_ts(ts))
                checkpoints.add(seq, digest, ts, self.key_id, sign(self.signing_key, message), False)
            prev = digest
        self.prev = prev
        return [events.part(), checkpoints.part()]


EVENT_COLUMNS = ("seq", "ts", "actor_id", "actor_repr", "organisation_id", "organisation_repr", "action", "object_type",
                 "object_id", "object_repr", "before", "after", "ip", "request_id", "outcome", "prev_hash", "hash")
CHECKPOINT_COLUMNS = ("seq", "hash", "created_at", "key_id", "signature", "is_archive_cut")
