"""Core models: places, organisations, enterprises, people and the holiday calendar."""

from .calendar import HolidayDay, HolidayYear
from .enterprises import Enterprise, EnterpriseContact, IndustryChain
from .imports import ImportJob
from .jobs import PeriodicJobRun
from .organisations import Organisation, Region
from .users import PasswordHistory, Role, User

__all__ = [
    "Enterprise",
    "EnterpriseContact",
    "HolidayDay",
    "HolidayYear",
    "ImportJob",
    "IndustryChain",
    "Organisation",
    "PasswordHistory",
    "PeriodicJobRun",
    "Region",
    "Role",
    "User",
]
