"""The pure verifier (no database): for any chain and any single tampering, it flags
exactly the first affected record (security checklist §9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from yancheng.core.audit.chain import event_hash, format_ts, genesis_hash
from yancheng.core.audit.keys import checkpoint_message, key_id, sign
from yancheng.core.audit.verify import CheckpointData, Problem, verify_events

KEY = b"property-test-key"
DEPLOYMENT = "yancheng-test"
GENESIS = genesis_hash(DEPLOYMENT)
T0 = datetime(2026, 1, 1, tzinfo=UTC)

payloads = st.fixed_dictionaries(
    {
        "action": st.sampled_from(["case.assign", "user.create", "petition.view", "enterprise.update"]),
        "after": st.one_of(st.none(), st.dictionaries(st.sampled_from("abc"), st.integers(-5, 5), max_size=2)),
        "object_id": st.text("0123456789", max_size=3),
    }
)


def build_chain(payload_list: list[dict[str, Any]]) -> list[dict[str, Any]]:
    events, prev = [], GENESIS
    for n, payload in enumerate(payload_list, start=1):
        fields = {
            "seq": n,
            "ts": T0 + timedelta(seconds=n),
            "actor_id": 7,
            "actor_repr": "dispatcher",
            "organisation_id": None,
            "organisation_repr": "",
            "action": payload["action"],
            "object_type": "test.thing",
            "object_id": payload["object_id"],
            "object_repr": "",
            "before": None,
            "after": payload["after"],
            "ip": "10.0.0.1",
            "request_id": "r",
            "outcome": "success",
        }
        digest = event_hash(prev, fields)
        events.append({**fields, "prev_hash": prev, "hash": digest})
        prev = digest
    return events


def checkpoint_at(event: dict[str, Any]) -> CheckpointData:
    created = T0 + timedelta(days=1)
    message = checkpoint_message(
        deployment_id=DEPLOYMENT, seq=event["seq"], chain_hash=event["hash"], is_archive_cut=False,
        created_at=format_ts(created),
    )  # fmt: skip
    return CheckpointData(
        seq=event["seq"], hash=event["hash"], created_at=created, key_id=key_id(KEY), signature=sign(KEY, message)
    )


def run(events: list[dict[str, Any]], checkpoints: list[CheckpointData]):
    where = {e["hash"]: e["seq"] for e in events}
    return verify_events(
        events, checkpoints, genesis=GENESIS, deployment_id=DEPLOYMENT, keys={key_id(KEY): KEY}, locate=where.get
    )


chains = st.lists(payloads, min_size=3, max_size=25).map(build_chain)


@settings(max_examples=150, deadline=None)
@given(chain=chains, data=st.data())
def test_a_single_edit_is_flagged_at_exactly_its_seq(chain, data):
    index = data.draw(st.integers(0, len(chain) - 1))
    field = data.draw(st.sampled_from(["action", "after", "object_id", "actor_repr", "ts", "hash", "prev_hash"]))
    victim = dict(chain[index])
    replacement = {
        "action": victim["action"] + "!",
        "after": {"forged": True} if victim["after"] != {"forged": True} else None,
        "object_id": victim["object_id"] + "9",
        "actor_repr": "someone-else",
        "ts": victim["ts"] + timedelta(microseconds=1),
        "hash": "f" * 64,
        "prev_hash": "e" * 64,
    }[field]
    victim[field] = replacement
    tampered = [*chain[:index], victim, *chain[index + 1 :]]
    report = run(tampered, [checkpoint_at(chain[-1])])
    assert report.problem == Problem.EDITED
    assert report.problem_seq == index + 1


@settings(max_examples=150, deadline=None)
@given(chain=chains, data=st.data())
def test_a_single_deletion_is_flagged_at_exactly_its_seq(chain, data):
    index = data.draw(st.integers(0, len(chain) - 1))
    tampered = [*chain[:index], *chain[index + 1 :]]
    report = run(tampered, [checkpoint_at(chain[-1])])
    expected = Problem.TRUNCATED if index == len(chain) - 1 else Problem.MISSING
    assert (report.problem, report.problem_seq) == (expected, index + 1)


@settings(max_examples=150, deadline=None)
@given(chain=chains, data=st.data())
def test_a_single_swap_is_flagged_at_the_earlier_seq(chain, data):
    first = data.draw(st.integers(0, len(chain) - 2))
    second = data.draw(st.integers(first + 1, len(chain) - 1))
    tampered = [dict(e) for e in chain]
    tampered[first], tampered[second] = (
        {**chain[second], "seq": first + 1},
        {**chain[first], "seq": second + 1},
    )
    report = run(tampered, [])
    assert (report.problem, report.problem_seq) == (Problem.REORDERED, first + 1)


@settings(max_examples=100, deadline=None)
@given(chain=chains, data=st.data())
def test_an_untouched_chain_always_verifies(chain, data):
    signed = data.draw(st.lists(st.sampled_from(chain), unique_by=lambda e: e["seq"], max_size=3))
    report = run(chain, [checkpoint_at(e) for e in signed])
    assert report.ok, report.summary()
    assert report.records == len(chain)
