"""One write of the matter's timeline: a ``PetitionEvent`` and its audit record, together.

Neither carries personal data. The audit record carries no free text at all (a 检举控告's
content must not reach the audit view either); the event's note stays on the matter,
behind its visibility."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import pgettext_lazy

from yancheng.core.audit.services import audit_record
from yancheng.core.typing import Actor

from .models import Petition, PetitionEvent


def record(
    petition: Petition,
    action: str,
    *,
    actor: Actor | None,
    note: str = "",
    public: bool = False,
    data: dict[str, Any] | None = None,
    before_stage: str | None = None,
) -> PetitionEvent:
    """``public`` events are the dates the query page shows (登记、转送交办、受理、送达…).
    ``data`` holds ids, dates and codes only."""
    event = PetitionEvent.objects.create(
        petition=petition,
        at=timezone.now(),
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_org=getattr(actor, "organisation", None),
        note=note,
        public=public,
        data=data or {},
    )
    audit_record(
        f"petition.{action}",
        petition,
        actor=actor,
        before={"stage": before_stage} if before_stage else None,
        after={"stage": petition.stage, **(data or {})},
    )
    return event


# The timeline's actions in the staff's words (the matter's page); an action not named here
# shows as its code. The petitioner's query page has its own, fewer words (public.py).
ACTION_LABELS: dict[str, Any] = {
    "register": pgettext_lazy("petition timeline", "登记"),
    "classify": pgettext_lazy("petition timeline", "分类"),
    "transfer": pgettext_lazy("petition timeline", "转送（交办）办理机关"),
    "reassign": pgettext_lazy("petition timeline", "改由其他机关办理"),
    "accept": pgettext_lazy("petition timeline", "办理机关受理"),
    "refuse": pgettext_lazy("petition timeline", "不予受理"),
    "not_accept": pgettext_lazy("petition timeline", "不予受理"),
    "refuse_again": pgettext_lazy("petition timeline", "不再受理"),
    "object": pgettext_lazy("petition timeline", "提出异议"),
    "objection_refused": pgettext_lazy("petition timeline", "异议不成立，维持原办理机关"),
    "request_extension": pgettext_lazy("petition timeline", "申请延期"),
    "extension_approved": pgettext_lazy("petition timeline", "批准延期"),
    "extension_refused": pgettext_lazy("petition timeline", "不批准延期"),
    "hearing_start": pgettext_lazy("petition timeline", "举行听证（期间不计入办理期限）"),
    "hearing_end": pgettext_lazy("petition timeline", "听证结束"),
    "answer": pgettext_lazy("petition timeline", "出具处理意见"),
    "report": pgettext_lazy("petition timeline", "报送办结报告"),
    "request_review": pgettext_lazy("petition timeline", "申请复查"),
    "request_recheck": pgettext_lazy("petition timeline", "申请复核"),
    "decide_review": pgettext_lazy("petition timeline", "作出复查意见"),
    "decide_recheck": pgettext_lazy("petition timeline", "作出复核意见"),
    "close": pgettext_lazy("petition timeline", "办结"),
    "document_issue": pgettext_lazy("petition timeline", "制作文书"),
    "document_serve": pgettext_lazy("petition timeline", "送达文书"),
    "rate": pgettext_lazy("petition timeline", "信访人评价"),
    "take_personally": pgettext_lazy("petition timeline", "领导包案"),
    "leader_change": pgettext_lazy("petition timeline", "调整包案领导"),
    "leader_release": pgettext_lazy("petition timeline", "解除包案"),
    "set_risk": pgettext_lazy("petition timeline", "评估风险等级"),
    "follow_up_plan": pgettext_lazy("petition timeline", "安排稳控回访"),
    "follow_up_done": pgettext_lazy("petition timeline", "完成稳控回访"),
    "mark_urgent": pgettext_lazy("petition timeline", "标记为重大紧急"),
    "urgent_report": pgettext_lazy("petition timeline", "报告重大紧急信访事项"),
    "reissue_query_code": pgettext_lazy("petition timeline", "重新生成查询码"),
    "review_request_extension": pgettext_lazy("petition timeline", "复查（复核）机关申请延期"),
    "review_extension_approved": pgettext_lazy("petition timeline", "批准复查（复核）延期"),
    "review_extension_refused": pgettext_lazy("petition timeline", "不批准复查（复核）延期"),
    "review_hearing_start": pgettext_lazy("petition timeline", "复查（复核）举行听证（期间不计入期限）"),
    "review_hearing_end": pgettext_lazy("petition timeline", "复查（复核）听证结束"),
}


def action_label(action: str) -> Any:
    return ACTION_LABELS.get(action, action)
