"""Every change to a case is one of these services (CONVENTIONS: transaction → lock →
permission → transition check → save changed fields → history + audit → notify on commit).

Two people acting on the same case at once: the row lock makes the second wait, and it
then finds the case changed: a ConflictError (409 in the API, a message in the UI).

One module per concern, all imported from here (``from yancheng.cases import services``):
``submit`` (提交), ``dispatch`` (交办, 签收, 退回, 改派, 维持交办), ``extension`` (延期, 中止/恢复),
``resolution`` (协办, 办结, 评价, 回访), ``side_paths`` (撤回, 催办, 合并, notes), ``meetings`` (a meeting's decision becomes an assigned case) and ``common``
(the text and day limits the steps share).
"""

from __future__ import annotations

from ..workflow import TRANSITIONS
from .common import (
    DESCRIPTION_MAX,
    EXTENSION_REASON_MAX,
    MAX_EXTENSION_DAYS,
    NOTE_MAX,
    RESOLUTION_MAX,
    SUSPEND_REASON_MAX,
    TITLE_MAX,
)
from .dispatch import case_accept, case_assign, case_insist, case_reassign, case_return
from .extension import case_decide_extension, case_request_extension, case_resume, case_suspend
from .meetings import decision_title, meeting_close_issuing, meeting_task_issue
from .resolution import case_complete_task, case_rate, case_resolve, case_revisit, escalation_target
from .side_paths import case_add_note, case_merge, case_urge, case_withdraw
from .submit import case_submit

ACTIONS_WITH_FORMS = tuple(TRANSITIONS)

__all__ = [
    "ACTIONS_WITH_FORMS",
    "DESCRIPTION_MAX",
    "EXTENSION_REASON_MAX",
    "MAX_EXTENSION_DAYS",
    "NOTE_MAX",
    "RESOLUTION_MAX",
    "SUSPEND_REASON_MAX",
    "TITLE_MAX",
    "case_accept",
    "case_add_note",
    "case_assign",
    "case_complete_task",
    "case_decide_extension",
    "case_insist",
    "case_merge",
    "case_rate",
    "case_reassign",
    "case_request_extension",
    "case_resolve",
    "case_resume",
    "case_return",
    "case_revisit",
    "case_submit",
    "case_suspend",
    "case_urge",
    "case_withdraw",
    "decision_title",
    "escalation_target",
    "meeting_close_issuing",
    "meeting_task_issue",
]
