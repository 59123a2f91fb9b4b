"""Coverage (全覆盖): gaps, industry matching, manual mappings, and the letters' to-dos."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.attachments import samples
from yancheng.core.errors import PermissionDeniedError, ValidationFailed
from yancheng.core.services import enterprise_update
from yancheng.core.workbench import todos_for
from yancheng.safety.models import EnterpriseSystem, MappingSource, PostKind, ResponsibilityLetter
from yancheng.safety.selectors import responsible_org_for
from yancheng.safety.selectors_registry import gaps_visible_to, letters_missing, missing_posts, missing_units
from yancheng.safety.services.coverage import coverage_refresh, mapping_add, mapping_remove
from yancheng.safety.services.letters import letter_sign, letters_issue
from yancheng.safety.services.registry import person_add, system_update, unit_set

pytestmark = pytest.mark.django_db

PDF = samples.pdf()


def test_the_world_has_one_gap_enterprise_a_under_fire_in_qidong(sw):
    gaps = list(gaps_visible_to(sw.anweiban))
    assert [(g.enterprise, g.system) for g in gaps] == [(sw.world.enterprise_a, sw.fire)]
    assert responsible_org_for(sw.fire, enterprise=sw.world.enterprise_a) is None
    # 祁东's office sees it too (its region); nobody outside the offices does
    assert gaps_visible_to(sw.anweiban_qidong).count() == 1
    for user in (sw.safety_emergency, sw.safety_fire, sw.world.users["leader"]):
        assert gaps_visible_to(user).count() == 0


def test_a_unit_or_a_named_department_closes_the_gap(sw):
    unit_set(sw.fire, actor=sw.anweiban, region=sw.world.qidong, organisation=sw.qidong_emergency)
    assert gaps_visible_to(sw.anweiban).count() == 0
    sw.fire.units.filter(region=sw.world.qidong).delete()
    mapping_add(actor=sw.anweiban_qidong, enterprise=sw.world.enterprise_a, system=sw.fire,
                responsible_org=sw.qidong_emergency)
    assert gaps_visible_to(sw.anweiban).count() == 0
    assert responsible_org_for(sw.fire, enterprise=sw.world.enterprise_a) == sw.qidong_emergency


def test_missing_units_and_posts(sw):
    missing = {(m.system.code, m.region.code) for m in missing_units(sw.anweiban)}
    assert ("fire", sw.world.qidong.code) in missing
    assert ("industry", sw.world.qidong.code) not in missing
    assert {(m.system.code, m.region.code) for m in missing_units(sw.anweiban_qidong)} == {
        ("fire", sw.world.qidong.code)}
    posts = missing_posts(sw.anweiban)
    assert len(posts) == 3 * 3  # three units, three posts each, nobody named yet
    person_add(sw.industry, actor=sw.anweiban, region=sw.world.qidong, organisation=sw.world.qidong_park,
               post=PostKind.GRID, name="示例网格员")
    assert len(missing_posts(sw.anweiban)) == 8
    assert missing_units(sw.safety_emergency) == [] and missing_posts(sw.safety_emergency) == []


def test_industry_matching_adds_and_removes_only_industry_rows(sw):
    a, b = sw.world.enterprise_a, sw.world.enterprise_b
    enterprise_update(a, actor=None, industry_code="C2231")
    enterprise_update(b, actor=None, industry_code="H6210")
    system_update(sw.fire, actor=sw.anweiban, industry_codes=["H62", "C22"])
    result = coverage_refresh(actor=sw.anweiban)
    # A is already mapped by hand (kept manual); B is added by its code
    assert result.added == 1 and result.removed == 0
    row = EnterpriseSystem.objects.get(system=sw.fire, enterprise=b)
    assert row.source == MappingSource.INDUSTRY
    assert EnterpriseSystem.objects.get(system=sw.fire, enterprise=a).source == MappingSource.MANUAL
    with pytest.raises(ValidationFailed):  # an industry row is changed through the system's codes
        mapping_remove(row, actor=sw.anweiban)
    system_update(sw.fire, actor=sw.anweiban, industry_codes=["H61"])
    result = coverage_refresh(actor=sw.anweiban)
    assert result.removed == 1
    assert not EnterpriseSystem.objects.filter(system=sw.fire, enterprise=b).exists()
    assert EnterpriseSystem.objects.filter(system=sw.fire, enterprise=a, source=MappingSource.MANUAL).exists()


def test_a_prefix_matches_only_from_the_start(sw):
    enterprise_update(sw.world.enterprise_b, actor=None, industry_code="C3622")
    system_update(sw.fire, actor=sw.anweiban, industry_codes=["C36"])
    coverage_refresh(actor=sw.anweiban)
    assert EnterpriseSystem.objects.filter(system=sw.fire, enterprise=sw.world.enterprise_b).exists()
    system_update(sw.fire, actor=sw.anweiban, industry_codes=["C362", "C3"])
    system_update(sw.fire, actor=sw.anweiban, industry_codes=["C363"])
    coverage_refresh(actor=sw.anweiban)
    assert not EnterpriseSystem.objects.filter(system=sw.fire, enterprise=sw.world.enterprise_b).exists()


def test_only_offices_map_and_only_the_city_office_refreshes(sw):
    with pytest.raises(PermissionDeniedError):
        coverage_refresh(actor=sw.anweiban_qidong)
    for user in (sw.safety_emergency, sw.world.users["leader"], sw.grid_park):
        with pytest.raises(PermissionDeniedError):
            mapping_add(actor=user, enterprise=sw.world.enterprise_b, system=sw.fire)
    # 祁东's office cannot see 石鼓's enterprise B
    with pytest.raises(Exception) as exc:
        mapping_add(actor=sw.anweiban_qidong, enterprise=sw.world.enterprise_b, system=sw.fire)
    assert getattr(exc.value, "http_status", None) == 404
    row = mapping_add(actor=sw.anweiban, enterprise=sw.world.enterprise_b, system=sw.fire)
    mapping_remove(row, actor=sw.anweiban)
    assert not EnterpriseSystem.objects.filter(pk=row.pk).exists()


def _units(sw):
    return [sw.world.emergency_bureau, sw.fire_brigade, sw.qidong_emergency]


def test_letters_are_issued_all_or_nothing_and_the_missing_count_is_the_list(sw, client):
    year = timezone.localdate().year
    letters = letters_issue(actor=sw.anweiban, year=year, units=_units(sw))
    assert len(letters) == 3
    with pytest.raises(ValidationFailed):  # one unit already has its letter: none issued
        letters_issue(actor=sw.anweiban, year=year, units=[sw.world.qidong_park, sw.fire_brigade])
    assert not ResponsibilityLetter.objects.filter(unit=sw.world.qidong_park).exists()
    with pytest.raises(ValidationFailed):  # 祁东's office issues to 祁东's units only
        letters_issue(actor=sw.anweiban_qidong, year=year, units=[sw.fire_brigade])
    for user in (sw.safety_emergency, sw.world.users["leader"]):
        with pytest.raises(PermissionDeniedError):
            letters_issue(actor=user, year=year, units=[sw.world.qidong_park])

    signed = letter_sign(letters[0], actor=sw.safety_emergency, signed_on=timezone.localdate(), signatory="局长某",
                         file=SimpleUploadedFile("责任书.pdf", PDF, content_type="application/pdf"))
    assert signed.status == ResponsibilityLetter.Status.SIGNED

    todo = next(t for t in todos_for(sw.anweiban) if t.key == "safety.letters_missing")
    assert todo.count == 2 == letters_missing(sw.anweiban).count()
    client.force_login(sw.anweiban)
    page = client.get(todo.url)
    assert page.status_code == 200 and page.context["page"].paginator.count == 2
    qidong = next(t for t in todos_for(sw.anweiban_qidong) if t.key == "safety.letters_missing")
    assert qidong.count == 1

    own = [t for t in todos_for(sw.safety_fire) if t.key == "safety.own_letter"]
    assert len(own) == 1 and own[0].count == 1
    client.force_login(sw.safety_fire)
    assert client.get(own[0].url).context["page"].paginator.count == 1
    assert not [t for t in todos_for(sw.safety_emergency) if t.key.startswith("safety.own")]
    assert not [t for t in todos_for(sw.safety_emergency2) if t.key == "safety.letters_missing"]


def test_signing_needs_the_unit_a_scan_and_a_sane_date(sw):
    year = timezone.localdate().year
    letter = letters_issue(actor=sw.anweiban, year=year, units=[sw.fire_brigade])[0]
    pdf = SimpleUploadedFile("责任书.pdf", PDF, content_type="application/pdf")
    with pytest.raises(PermissionDeniedError):  # another unit's staff
        letter_sign(letter, actor=sw.safety_emergency, signed_on=timezone.localdate(), signatory="x", file=pdf)
    with pytest.raises(PermissionDeniedError):  # a county office does not see a city unit's letter
        letter_sign(letter, actor=sw.anweiban_qidong, signed_on=timezone.localdate(), signatory="x", file=pdf)
    with pytest.raises(ValidationFailed):
        letter_sign(letter, actor=sw.safety_fire, signed_on=timezone.localdate() + dt.timedelta(days=1),
                    signatory="x", file=pdf)
    text = SimpleUploadedFile("责任书.txt", "已签字".encode(), content_type="application/pdf")
    with pytest.raises(ValidationFailed) as exc:
        letter_sign(letter, actor=sw.safety_fire, signed_on=timezone.localdate(), signatory="支队长", file=text)
    assert exc.value.field == "file"
    letter.refresh_from_db()
    assert letter.status == ResponsibilityLetter.Status.ISSUED
    letter_sign(letter, actor=sw.safety_fire, signed_on=timezone.localdate(), signatory="支队长", file=pdf)
    with pytest.raises(ValidationFailed):
        letter_sign(letter, actor=sw.safety_fire, signed_on=timezone.localdate(), signatory="支队长",
                    file=SimpleUploadedFile("b.pdf", PDF))


def test_the_coverage_page_counts_link_to_lists_of_the_same_total(sw, client):
    client.force_login(sw.anweiban)
    page = client.get(reverse("safety:coverage"))
    assert page.status_code == 200
    assert page.context["gaps_total"] == 1
    row = page.context["gap_counts"][0]
    listed = client.get(reverse("safety:coverage_gaps"), {"system": row["system"], "region": row["region"]})
    assert listed.context["page"].paginator.count == row["count"] == 1
    units = client.get(reverse("safety:coverage_units"))
    assert units.context["page"].paginator.count == page.context["missing_units"]
    posts = client.get(reverse("safety:coverage_posts"))
    assert posts.context["page"].paginator.count == page.context["missing_posts"]
    export = client.get(reverse("safety:coverage_gaps"), {"format": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_registry_pages_filter_and_show_revisions(sw, client):
    client.force_login(sw.world.users["inspector"])
    listed = client.get(reverse("safety:registry_list"), {"q": "消防"})
    assert [s.code for s in listed.context["page"]] == ["fire"]
    detail = client.get(reverse("safety:system_detail", args=["industry"]))
    assert "GM-03" in detail.content.decode()
    revision = client.get(reverse("safety:revision_detail", args=["industry", 1]))
    assert revision.status_code == 200 and revision.context["snap"]["items"] == []
    assert client.get(reverse("safety:revision_detail", args=["industry", 99])).status_code == 404
