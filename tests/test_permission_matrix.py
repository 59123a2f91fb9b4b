"""Every route of the site, tried by every persona (SPEC §12: deny by default).

`test_every_route_is_in_the_matrix` walks the URL resolver and fails on any route without a
declared policy, so a new page cannot ship without one. The matrix then asks each route,
with GET, as anonymous and as each persona, and checks the answer: allowed personas get
a page (or the redirect the route is for), the others 403 — or 404 where the object
belongs to someone else, so its existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from yancheng.core.models import Enterprise, HolidayYear, Organisation, User

PERSONAS = [
    "enterprise_a_user",
    "enterprise_b_user",
    "dispatcher",
    "handler_power",
    "handler_other",
    "inspector",
    "supervisor",
    "leader",
    "system_admin",
    "security_admin",
    "audit_admin",
]
STAFF = {"dispatcher", "handler_power", "handler_other", "inspector", "supervisor", "leader"}
EVERYONE = set(PERSONAS)
CITYWIDE_STAFF = {"handler_power", "inspector", "supervisor", "leader"}


@dataclass
class Policy:
    allowed: set[str]
    # Status for an allowed persona (200 unless the route is a redirect or POST-only).
    ok: tuple[int, ...] = (200,)
    # Status for a persona that is not allowed.
    denied: int = 403
    # Personas for which the object is not even visible (answer: 404).
    invisible: set[str] = field(default_factory=set)
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    # Anonymous: "login" (redirect to the login page), "public" (served), "api" (401).
    anonymous: str = "login"


def enterprise_a(world: Any) -> dict[str, Any]:
    return {"pk": world.enterprise_a.pk}


def attachment_of_a(world: Any) -> dict[str, Any]:
    return {"attachment_id": world.attachment.pk}


ENTERPRISE_A_VISIBLE = {"enterprise_a_user", "dispatcher", "handler_other", "system_admin"} | CITYWIDE_STAFF
NOT_API = "not an API route"
INBOX_ROLES = {"enterprise_a_user", "enterprise_b_user", "dispatcher", "handler_power", "handler_other", "leader",
               "supervisor"}
# The matrix case: enterprise A's problem, assigned to the power company with 祁东发改局 as co-unit.
# The matrix project: enterprise A's, in 祁东's park, the park responsible.
PROJECT_VISIBLE = {"enterprise_a_user", "dispatcher", "handler_other", "system_admin"} | CITYWIDE_STAFF
# Dispatch meetings: staff who take part; the matrix meeting is the 祁东 park's.
SUPERVISION_VIEWERS = {"dispatcher", "leader", "supervisor"}
DASHBOARD = {"dispatcher", "supervisor", "leader"}
MEETING_ROLES = {"dispatcher", "handler_power", "handler_other", "leader", "supervisor"}
MEETING_SEES = {"dispatcher", "leader", "supervisor"}
IMPORT_JOB_SEES = {"dispatcher", "system_admin"}
CASE_VISIBLE = {"enterprise_a_user", "dispatcher", "handler_power", "handler_other", "supervisor"}

MATRIX: dict[str, Policy] = {
    # --- public and personal -----------------------------------------------------------
    "set_language": Policy(EVERYONE, ok=(302,), anonymous="public"),
    "accounts:login": Policy(EVERYONE, ok=(200, 302), anonymous="public"),
    "accounts:logout": Policy(EVERYONE, ok=(405,), anonymous="public"),
    "accounts:otp_setup": Policy(EVERYONE, ok=(200, 302)),
    "accounts:otp_verify": Policy(EVERYONE, ok=(200, 302)),
    "accounts:password_change": Policy(EVERYONE),
    "core:home": Policy(EVERYONE),
    "core:region_list": Policy(EVERYONE),
    "core:holiday_list": Policy(EVERYONE),
    "core:holiday_year": Policy(EVERYONE, kwargs=lambda w: {"year": 2026}),
    "core:holiday_import": Policy({"system_admin"}),
    "api:api_docs": Policy(EVERYONE, ok=(301, 302), anonymous="public"),  # a redirect to api:openapi-view
    "api:api_token_list": Policy(EVERYONE - {"enterprise_a_user", "enterprise_b_user"}),
    "api:api_token_revoke": Policy(EVERYONE, ok=(405,), kwargs=lambda w: {"pk": 1}),
    # --- accounts (三权分立) -----------------------------------------------------------------
    "accounts:account_list": Policy({"system_admin", "security_admin"}),
    "accounts:account_create": Policy({"system_admin"}),
    "accounts:account_failed_logins": Policy({"security_admin"}),
    "accounts:account_detail": Policy({"system_admin", "security_admin"}, kwargs=lambda w: {"pk": w.dispatcher.pk}),
    "accounts:account_set_active": Policy(set(), denied=405, kwargs=lambda w: {"pk": w.dispatcher.pk}),  # POST only
    "accounts:account_end_sessions": Policy(set(), denied=405, kwargs=lambda w: {"pk": w.dispatcher.pk}),  # POST only
    "accounts:account_reset_password": Policy({"system_admin"}, kwargs=lambda w: {"pk": w.dispatcher.pk}),
    "accounts:account_set_role": Policy(set(), denied=405, kwargs=lambda w: {"pk": w.dispatcher.pk}),  # POST only
    "accounts:account_phone_reveal": Policy(set(), denied=405, kwargs=lambda w: {"pk": w.dispatcher.pk}),  # POST only
    "accounts:account_unlock": Policy(set(), denied=405, kwargs=lambda w: {"pk": w.dispatcher.pk}),  # POST only
    "accounts:account_reset_second_factor": Policy(set(), denied=405, kwargs=lambda w: {"pk": w.dispatcher.pk}),  # POST only
    # --- audit trail: the audit administrator only ------------------------------------------------
    "audit:list": Policy({"audit_admin"}),
    "audit:detail": Policy({"audit_admin"}, kwargs=lambda w: {"seq": 1}),
    "audit:export": Policy({"audit_admin"}),
    "audit:verify": Policy({"audit_admin"}),
    # --- organisations -----------------------------------------------------------------------------
    "core:organisation_list": Policy(STAFF | {"system_admin", "security_admin"}),
    "core:organisation_detail": Policy(
        STAFF | {"system_admin", "security_admin"}, kwargs=lambda w: {"pk": w.qidong_park.pk}
    ),
    # --- enterprises -----------------------------------------------------------------------------------
    "core:enterprise_list": Policy(STAFF | {"system_admin"} | {"enterprise_a_user", "enterprise_b_user"}, ok=(200, 302)),
    "core:enterprise_create": Policy({"dispatcher", "system_admin"}),
    "core:enterprise_import": Policy({"dispatcher", "system_admin"}),
    "core:enterprise_import_confirm": Policy(EVERYONE, ok=(405,)),
    "core:enterprise_import_template": Policy({"dispatcher", "system_admin"}),
    # an import job: its uploader (the dispatcher) and the system administrator holding the importer's permission
    "core:import_job_progress": Policy(
        IMPORT_JOB_SEES, kwargs=lambda w: {"pk": w.import_job.pk}, invisible=EVERYONE - IMPORT_JOB_SEES
    ),
    "core:import_job_result": Policy(
        IMPORT_JOB_SEES, kwargs=lambda w: {"pk": w.import_job.pk}, invisible=EVERYONE - IMPORT_JOB_SEES
    ),
    "core:enterprise_detail": Policy(ENTERPRISE_A_VISIBLE, kwargs=enterprise_a, invisible=EVERYONE - ENTERPRISE_A_VISIBLE),
    "core:enterprise_contact_phone_reveal": Policy(  # POST only (tests/core/test_field_encryption.py)
        set(), denied=405, kwargs=lambda w: {"pk": w.enterprise_a.pk, "contact_pk": 1}
    ),
    "core:enterprise_edit": Policy(
        {"enterprise_a_user", "dispatcher", "system_admin"},
        kwargs=enterprise_a,
        invisible=EVERYONE - ENTERPRISE_A_VISIBLE,
    ),
    # --- cases ------------------------------------------------------------------------------------
    "cases:case_inbox": Policy(INBOX_ROLES),
    "cases:case_export": Policy(INBOX_ROLES),
    "cases:case_new": Policy({"enterprise_a_user", "enterprise_b_user", "dispatcher", "handler_power", "handler_other"}),
    "cases:case_report_list": Policy({"dispatcher", "leader", "supervisor"}),
    "cases:case_detail": Policy(CASE_VISIBLE, kwargs=lambda w: {"pk": w.case.pk}, invisible=EVERYONE - CASE_VISIBLE),
    "cases:case_act": Policy(set(), denied=405, kwargs=lambda w: {"pk": w.case.pk, "action": "accept"}),  # POST only
    # --- projects (五制一平台) ---------------------------------------------------------------------
    "projects:project_list": Policy(STAFF | {"system_admin", "enterprise_a_user", "enterprise_b_user"}),
    "projects:project_create": Policy({"dispatcher", "system_admin"}),
    "projects:project_detail": Policy(PROJECT_VISIBLE, kwargs=lambda w: {"pk": w.project.pk},
                             invisible=EVERYONE - PROJECT_VISIBLE),
    "projects:project_edit": Policy({"dispatcher", "system_admin"}, kwargs=lambda w: {"pk": w.project.pk},
                           invisible=EVERYONE - PROJECT_VISIBLE),
    "projects:project_act": Policy(set(), denied=405, kwargs=lambda w: {"pk": w.project.pk, "action": "advance"}),
    "projects:project_nodes": Policy(PROJECT_VISIBLE, kwargs=lambda w: {"pk": w.project.pk},
                            invisible=EVERYONE - PROJECT_VISIBLE),
    "projects:project_node_act": Policy(set(), denied=405, kwargs=lambda w: {"pk": w.project.pk, "action": "add"}),
    "projects:project_import": Policy({"dispatcher", "system_admin"}),
    "projects:project_import_confirm": Policy(set(), denied=405),  # POST only
    "projects:project_import_template": Policy({"dispatcher", "system_admin"}),
    # --- 承诺兑现, 现场观摩, 规模榜单 -------------------------------------------------------------------
    "projects:commitment_list": Policy(SUPERVISION_VIEWERS),
    "projects:commitment_create": Policy(set(), denied=405),  # POST only
    "projects:commitment_actual": Policy(set(), denied=405, kwargs=lambda w: {"pk": 1}),  # POST only
    "projects:observation_list": Policy(SUPERVISION_VIEWERS),
    "projects:observation_create": Policy(set(), denied=405),  # POST only
    "projects:observation_detail": Policy(SUPERVISION_VIEWERS, kwargs=lambda w: {"pk": w.observation.pk}),
    "projects:observation_score": Policy(set(), denied=405, kwargs=lambda w: {"pk": w.observation.pk}),  # POST only
    "projects:project_league": Policy(SUPERVISION_VIEWERS),
    # --- 周调度 ----------------------------------------------------------------------------------------
    "projects:meeting_list": Policy(MEETING_ROLES),
    "projects:meeting_new": Policy({"dispatcher"}),
    "projects:meeting_detail": Policy(MEETING_SEES, kwargs=lambda w: {"pk": w.meeting.pk},
                             invisible=MEETING_ROLES - MEETING_SEES),
    "projects:meeting_notice_docx": Policy(MEETING_SEES, kwargs=lambda w: {"pk": w.meeting.pk},
                                  invisible=MEETING_ROLES - MEETING_SEES),
    "projects:meeting_notice_xlsx": Policy(MEETING_SEES, kwargs=lambda w: {"pk": w.meeting.pk},
                                  invisible=MEETING_ROLES - MEETING_SEES),
    "projects:meeting_build": Policy(set(), denied=405, kwargs=lambda w: {"pk": w.meeting.pk}),  # POST only
    "projects:meeting_item_add": Policy(set(), denied=405, kwargs=lambda w: {"pk": w.meeting.pk}),
    "projects:meeting_decision_add": Policy(set(), denied=405, kwargs=lambda w: {"pk": w.meeting.pk}),
    "projects:meeting_decision_remove": Policy(set(), denied=405, kwargs=lambda w: {"pk": w.meeting.pk, "decision_pk": 1}),
    "projects:meeting_close": Policy(set(), denied=405, kwargs=lambda w: {"pk": w.meeting.pk}),
    # --- 挂图作战: dashboard and rankings -----------------------------------------------------------
    "dashboard:index": Policy(DASHBOARD),
    "dashboard:late_nodes": Policy(DASHBOARD),
    "dashboard:ranking_list": Policy(DASHBOARD),
    "dashboard:ranking_generate": Policy(set(), denied=405),  # POST only
    "dashboard:formula_edit": Policy({"supervisor"}),  # the park dispatcher is not the city office
    # Without ?kind=&key=&from=&to= the page says where to come from (400).
    "dashboard:ranking_counted": Policy(DASHBOARD, ok=(400,)),
    "dashboard:ranking_detail": Policy(DASHBOARD, kwargs=lambda w: {"pk": w.snapshot.pk}),
    "dashboard:ranking_xlsx": Policy(DASHBOARD, kwargs=lambda w: {"pk": w.snapshot.pk}),
    "dashboard:ranking_docx": Policy(DASHBOARD, kwargs=lambda w: {"pk": w.snapshot.pk}),
    "dashboard:quarterly_review": Policy(DASHBOARD, kwargs=lambda w: {"year": 2026, "quarter": 1}),
    "dashboard:annual_assessment": Policy(DASHBOARD, kwargs=lambda w: {"year": 2026}),
    "dashboard:red_yellow": Policy(DASHBOARD),
    "dashboard:red_yellow_close": Policy(set(), denied=405, kwargs=lambda w: {"pk": 1}),  # POST only
    "dashboard:funds_won": Policy(DASHBOARD),
    # --- notifications -------------------------------------------------------------------------
    "notifications:inbox": Policy(EVERYONE),
    "notifications:mark_read": Policy(set(), denied=405, kwargs=lambda w: {"pk": 1}),  # POST only
    "notifications:mark_all_read": Policy(set(), denied=405),  # POST only
    "notifications:delivery_list": Policy({"system_admin"}),
    "notifications:delivery_retry": Policy(set(), denied=405, kwargs=lambda w: {"pk": 1}),  # POST only
    "notifications:channel_list": Policy({"system_admin"}),
    "notifications:channel_create": Policy({"system_admin"}),
    "notifications:channel_edit": Policy({"system_admin"}, kwargs=lambda w: {"pk": w.robot.pk}),
    "notifications:channel_test": Policy(set(), denied=405, kwargs=lambda w: {"pk": 1}),  # POST only
    # --- attachments ---------------------------------------------------------------------------------------
    "attachments:download": Policy(ENTERPRISE_A_VISIBLE, kwargs=attachment_of_a, invisible=EVERYONE - ENTERPRISE_A_VISIBLE),
    "attachments:delete": Policy(set(), ok=(405,), kwargs=attachment_of_a, denied=405),
    "attachments:upload": Policy(
        set(), ok=(405,), kwargs=lambda w: {"key": "core.enterprise", "object_id": w.enterprise_a.pk}, denied=405
    ),
}

# API routes answer 401 to anonymous callers; their per-role behaviour is tested in tests/api.
API_ROUTES = {
    "api:openapi-json", "api:openapi-view", "api:me", "api:region_list", "api:organisation_list",
    "api:organisation_detail", "api:enterprise_list", "api:enterprise_create_endpoint", "api:enterprise_detail",
    "api:enterprise_patch", "api:attachment_list", "api:attachment_upload", "api:attachment_detail",
    "api:attachment_remove", "api:attachment_content", "api:api-root", "api:api_not_found",
    "api:cases_list", "api:cases_create", "api:cases_detail", "api:cases_timeline", "api:cases_action",
    "api:projects_list", "api:projects_detail", "api:projects_create", "api:projects_patch",
    # encrypted phones: per-role behaviour in tests/core/test_field_encryption.py
    "api:enterprise_contacts", "api:enterprise_contact_phone_reveal_endpoint", "api:account_phone_reveal_endpoint",
}
UNNAMED_ALLOWED = {"api/docs/"}  # the trailing-slash redirect of api_docs


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            found += _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or ""
            full = f"{namespace}:{name}" if namespace and name else name
            found.append((prefix + str(pattern.pattern), full))
    return found


def _declared() -> tuple[set[str], set[str]]:
    """Route names with a policy here or in the modules' matrices, and API route names."""
    from tests.chains.test_route_matrix import CHAIN_API_ROUTES, CHAIN_MATRIX
    from tests.inspections.test_route_matrix import INSPECTION_API_ROUTES, INSPECTION_MATRIX
    from tests.petitions.test_route_matrix import PETITION_API_ROUTES, PETITION_MATRIX
    from tests.safety.test_route_matrix import SAFETY_API_ROUTES, SAFETY_MATRIX

    return (
        set(MATRIX) | set(INSPECTION_MATRIX) | set(PETITION_MATRIX) | set(SAFETY_MATRIX) | set(CHAIN_MATRIX),
        API_ROUTES | INSPECTION_API_ROUTES | PETITION_API_ROUTES | SAFETY_API_ROUTES | CHAIN_API_ROUTES,
    )


