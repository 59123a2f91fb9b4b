"""What a reported case may be about: the apps above the case engine (重大项目 first)
offer an enterprise's own objects, so that a case is linked to one (``subject_ref``,
"<app>:<id>") without the engine importing those apps. An app registers a source in its
``ready()``; the report form asks ``subjects_for(enterprise)``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from yancheng.core.models import Enterprise

if TYPE_CHECKING:
    from .models import Case


@dataclass(frozen=True)
class Subject:
    """One choice of 所涉项目: its reference ("project:42") and the name people know it by."""

    ref: str
    label: str


SubjectSource = Callable[[Enterprise], Iterable[Subject]]

_SOURCES: dict[str, SubjectSource] = {}


def register_subjects(key: str, source: SubjectSource) -> None:
    """Offer ``source``'s objects of an enterprise as what its cases may be about
    (registering the same key again replaces the source)."""
    _SOURCES[key] = source


def subjects_for(enterprise: Enterprise) -> list[Subject]:
    """The enterprise's objects its cases may be about, source by source."""
    return [subject for source in _SOURCES.values() for subject in source(enterprise)]


# --- kinds worked on their module's own pages ------------------------------------------------------
# A module whose matters carry their own steps (信访: notices, 复查, 终结) runs its cases on the
# engine but takes every step through its own services. Its kinds are left out of the generic
# inbox, the case page sends the reader to the module's page, and the generic action table
# (page and API) refuses them: a step taken there would skip the module's notices.

CaseHome = Callable[["Case"], "str | None"]
_HOMES: dict[str, CaseHome] = {}


def register_case_home(kind: str, url_for: CaseHome) -> None:
    """Cases of ``kind`` are worked on the page ``url_for(case)`` names (None: not found)."""
    _HOMES[kind] = url_for


def worked_elsewhere_kinds() -> list[str]:
    return sorted(_HOMES)


def case_home(case: Case) -> str | None:
    """The module's page of a case whose kind is worked elsewhere, else None."""
    url_for = _HOMES.get(case.kind)
    return url_for(case) if url_for is not None else None
