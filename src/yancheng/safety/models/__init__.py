"""安全「五全一常态」(SPEC §7): the responsibility systems and who answers for them
(``registry``), the recurring checks and their records (``checks``), and hazards rectified
and closed on the case engine (``hazards``). Anchored in 《安全生产法》(2021) 第四十一条."""

from .checks import CheckKind, CheckOutcome, CheckResult, CheckTask, SafetyCheck
from .hazards import Hazard, HazardLevel, HazardSource, HazardStage, Rectification
from .registry import (
    DutyLevel,
    EnterpriseSystem,
    Frequency,
    MappingSource,
    PostKind,
    ResponsibilityLetter,
    ResponsiblePerson,
    SafetySystem,
    SystemCategory,
    SystemChecklistItem,
    SystemDuty,
    SystemRevision,
    SystemUnit,
)
from .stats import Bulletin

__all__ = [
    "Bulletin",
    "CheckKind",
    "CheckOutcome",
    "CheckResult",
    "CheckTask",
    "DutyLevel",
    "EnterpriseSystem",
    "Frequency",
    "Hazard",
    "HazardLevel",
    "HazardSource",
    "HazardStage",
    "MappingSource",
    "PostKind",
    "Rectification",
    "ResponsibilityLetter",
    "ResponsiblePerson",
    "SafetyCheck",
    "SafetySystem",
    "SystemCategory",
    "SystemChecklistItem",
    "SystemDuty",
    "SystemRevision",
    "SystemUnit",
]