def test_every_route_is_in_the_matrix():
    matrix, api_routes = _declared()
    missing = []
    for path, name in _walk(get_resolver().url_patterns):
        if path.startswith("admin/"):
            continue  # the Django admin: test_only_the_system_administrator_enters_the_admin
        if name in matrix or name in api_routes or path in UNNAMED_ALLOWED:
            continue
        missing.append(f"{path} ({name or 'unnamed'})")
    assert not missing, "routes without a declared permission policy: " + ", ".join(missing)


def test_the_matrix_names_no_route_that_does_not_exist():
    names = {name for _path, name in _walk(get_resolver().url_patterns)}
    matrix, api_routes = _declared()
    assert matrix - names == set()
    assert api_routes - names == set()


@pytest.fixture(scope="module")
def _module_matrix_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world and the matrix's objects, built once for the module inside a transaction
    rolled back at the end; each test runs in a savepoint of its own (GETs change nothing,
    which every test checks, and a login's writes are rolled back)."""
    from django.db import transaction
    from django.test import override_settings

    from yancheng.testing.world import build_world

    with django_db_blocker.unblock(), transaction.atomic(), override_settings(
        YANCHENG_ATTACHMENT_ROOT=tmp_path_factory.mktemp("matrix-attachments")
    ):
        yield _build_matrix_world(build_world())
        transaction.set_rollback(True)


@pytest.fixture
def matrix_world(_module_matrix_world, db, settings):
    settings.YANCHENG_ATTACHMENT_ROOT = _module_matrix_world.attachment_root
    return _module_matrix_world


def _build_matrix_world(world):
    from django.conf import settings as django_settings
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yancheng.core.attachments.services import attachment_add

    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
        b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    from yancheng.core.notifications.services import channel_create

    world.robot = channel_create(
        organisation=world.qidong_park, kind="wecom", name="园区调度工作群",
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=matrix", actor=world.system_admin,
    )
    from yancheng.cases.services import case_assign, case_submit

    world.case = case_submit(actor=world.enterprise_a_user, title="高压专线未接入", description="尚未接入")
    case_assign(world.case, actor=world.dispatcher, lead_org=world.power_company, co_orgs=[world.qidong_ndrc])
    from decimal import Decimal

    from yancheng.projects.services.meetings import meeting_create
    from yancheng.projects.services.registry import project_create

    world.project = project_create(
        name="矩阵项目", code="QD-1", region=world.qidong, park=world.qidong_park, total_investment=Decimal(1),
        responsible_org=world.qidong_park, enterprise=world.enterprise_a, actor=None,
    )
    from yancheng.projects.services.supervision import observation_round_create

    world.observation = observation_round_create(title="三季度现场观摩", held_on=date(2026, 9, 30), actor=None)
    world.meeting = meeting_create(actor=world.dispatcher, title="祁东园区周调度会", held_on=date(2026, 11, 23))
    from yancheng.dashboard.rankings import Month
    from yancheng.dashboard.services import ranking_snapshot_generate

    world.snapshot, _created = ranking_snapshot_generate(kind="region", month=Month(2026, 1), actor=world.supervisor)
    world.attachment = attachment_add(
        world.enterprise_a, file=SimpleUploadedFile("licence.png", png), actor=world.system_admin
    )
    world.attachment_root = django_settings.YANCHENG_ATTACHMENT_ROOT
    from yancheng.core.kit.import_jobs import keep_file
    from yancheng.core.models import ImportJob

    world.import_job = ImportJob.objects.create(
        user=world.dispatcher, importer="yancheng.core.importers.enterprises_import",
        permission="core.import_enterprises", file_name="企业.xlsx", state=ImportJob.State.DONE,
        result=keep_file(b"PK matrix"),
    )
    return world


def _business_counts() -> tuple[int, ...]:
    from yancheng.cases.models import Case, CaseEvent

    return (
        Enterprise.objects.count(), Organisation.objects.count(), User.objects.count(), HolidayYear.objects.count(),
        Case.objects.count(), CaseEvent.objects.count(), sum(Case.objects.values_list("version", flat=True)),
    )


CASES = [(name, persona) for name in MATRIX for persona in ["anonymous", *PERSONAS]]


def check_route(client: Any, route: str, policy: Policy, persona: str, world: Any, user: Any) -> None:
    """GET the route as ``persona`` (``user``, None for anonymous) and check the answer the policy
    declares; a GET must change no business data. Shared by the module matrices."""
    url = reverse(route, kwargs=policy.kwargs(world) if policy.kwargs else None)
    before = _business_counts()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    status = response.status_code
    if persona == "anonymous":
        if policy.anonymous == "login":
            assert status == 302 and response["Location"].startswith(reverse("accounts:login")), (route, status)
        else:
            assert status < 500, (route, status)
    elif persona in policy.allowed:
        assert status in policy.ok, (route, persona, status)
    elif persona in policy.invisible:
        assert status == 404, (route, persona, status)
    else:
        assert status == policy.denied, (route, persona, status)
    assert _business_counts() == before, f"GET {route} changed data"


@pytest.mark.parametrize(("route", "persona"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_route_answers_each_persona_as_declared(client, matrix_world, route, persona):
    user = None if persona == "anonymous" else getattr(matrix_world, persona)
    check_route(client, route, MATRIX[route], persona, matrix_world, user)


@pytest.mark.parametrize("route", sorted(r for r in API_ROUTES if r not in {"api:api_not_found"}))
def test_api_routes_refuse_anonymous_callers(client, route):
    from yancheng.api.main import api

    del api  # the API is mounted; its paths come from the schema
    path = {
        "api:organisation_detail": "/api/v1/organisations/1",
        "api:enterprise_detail": "/api/v1/enterprises/1",
        "api:enterprise_patch": "/api/v1/enterprises/1",
        "api:attachment_list": "/api/v1/objects/core.enterprise/1/attachments",
        "api:attachment_upload": "/api/v1/objects/core.enterprise/1/attachments",
        "api:attachment_detail": "/api/v1/attachments/00000000-0000-0000-0000-000000000000",
        "api:attachment_remove": "/api/v1/attachments/00000000-0000-0000-0000-000000000000",
        "api:attachment_content": "/api/v1/attachments/00000000-0000-0000-0000-000000000000/content",
        "api:cases_detail": "/api/v1/cases/1",
        "api:cases_timeline": "/api/v1/cases/1/timeline",
        "api:cases_action": "/api/v1/cases/1/actions/accept",
        "api:projects_detail": "/api/v1/projects/1",
        "api:projects_patch": "/api/v1/projects/1",
        "api:enterprise_contacts": "/api/v1/enterprises/1/contacts",
        "api:enterprise_contact_phone_reveal_endpoint": "/api/v1/enterprises/1/contacts/1/phone/reveal",
        "api:account_phone_reveal_endpoint": "/api/v1/accounts/1/phone/reveal",
    }.get(route) or reverse(route)
    response = client.get(path)
    # The bare root is not an operation: it answers the JSON 404 to everyone.
    # The actions path takes only POST: a GET is 405 before anyone is asked who they are.
    expected = {
        "api:api-root": (404,), "api:cases_action": (405,),
        "api:enterprise_contact_phone_reveal_endpoint": (405,), "api:account_phone_reveal_endpoint": (405,),
    }.get(route, (401, 302))
    assert response.status_code in expected, (route, response.status_code)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_system_administrator_enters_the_admin(client, matrix_world, persona):
    client.force_login(getattr(matrix_world, persona))
    response = client.get(reverse("admin:core_enterprise_changelist"))
    if persona == "system_admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login")) or "/admin/login/" in response["Location"]
