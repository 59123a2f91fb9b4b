"""The steps offered on a hazard's page and by the API, as one table: for each, when the stage
table (``workflow``) lets the user take it, the form that reads it, the service it calls with
the version the page showed, and the page's words."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yancheng.core.typing import Actor

from . import forms_hazards as f
from .models import Hazard
from .permissions import hazard_standing
from .services import hazards as s
from .workflow import allowed

Inputs = Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class HazardAction:
    name: str
    form: type[f.StepForm]
    call: Callable[[Hazard, Actor, Inputs, int | None], object]
    done: Callable[[Inputs], str]
    heading: Any
    button: Any
    help: Any = ""
    danger: bool = False


_ACTIONS = (
    HazardAction(
        "accept", f.AcceptForm,
        lambda h, u, d, v: s.hazard_accept(h, actor=u, rectify_by=d.get("rectify_by"),
                                           responsible_person=d.get("responsible_person") or "",
                                           enforcement_measures=d.get("enforcement_measures") or "",
                                           expected_version=v),
        lambda d: _("已受理，整改期限已通知整改单位。"),
        gettext_lazy("受理"), gettext_lazy("受理并下达整改"),
        gettext_lazy("重大事故隐患须先填写完整的治理方案报告，受理即挂牌督办。"),
    ),
    HazardAction(
        "reject", f.ReasonForm,
        lambda h, u, d, v: s.hazard_reject(h, actor=u, reason=d["reason"], expected_version=v),
        lambda d: _("已不予受理。"),
        gettext_lazy("不予受理"), gettext_lazy("不予受理"), danger=True,
    ),
    HazardAction(
        "complete_report", f.ReportForm,
        lambda h, u, d, v: s.hazard_complete_report(
            h, actor=u, expected_version=v, plan_funds=d.get("plan_funds"), plan_deadline=d.get("plan_deadline"),
            **{k: d.get(k) or "" for k in ("situation_cause", "harm_difficulty", "plan_measures", "plan_owner",
                                           "plan_contingency")}),
        lambda d: _("治理方案报告已保存。"),
        gettext_lazy("重大事故隐患报告"), gettext_lazy("保存报告"),
        gettext_lazy("隐患现状及产生原因、危害程度和整改难易程度、治理方案（措施、责任人、资金、时限、预案）。"),
    ),
    HazardAction(
        "reclassify", f.ReclassifyForm,
        lambda h, u, d, v: s.hazard_reclassify(h, actor=u, level=d["level"], reason=d["reason"], expected_version=v),
        lambda d: _("隐患等级已调整。"),
        gettext_lazy("调整隐患等级"), gettext_lazy("调整等级"),
    ),
    HazardAction(
        "submit_evidence", f.EvidenceForm,
        lambda h, u, d, v: s.hazard_submit_evidence(h, actor=u, measures_taken=d["measures_taken"],
                                                    attachments=d.get("attachments") or [], expected_version=v),
        lambda d: _("整改情况已提交，等待监管部门验收。"),
        gettext_lazy("提交整改"), gettext_lazy("提交整改情况"),
    ),
    HazardAction(
        "verify", f.VerifyForm,
        lambda h, u, d, v: s.hazard_verify(h, actor=u, passed=True, note=d.get("note") or "",
                                           inspection=d.get("inspection"), expected_version=v),
        lambda d: _("验收合格，隐患已销号。"),
        gettext_lazy("验收销号"), gettext_lazy("验收合格，销号"),
        gettext_lazy("须由提交人以外的监管部门人员现场核查。"),
    ),
    HazardAction(
        "send_back", f.SendBackForm,
        lambda h, u, d, v: s.hazard_verify(h, actor=u, passed=False, note=d.get("note") or "",
                                           inspection=d.get("inspection"), expected_version=v),
        lambda d: _("已退回整改。"),
        gettext_lazy("退回整改"), gettext_lazy("退回整改"), danger=True,
    ),
)

HAZARD_ACTIONS: dict[str, HazardAction] = {a.name: a for a in _ACTIONS}


def offered(user: Actor, hazard: Hazard) -> list[HazardAction]:
    """The steps the user may take on the hazard now, in the order people work through it."""
    standing = hazard_standing(user, hazard)
    return [a for a in _ACTIONS if allowed(hazard, a.name, standing)
            and (a.name != "complete_report" or hazard.is_major)]
