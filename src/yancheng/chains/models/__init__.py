"""The chains module's tables (产业链「五单一图谱」, SPEC §5), one module per family:
``registry`` (the chain as the 链长负责制 runs it, its development path and its map),
``targets`` (发展目标清单), ``leads`` (招商引资重点项目清单), ``research`` (科研成果清单) and
``meetings`` (链长 meetings). The 在建重大项目清单 and 重点问题清单 are read live from
``projects`` and ``cases`` and have no table here."""

from .leads import FillKind, InvestorKind, Lead, LeadEvent, LeadStage
from .meetings import ChainAgendaItem, ChainDecision, ChainMeeting
from .registry import ChainPath, ChainProfile, MapLink, MapNode, Placement, PlacementRole, Segment, Strength
from .research import IpKind, MatchStatus, ResearchMatch, ResearchResult
from .targets import Cadence, ChainTarget, TargetActual, TargetMetric

__all__ = [
    "Cadence", "ChainAgendaItem", "ChainDecision", "ChainMeeting", "ChainPath", "ChainProfile", "ChainTarget",
    "FillKind", "InvestorKind", "IpKind", "Lead", "LeadEvent", "LeadStage", "MapLink", "MapNode", "MatchStatus",
    "Placement", "PlacementRole", "ResearchMatch", "ResearchResult", "Segment", "Strength", "TargetActual",
    "TargetMetric",
]
