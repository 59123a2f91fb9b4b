"""What a reported case may be about: the apps above the case engine (重大项目 first)
offer an enterprise's own objects, so that a case is linked to one (``subject_ref``,
"<app>:<id>") without the engine importing those apps. An app registers a source in its
``ready()``; the report form asks ``subjects_for(enterprise)``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from yancheng.core.models import Enterprise


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
