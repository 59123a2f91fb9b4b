"""Route policies of registration, classification, reveal, the revealed export and the
hotspots (see test_route_matrix.py).

The intake matter is a letter registered by the city 信访局 and not yet transferred: the city
信访局 sees it (citywide), supervisors whose area holds it see it, nobody else does."""

from __future__ import annotations

from typing import Any

from tests.test_permission_matrix import Policy
from yancheng.testing.petitions import ID_NUMBERS, register

from .routes_core import EVERYONE_ELSE, PETITION_STAFF

INTAKE_SEES = {"xinfang", "supervisor", "supervisor_housing"}
NOT_SEEING = (PETITION_STAFF | EVERYONE_ELSE) - INTAKE_SEES
STATISTICS = {"xinfang", "xinfang_qidong", "head_housing", "head_hrss", "supervisor_housing", "supervisor", "leader"}


def build(pw: Any) -> None:
    from yancheng.petitions.intake import PetitionerInput

    pw.intake_matter = register(
        pw, petition_type="", claim_route="", title="工资拖欠",
        petitioners=[PetitionerInput("赵六", ID_NUMBERS[2], "13807340002")],
    ).petition
    pw.intake_person = pw.intake_matter.petitioners.get()


def _matter(pw: Any) -> dict[str, Any]:
    return {"pk": pw.intake_matter.pk}


POLICIES: dict[str, Policy] = {
    "petitions:petition_register": Policy({"xinfang", "xinfang_qidong"}),
    "petitions:petition_registered": Policy({"xinfang"}, kwargs=_matter, invisible=NOT_SEEING),
    "petitions:petition_classify": Policy({"xinfang"}, kwargs=_matter, invisible=NOT_SEEING),
    # POST only: a GET answers 405 to everyone signed in.
    "petitions:petition_refuse_again": Policy(set(), denied=405, kwargs=_matter),
    "petitions:petition_reissue_code": Policy(set(), denied=405, kwargs=_matter),
    "petitions:petition_not_accept": Policy(set(), denied=405, kwargs=_matter),
    "petitions:petitioner_reveal": Policy(
        set(), denied=405, kwargs=lambda pw: {"pk": pw.intake_matter.pk, "person": pw.intake_person.pk}
    ),
    "petitions:petition_export_revealed": Policy(set(), denied=405),
    "petitions:hotspots": Policy(STATISTICS),
}
API_ROUTES: set[str] = set()
API_PATHS: dict[str, str] = {}
