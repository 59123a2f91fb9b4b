"""The 常态化 pages and API: recording through the checklist form (with a hazard and a photo),
the way to register first, the task list's lights and export, the generation button, the
to-dos, and the API's list, detail and creation."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from yancheng.api.testing import api_client_for
from yancheng.core.attachments.services import attachments_for
from yancheng.core.workbench import todos_for
from yancheng.inspections.registration.register import inspection_register
from yancheng.safety.models import CheckTask, Hazard, SafetyCheck
from yancheng.safety.services.checks_generation import check_tasks_generate
from yancheng.testing.inspections import build_inspection_world
from yancheng.testing.world import CERTIFICATES

NOW = dt.datetime(2026, 5, 12, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
EMERGENCY = [CERTIFICATES["inspector_emergency"], CERTIFICATES["inspector_emergency2"]]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def iw(sw):
    return build_inspection_world(sw.world)


def visit(iw):
    return inspection_register(
        actor=iw.world.inspector_emergency, enterprise=iw.world.enterprise_b, found_by="code", code=iw.code_b,
        kind="enforcement", items=[iw.chemicals], inspectors=EMERGENCY, outside_plan_reason="superior",
    )


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")


def form(sw, fail="GM-03", hazard=True):
    data = {"summary": "现场检查"}
    for code in ("GM-01", "GM-02", "GM-03", "GM-04"):
        pk = sw.items[code].pk
        data[f"outcome_{pk}"] = "fail" if code == fail else "pass"
        data[f"note_{pk}"] = ""
    if hazard:
        pk = sw.items[fail].pk
        data |= {f"hazard_{pk}": "1", f"level_{pk}": "major", f"desc_{pk}": "除尘器未设泄爆装置"}
    return data


def test_an_inspector_records_a_check_with_a_hazard_and_a_photo_on_the_page(client, sw, iw):
    registration = visit(iw)
    client.force_login(sw.world.inspector_emergency)
    url = reverse("safety:check_record_department")
    chooser = client.get(url, {"enterprise": sw.enterprise_b.pk})
    assert registration.number in chooser.content.decode()
    params = f"?enterprise={sw.enterprise_b.pk}&inspection={registration.pk}&system=industry"
    page = client.get(url + params)
    assert page.status_code == 200 and "GM-03" in page.content.decode()
    response = client.post(url + params, form(sw) | {"photos": [png()]})
    check = SafetyCheck.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("safety:check_detail", args=[check.pk])
    hazard = Hazard.objects.get()
    assert (hazard.found_in, hazard.level, hazard.item) == (check, "major", sw.items["GM-03"])
    assert attachments_for(check).get().mime_type == "image/png"
    detail = client.get(response["Location"]).content.decode()
    assert hazard.number in detail and "现场检查" in detail


def test_a_form_with_an_item_left_out_says_which_and_keeps_nothing(client, sw, iw):
    registration = visit(iw)
    client.force_login(sw.world.inspector_emergency)
    data = form(sw)
    del data[f"outcome_{sw.items['GM-04'].pk}"]
    url = reverse("safety:check_record_department") + f"?enterprise={sw.enterprise_b.pk}&inspection={registration.pk}&system=industry"
    response = client.post(url, data)
    assert response.status_code == 200 and "GM-04" in response.content.decode()
    assert not SafetyCheck.objects.exists() and not Hazard.objects.exists()


def test_a_photo_that_is_not_an_image_keeps_nothing(client, sw, iw):
    registration = visit(iw)
    client.force_login(sw.world.inspector_emergency)
    url = reverse("safety:check_record_department") + f"?enterprise={sw.enterprise_b.pk}&inspection={registration.pk}&system=industry"
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client.post(url, form(sw) | {"photos": [fake]})
    assert response.status_code == 200
    assert not SafetyCheck.objects.exists() and not Hazard.objects.exists()


def test_without_an_own_registration_the_page_shows_the_way_to_register(client, sw, iw):
    client.force_login(sw.safety_emergency)
    response = client.get(reverse("safety:check_record_department"), {"enterprise": sw.enterprise_b.pk})
    body = response.content.decode()
    assert "data-no-registration" in body
    assert reverse("inspections:inspection_register", args=[sw.enterprise_b.pk]) in body
    # another inspector's registration cannot be named in the link either
    registration = visit(iw)
    params = f"?enterprise={sw.enterprise_b.pk}&inspection={registration.pk}&system=industry"
    response = client.post(reverse("safety:check_record_department") + params, form(sw))
    assert response.status_code == 200 and not SafetyCheck.objects.exists()


def test_an_enterprise_self_checks_on_the_phone_page_only_its_mapped_systems(client, sw):
    client.force_login(sw.world.users["enterprise_b"])
    url = reverse("safety:check_record_self")
    picker = client.get(url).content.decode()
    assert "system=industry" in picker and "system=fire" not in picker
    assert client.get(url + "?system=fire").status_code == 200  # back to the picker
    response = client.post(url + "?system=industry", form(sw, hazard=False))
    assert response.status_code == 302
    assert SafetyCheck.objects.get().enterprise == sw.enterprise_b


def test_the_task_list_lights_exports_and_generates(client, sw):
    client.force_login(sw.anweiban)
    response = client.post(reverse("safety:check_task_generate"), {"month": "2026-05"})
    assert response.status_code == 302 and CheckTask.objects.count() == 2
    assert client.post(reverse("safety:check_task_generate"), {"month": "bad"}).status_code == 302
    page = client.get(reverse("safety:check_task_list"), {"period": "2026-05", "light": "green"})
    assert page.status_code == 200 and page.context["page"].paginator.count == 2
    export = client.get(reverse("safety:check_task_list"), {"period": "2026-05", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3 and {r[0] for r in rows[1:]} == {sw.emergency_bureau.name, sw.qidong_emergency.name}
    client.force_login(sw.safety_emergency)
    assert client.post(reverse("safety:check_task_generate"), {"month": "2026-06"}).status_code == 403
    mine = client.get(reverse("safety:check_task_list"))
    assert [t.unit for t in mine.context["page"]] == [sw.emergency_bureau]


def test_the_todos_count_what_their_lists_show(client, sw):
    check_tasks_generate(year=2026, month=5, actor=None)
    todo = {t.key: t for t in todos_for(sw.safety_emergency)}["safety.tasks_this_month"]
    assert (todo.count, todo.light) == (1, "green")
    client.force_login(sw.safety_emergency)
    assert client.get(todo.url).context["page"].paginator.count == 1
    assert "safety.tasks_this_month" not in {t.key for t in todos_for(sw.safety_fire)}  # no 工贸 task of its own
    with time_machine.travel(dt.datetime(2026, 6, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        overdue = {t.key: t for t in todos_for(sw.anweiban)}["safety.tasks_overdue"]
        assert (overdue.count, overdue.light) == (2, "red")
        qidong = {t.key: t for t in todos_for(sw.anweiban_qidong)}["safety.tasks_overdue"]
        assert qidong.count == 1
        client.force_login(sw.anweiban)
        assert client.get(overdue.url).context["page"].paginator.count == 2


def test_the_api_lists_records_and_refuses(sw, iw):
    registration = visit(iw)
    inspector = api_client_for(sw.world.inspector_emergency)
    body = {"kind": "department", "system": "industry", "enterprise": sw.enterprise_b.pk,
            "inspection": registration.pk, "summary": "API",
            "results": [{"item": c, "outcome": "pass"} for c in ("GM-01", "GM-02", "GM-04")]
            + [{"item": "GM-03", "outcome": "fail", "hazard_level": "major", "hazard_description": "泄爆缺失"}]}
    created = inspector.post("/api/v1/safety/checks", body, headers={"Idempotency-Key": "k-1"})
    assert created.status_code == 201, created.content
    answer = created.json()
    assert answer["inspection"] == registration.pk and len(answer["hazards"]) == 1
    again = inspector.post("/api/v1/safety/checks", body, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and SafetyCheck.objects.count() == 1
    other = api_client_for(sw.safety_emergency)
    refused = other.post("/api/v1/safety/checks", body, headers={"Idempotency-Key": "k-2"})
    assert refused.status_code == 403 and SafetyCheck.objects.count() == 1
    assert inspector.get(f"/api/v1/safety/checks/{answer['id']}").json()["results"][2]["outcome"] == "fail"
    assert api_client_for(sw.safety_qidong).get(f"/api/v1/safety/checks/{answer['id']}").status_code == 404
    listed = api_client_for(sw.anweiban).get("/api/v1/safety/checks", {"kind": "department"}).json()
    assert [c["number"] for c in listed["items"]] == [answer["number"]]
    generated = api_client_for(sw.anweiban).post("/api/v1/safety/tasks/generate", {"year": 2026, "month": 5},
                                                 headers={"Idempotency-Key": "g-1"})
    assert generated.json()["created"] == 2
    tasks = inspector.get("/api/v1/safety/tasks").json()["items"]
    assert [(t["unit"], t["done"], t["light"]) for t in tasks] == [(sw.emergency_bureau.pk, 1, "ontime")]
    assert api_client_for(sw.world.users["enterprise_a"]).get("/api/v1/safety/tasks").status_code == 403
    assert api_client_for(sw.safety_emergency).post(
        "/api/v1/safety/tasks/generate", {"year": 2026, "month": 6}, headers={"Idempotency-Key": "g-2"}
    ).status_code == 403
