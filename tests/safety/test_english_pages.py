"""The safety pages in English: no Chinese left in their labels, headings and buttons (the
data — names of people, enterprises, units and systems, numbers — stays as entered)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from yancheng.safety.models import Hazard, SafetySystem

from .stats_world import NOW, at, build_stats_world

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


class Texts(HTMLParser):
    """The page's words outside data: text and the title/placeholder/aria-label/value of
    buttons, minus what the world entered (``data``), minus <script> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "option", "textarea"}:
            self.skip += 1
        for name, value in attrs:
            if name in {"title", "placeholder", "aria-label"} and value:
                self.words.append(value)
            if name == "value" and tag == "input" and dict(attrs).get("type") in {"submit", "button"} and value:
                self.words.append(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style", "option", "textarea"} and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.words.append(data.strip())


def data_words(sw) -> set[str]:
    """Everything entered (by the world's users, or written down as it was said, like a
    revision's summary or a case's note), which stays as it is."""
    from yancheng.cases.models import CaseEvent
    from yancheng.core.models import Enterprise, Organisation, Region, User
    from yancheng.safety.models import (
        Rectification,
        SafetyCheck,
        SystemChecklistItem,
        SystemDuty,
        SystemRevision,
    )

    hazard_texts = ["title", "description", "location", "rejection_reason", "responsible_person",
                    "enforcement_measures", "situation_cause", "harm_difficulty", "plan_measures", "plan_owner",
                    "plan_contingency", "notice_number"]
    words: set[str] = set()
    for model, fields in [
        (Organisation, ["name"]), (Enterprise, ["name"]), (Region, ["name"]), (User, ["full_name"]),
        (SafetySystem, ["name"]), (Hazard, hazard_texts), (SystemChecklistItem, ["text"]), (SystemDuty, ["text"]),
        (SystemRevision, ["summary"]), (CaseEvent, ["note"]), (Rectification, ["measures_taken", "decision_note"]),
        (SafetyCheck, ["summary"]),
    ]:
        for row in model.objects.values_list(*fields):
            words.update(str(v) for v in row if v)
    return words


def chinese_left(html: str, data: set[str]) -> list[str]:
    parser = Texts()
    parser.feed(html)
    left = []
    for text in parser.words:
        if text == "中文":  # the language switcher names the other language in itself
            continue
        rest = text
        for word in sorted(data, key=len, reverse=True):
            if word and word in rest:
                rest = rest.replace(word, "")
        if CJK.search(rest):
            left.append(text)
    return left


def pages(sw, stats):
    hazard = stats.hazards["major"]
    return [
        (sw.anweiban, reverse("safety:home")),
        (sw.anweiban, reverse("safety:registry_list")),
        (sw.anweiban, reverse("safety:system_detail", args=[sw.industry.code])),
        (sw.anweiban, reverse("safety:coverage")),
        (sw.anweiban, reverse("safety:coverage_gaps")),
        (sw.anweiban, reverse("safety:coverage_units")),
        (sw.anweiban, reverse("safety:coverage_posts")),
        (sw.anweiban, reverse("safety:letter_list")),
        (sw.anweiban, reverse("safety:registry_import", args=["systems"])),
        (sw.anweiban, reverse("safety:system_new")),
        (sw.anweiban, reverse("safety:check_task_list")),
        (sw.anweiban, reverse("safety:check_list")),
        (sw.anweiban, reverse("safety:hazard_list")),
        (sw.anweiban, reverse("safety:hazard_detail", args=[hazard.pk])),
        (sw.safety_emergency, reverse("safety:hazard_detail", args=[stats.hazards["new"].pk])),
        (sw.safety_emergency, reverse("safety:hazard_detail", args=[stats.hazards["overdue"].pk])),
        (sw.safety_emergency, reverse("safety:hazard_report")),
        (sw.grid_park, reverse("safety:check_record_grid")),
        (sw.world.users["enterprise_a"], reverse("safety:check_record_self")),
        (sw.anweiban, reverse("safety:statistics") + "?period=year&on=2026-05-06"),
        (sw.anweiban, reverse("safety:bulletin_list")),
        (None, reverse("safety:hazard_public_report")),
    ]


def test_the_safety_pages_in_english_have_no_chinese_labels(client, sw, settings):
    """In English as a signed-in user chooses it (the language cookie)."""
    stats = build_stats_world(sw)
    data = data_words(sw)
    found = {}
    for user, url in pages(sw, stats):
        client.logout()
        if user is not None:
            client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        with at(NOW):
            response = client.get(url)
        assert response.status_code == 200, url
        left = chinese_left(response.content.decode(), data)
        if left:
            found[url] = left
    assert not found, "\n".join(f"{url}: {left}" for url, left in found.items())


def test_the_missing_parts_of_a_major_report_are_listed_in_each_language_s_way(sw):
    from django.utils import translation

    from yancheng.safety.models import HazardLevel
    from yancheng.safety.services.hazards import hazard_report
    from yancheng.safety.services.hazards.acceptance import missing_report_message

    hazard = hazard_report(actor=sw.safety_emergency, system=sw.industry, level=HazardLevel.MAJOR, title="t",
                           description="d", enterprise=sw.enterprise_b)
    with translation.override("en"):
        english = missing_report_message(hazard)
    with translation.override("zh-hans"):
        chinese = missing_report_message(hazard)
    assert "、" not in english and ", " in english and not CJK.search(english)
    assert "、" in chinese and ", " not in chinese
