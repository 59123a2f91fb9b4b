"""The registry's API: systems with If-Match, items, units, mappings, gaps and letters."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.attachments import samples
from yancheng.api.testing import api_client_for
from yancheng.safety.models import ResponsibilityLetter

pytestmark = pytest.mark.django_db
URL = "/api/v1/safety"


def test_a_system_is_created_changed_with_if_match_and_retired(sw):
    office = api_client_for(sw.anweiban)
    created = office.post(f"{URL}/registry/systems", {
        "code": "gas", "name": "城镇燃气安全责任制", "category": "gas", "leading_org": sw.fire_brigade.code,
        "industry_codes": ["D45", "h62"]}, headers={"Idempotency-Key": "gas-1"})
    assert created.status_code == 201, created.json()
    assert created.json()["industry_codes"] == ["D45", "H62"]
    tag = created["ETag"]
    assert office.patch(f"{URL}/registry/systems/gas", {"name": "燃气"}).status_code == 428
    assert office.patch(f"{URL}/registry/systems/gas", {"name": "燃气"}, headers={"If-Match": '"99"'}).status_code == 412
    changed = office.patch(f"{URL}/registry/systems/gas", {"name": "燃气安全", "summary": "改名"},
                           headers={"If-Match": tag})
    assert changed.status_code == 200 and changed.json()["name"] == "燃气安全"
    bad = office.patch(f"{URL}/registry/systems/gas", {"industry_codes": ["Q"*3]}, headers={"If-Match": changed["ETag"]})
    assert bad.status_code == 422
    item = office.post(f"{URL}/registry/systems/gas/items", {"code": "RQ-01", "text": "燃气报警器完好",
                                                              "is_major_criterion": True},
                       headers={"Idempotency-Key": "gas-item"})
    assert item.status_code == 201
    detail = office.get(f"{URL}/registry/systems/gas")
    assert [i["code"] for i in detail.json()["items"]] == ["RQ-01"]
    retired = office.post(f"{URL}/registry/systems/gas/retire", {"summary": "合并"},
                          headers={"If-Match": detail["ETag"], "Idempotency-Key": "gas-retire"})
    assert retired.status_code == 200 and retired.json()["is_active"] is False


def test_readers_read_and_others_are_refused(sw):
    listed = api_client_for(sw.world.users["inspector"]).get(f"{URL}/registry/systems")
    assert listed.status_code == 200 and {s["code"] for s in listed.json()["items"]} == {"fire", "industry"}
    assert api_client_for(sw.world.users["enterprise_a"]).get(f"{URL}/registry/systems").status_code == 403
    county = api_client_for(sw.anweiban_qidong)
    refused = county.post(f"{URL}/registry/systems", {"code": "x", "name": "x", "category": "gas",
                                                      "leading_org": sw.fire_brigade.code},
                          headers={"Idempotency-Key": "x-1"})
    assert refused.status_code == 403
    assert api_client_for(sw.safety_fire).get(f"{URL}/coverage/gaps").status_code == 403


def test_gaps_mappings_and_letters(sw):
    office = api_client_for(sw.anweiban)
    gaps = office.get(f"{URL}/coverage/gaps").json()
    assert gaps["count"] == 1 and gaps["items"][0]["enterprise"] == sw.world.enterprise_a.uscc
    mapped = office.post(f"{URL}/coverage/mappings", {"enterprise": sw.world.enterprise_a.uscc, "system": "fire",
                                                      "responsible_org": sw.qidong_emergency.code},
                         headers={"Idempotency-Key": "map-1"})
    assert mapped.status_code == 201
    assert office.get(f"{URL}/coverage/gaps").json()["count"] == 0
    issued = office.post(f"{URL}/letters", {"year": timezone.localdate().year,
                                            "units": [sw.fire_brigade.code, sw.qidong_emergency.code]},
                         headers={"Idempotency-Key": "letters-1"})
    assert issued.status_code == 201 and len(issued.json()) == 2
    letter = ResponsibilityLetter.objects.get(unit=sw.fire_brigade)
    unit = api_client_for(sw.safety_fire)
    form = {"signed_on": timezone.localdate().isoformat(), "signatory": "支队长",
            "file": SimpleUploadedFile("责任书.pdf", samples.pdf(), content_type="application/pdf")}
    assert api_client_for(sw.safety_qidong).post_multipart(
        f"{URL}/letters/{letter.pk}/sign", form, headers={"If-Match": '"1"', "Idempotency-Key": "s-0"}
    ).status_code == 404
    form["file"].seek(0)
    signed = unit.post_multipart(f"{URL}/letters/{letter.pk}/sign", form,
                                 headers={"If-Match": '"1"', "Idempotency-Key": "s-1"})
    assert signed.status_code == 200, signed.json()
    assert signed.json()["status"] == "signed"
    assert unit.get(f"{URL}/letters").json()["count"] == 1
