"""Route policies of the notices (download, 送达) and the annual report (see test_route_matrix.py).

The matrix notice is a 交办单 of the city 信访局 on the matrix matter (handled by the 住建局):
the 信访局 and the 住建局's handler and head download it; a supervisor sees the matter but not
the name inside the notice; whoever does not see the matter gets 404."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tests.test_permission_matrix import Policy

from .routes_core import EVERYONE_ELSE, MATTER_SEES, PETITION_STAFF

DOWNLOADERS = {"xinfang", "handler_housing", "head_housing"}
STATISTICS = {"xinfang", "xinfang_qidong", "head_housing", "head_hrss", "supervisor_housing", "supervisor", "leader"}


def build(pw: Any) -> None:
    from yancheng.petitions.documents import document_issue
    from yancheng.petitions.models import DocumentKind

    with transaction.atomic():
        pw.matrix_document = document_issue(pw.matter, DocumentKind.ASSIGNMENT, actor=None, issuer=pw.city_bureau)


POLICIES: dict[str, Policy] = {
    "petitions:document_download": Policy(
        DOWNLOADERS, kwargs=lambda pw: {"pk": pw.matrix_document.pk},
        invisible=(PETITION_STAFF | EVERYONE_ELSE) - MATTER_SEES,
    ),
    # POST only: every GET is refused with 405 before anything is looked up.
    "petitions:document_serve": Policy(set(), denied=405, kwargs=lambda pw: {"pk": pw.matrix_document.pk}),
    "petitions:annual_report": Policy(STATISTICS),
}
API_ROUTES: set[str] = set()
API_PATHS: dict[str, str] = {}
