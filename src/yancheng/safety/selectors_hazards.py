"""Reads of the hazard pages and the API: the list (lights and filters from ``selectors``),
and the hazard page a rectification case belongs to."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from yancheng.cases.models import Case
from yancheng.core.typing import MaybeActor

from .models import Hazard
from .selectors import annotate_hazard_lights


def case_home_url(case: Case) -> str | None:
    """A hazard's rectification case is worked on the hazard's page (``subject_ref``
    "hazard:<id>", or found through the hazard's link)."""
    ref = case.subject_ref or ""
    pk: int | None = int(ref[7:]) if ref.startswith("hazard:") and ref[7:].isdigit() else None
    if pk is None:
        pk = Hazard.objects.filter(case_id=case.pk).values_list("pk", flat=True).first()
    return reverse("safety:hazard_detail", args=[pk]) if pk else None


def hazard_list(user: MaybeActor | None) -> QuerySet[Hazard]:
    """The hazards the user sees, lit, with what the list shows."""
    qs = Hazard.objects.visible_to(user).select_related(
        "system", "enterprise", "region", "supervising_org", "case", "repeat_of"
    )
    return annotate_hazard_lights(qs)


# --- the to-dos: each count is its list's total under the link's ``todo`` filter --------------------

TODO_KEYS = ("to_accept", "to_verify", "overdue", "to_rectify", "supervised", "major_open", "reported_open")


def _supervised_by(user: MaybeActor | None, qs: QuerySet[Hazard]) -> QuerySet[Hazard]:
    from yancheng.core.typing import organisation_of

    from .permissions import is_department_safety

    if not is_department_safety(user):
        return qs.none()
    # The department's own staff, as ``permissions.hazard_standing``: a parent unit has no step to take.
    return qs.filter(supervising_org_id=organisation_of(user).pk)  # type: ignore[arg-type]


def todo_filter(user: MaybeActor | None, qs: QuerySet[Hazard], key: str) -> QuerySet[Hazard]:
    """``qs`` (the user's lit hazards) narrowed to one to-do; an unknown key leaves it whole."""
    from yancheng.cases.models import Light

    from .models import HazardLevel, HazardStage, Rectification
    from .models.hazards import OPEN_STAGES

    if key == "to_accept":
        return _supervised_by(user, qs.filter(stage=HazardStage.REPORTED))
    if key == "to_verify":
        mine = Rectification.objects.filter(outcome=Rectification.Outcome.PENDING, submitted_by_id=getattr(user, "pk", None))
        return _supervised_by(user, qs.filter(stage=HazardStage.AWAITING_VERIFICATION)).exclude(
            pk__in=mine.values("hazard_id"))
    if key == "overdue":
        return qs.filter(stage__in=OPEN_STAGES, **{"light": Light.RED.value})  # annotate_hazard_lights' annotation
    if key == "to_rectify":
        org_id = getattr(user, "organisation_id", None)
        if org_id is None:
            return qs.none()
        return qs.filter(stage=HazardStage.RECTIFYING, enterprise__organisation_id=org_id)
    if key == "supervised":
        return qs.filter(stage__in=OPEN_STAGES, supervised_at__isnull=False)
    if key == "major_open":
        return qs.filter(stage__in=OPEN_STAGES, level=HazardLevel.MAJOR)
    if key == "reported_open":
        org_id = getattr(user, "organisation_id", None)
        if org_id is None:
            return qs.none()
        return qs.filter(stage__in=OPEN_STAGES, reporter_org_id=org_id)
    return qs


def todo_queryset(user: MaybeActor | None, key: str) -> QuerySet[Hazard]:
    return todo_filter(user, hazard_list(user), key)
