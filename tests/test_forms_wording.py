"""The site's own wording on its forms (issue 12 §2): no "确保该变量包含不超过 200 字符", no
"---------" empty choice, no label ending in an ASCII colon — in Chinese and in English."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.conf import settings
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import translation

from yancheng.core.kit.forms import SiteForm, SiteFormMixin
from yancheng.core.models import Organisation

LANGUAGES = ["zh-hans", "en"]
TOO_LONG = {"zh-hans": "内容过长（最多 %s 个字）。", "en": "Text too long (at most %s characters)."}
EMPTY = {"zh-hans": "— 请选择 —", "en": "— Please choose —"}


def _site_form_classes() -> list[type]:
    get_resolver().url_patterns  # imports every view, and through them every form  # noqa: B018
    seen: list[type] = []
    stack = list(forms.BaseForm.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("yancheng.") and cls not in seen:
            seen.append(cls)
    return seen


def test_every_form_of_the_site_uses_the_sites_wording():
    """The admin keeps Django's look; a formset is not a form."""
    classes = [c for c in _site_form_classes() if "admin" not in c.__module__ and not c.__name__.endswith("FormSet")]
    assert len(classes) > 50
    stray = sorted(f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, SiteFormMixin))
    assert stray == []


class _Sample(SiteForm):
    title = forms.CharField(label="标题", max_length=5)
    own = forms.CharField(label="自定义", max_length=3, required=False, error_messages={"max_length": "自有的话"})
    kind = forms.ChoiceField(label="类别", choices=[("", "---------"), ("a", "甲")], required=False)
    org = forms.ModelChoiceField(label="单位", queryset=Organisation.objects.none(), required=False)
    chosen = forms.ModelChoiceField(label="已选", queryset=Organisation.objects.none(), required=False, empty_label="全部")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_text_over_its_limit_is_refused_in_words_naming_the_limit(language):
    with translation.override(language):
        form = _Sample({"title": "一二三四五六", "own": "abcd"})
        assert not form.is_valid()
        assert form.errors["title"] == [TOO_LONG[language] % 5]
        assert form.errors["own"] == ["自有的话"]
        assert "确保" not in str(form.errors) and "Ensure" not in str(form.errors)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_empty_choice_reads_please_choose_and_a_chosen_label_is_kept(db, language):
    with translation.override(language):
        html = str(_Sample())
    assert "---------" not in html
    assert html.count(f'<option value="" selected>{EMPTY[language]}</option>') == 2
    assert '<option value="" selected>全部</option>' in html


def test_labels_have_no_suffix():
    form = _Sample()
    assert form["title"].label_tag() == '<label for="id_title">标题</label>'
    assert not re.search(r":</label>", str(form))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_page_shows_the_limit_in_the_users_language(world, language):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(world.dispatcher)
    response = client.post(reverse("api:api_token_list"), {"name": "x" * 65, "valid_days": 90})
    body = response.content.decode()
    assert response.status_code == 200
    assert TOO_LONG[language] % 64 in body
    assert "确保该变量" not in body and "Ensure this value" not in body
    assert not re.search(r":</label>", body)
