"""Core models: places, organisations, enterprises, people and the holiday calendar."""

from .calendar import HolidayDay, HolidayYear
from .enterprises import Enterprise, EnterpriseContact, IndustryChain
from .imports import ImportJob
from .jobs import PeriodicJobRun
from .numbering import NumberCounter
from .organisations import Organisation, Region
from .users import PasswordHistory, Role, User

__all__ = [
    "Enterprise",
    "EnterpriseContact",
    "HolidayDay",
    "HolidayYear",
    "ImportJob",
    "IndustryChain",
    "NumberCounter",
    "Organisation",
    "PasswordHistory",
    "PeriodicJobRun",
    "Region",
    "Role",
    "User",
]
