"""企业赋「码」保护 (SPEC §4): supervision codes, the inspector registry and published items,
plans and joint inspections, registrations (扫码入企), the rules (grades, caps, exemptions,
quiet periods), alerts, and anonymous ratings.

Anchors: 衡政办发〔2025〕6号 (grades A/B/C/D; grade A "企业自检+信用承诺", in principle no
proactive inspection for a year), 深府规〔2025〕6号 (scan before entering; emergency-then-scan;
back-fill within 10 natural days with a reason), 国办发〔2024〕54号 (published item lists,
annual caps, joint inspections counted once, alerts on repeated and high-frequency checks).

The anonymity of ratings is a property of the schema: `Rating` has no link to the
enterprise, the user, the inspection, an IP or an exact time; who may rate (and has) is a
keyed digest in `RatingReceipt`, apart from what was rated.

Django needs this package to import every model class; each lives in the module named for
its concern (`choices`, `codes`, `planning`, `rules`, `registrations`, `ratings`) and the
app's other modules import them from here, as from any app's models."""

from .choices import EntryMode, FoundBy, Grade, InspectionKind, OutsidePlanReason, VisitPurpose
from .codes import SupervisionCode
from .planning import (
    InspectionItem,
    InspectionPlan,
    InspectorLicence,
    JointAcceptance,
    JointProposal,
    PlanEntry,
    TimeSlotPreference,
)
from .ratings import PendingRating, Rating, RatingReceipt
from .registrations import (
    Inspection,
    InspectionAlert,
    InspectionDepartment,
    InspectionInspector,
    InspectionItemChecked,
    InspectionQuerySet,
)
from .rules import CapRule, ExemptionReason, InspectionPolicy, QuietPeriod

__all__ = [
    "CapRule",
    "EntryMode",
    "ExemptionReason",
    "FoundBy",
    "Grade",
    "Inspection",
    "InspectionAlert",
    "InspectionDepartment",
    "InspectionInspector",
    "InspectionItem",
    "InspectionItemChecked",
    "InspectionKind",
    "InspectionPlan",
    "InspectionPolicy",
    "InspectionQuerySet",
    "InspectorLicence",
    "JointAcceptance",
    "JointProposal",
    "OutsidePlanReason",
    "PendingRating",
    "PlanEntry",
    "QuietPeriod",
    "Rating",
    "RatingReceipt",
    "SupervisionCode",
    "TimeSlotPreference",
    "VisitPurpose",
]
