"""The registry's edit pages: the city office edits, a unit signs its letter with the scan."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.attachments import samples
from yancheng.safety.models import ResponsibilityLetter, SafetySystem
from yancheng.safety.services.letters import letters_issue

pytestmark = pytest.mark.django_db


def test_the_city_office_edits_a_system_and_a_bad_code_stays_on_the_form(sw, client):
    client.force_login(sw.anweiban)
    url = reverse("safety:system_edit", args=["fire"])
    form = {"name": "消防安全责任制（2026）", "category": "fire", "leading_org": sw.fire_brigade.pk,
            "industry_codes": "H62, ZZ", "repeat_window_days": 90, "summary": "年度修订",
            "version": sw.fire.version}
    bad = client.post(url, form)
    assert bad.status_code == 200 and "industry_codes" in bad.context["form"].errors
    form["industry_codes"] = "H62"
    done = client.post(url, form)
    assert done.status_code == 302
    fire = SafetySystem.objects.get(code="fire")
    assert fire.name == "消防安全责任制（2026）" and fire.revisions.first().summary == "年度修订"
    client.force_login(sw.anweiban_qidong)
    assert client.post(url, form).status_code == 403


def test_items_are_added_and_deactivated_from_the_page(sw, client):
    client.force_login(sw.anweiban)
    client.post(reverse("safety:item_new", args=["fire"]), {"code": "XF-09", "text": "消防控制室有人值班",
                                                            "is_major_criterion": "on"})
    item = sw.fire.items.get(code="XF-09")
    assert item.is_major_criterion
    client.post(reverse("safety:item_deactivate", args=["fire", item.pk]))
    item.refresh_from_db()
    assert item.is_active is False


def test_a_unit_signs_its_letter_on_the_page(sw, client):
    letter = letters_issue(actor=sw.anweiban, year=timezone.localdate().year, units=[sw.fire_brigade])[0]
    client.force_login(sw.safety_fire)
    listed = client.get(reverse("safety:letter_list"), {"mine": "1", "status": "issued"})
    assert letter.pk in listed.context["signable"]
    url = reverse("safety:letter_sign", args=[letter.pk])
    response = client.post(url, {"signed_on": timezone.localdate().isoformat(), "signatory": "支队长",
                                 "version": letter.version,
                                 "file": SimpleUploadedFile("责任书.pdf", samples.pdf(), content_type="application/pdf")})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == ResponsibilityLetter.Status.SIGNED
    client.force_login(sw.safety_emergency)
    assert client.get(url).status_code == 404


def test_an_office_issues_letters_from_the_page(sw, client):
    client.force_login(sw.anweiban_qidong)
    page = client.get(reverse("safety:letters_issue"))
    offered = set(page.context["form"].fields["units"].queryset)
    assert sw.qidong_emergency in offered and sw.fire_brigade not in offered
    client.post(reverse("safety:letters_issue"), {"year": timezone.localdate().year,
                                                  "units": [sw.qidong_emergency.pk]})
    assert ResponsibilityLetter.objects.filter(unit=sw.qidong_emergency, issuer=sw.qidong_office).exists()
