"""The generator's stages, in the order they run. A new table (inspection registrations,
petitions …) is one more Stage subclass in its own module, added here."""

from .audit import AuditStage
from .cases import CaseStage
from .chains import ChainStage
from .enterprises import EnterpriseStage
from .final import FinalStage
from .inspections import InspectionSetupStage, InspectionStage
from .petitions import PetitionStage
from .projects import ProjectStage
from .rankings import RankingStage
from .safety import SafetyStage
from .world import WorldStage

STAGES = (
    WorldStage(),
    EnterpriseStage(),
    ProjectStage(),
    CaseStage(),  # with the cases' in-app notifications
    InspectionSetupStage(),
    InspectionStage(),
    PetitionStage(),  # after the cases: their petition cases become the handled matters
    SafetyStage(),  # after the world and the enterprises; its hazard cases are its own
    ChainStage(),  # after the enterprises (their chain tags place them on the maps)
    RankingStage(),
    AuditStage(),  # last of the writers: the trail is topped up to the scale's count
    FinalStage(),
)
