"""The kit's domain error → form error mapping, its admin form variant and the view
decorator that answers 404/403."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

from yancheng.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from yancheng.core.kit.forms import add_domain_error, as_validation_error, domain_errors_to_http


class NameForm(forms.Form):
    name = forms.CharField()
    colleagues = forms.CharField(required=False)


def bound() -> NameForm:
    form = NameForm({"name": "x"})
    assert form.is_valid()
    return form


def test_an_error_naming_a_field_of_the_form_goes_on_that_field():
    form = bound()
    add_domain_error(form, ValidationFailed("名称已被使用。", field="name"))
    assert form.errors == {"name": ["名称已被使用。"]}


def test_an_error_naming_no_field_or_an_unknown_one_goes_above_the_form():
    form = bound()
    add_domain_error(form, ValidationFailed("不能这样做。"))
    add_domain_error(form, ValidationFailed("区划不对。", field="region"))
    assert form.non_field_errors() == ["不能这样做。", "区划不对。"]
    assert "region" not in form.errors


def test_a_field_map_renames_the_services_field_or_sends_it_above_the_form():
    form = bound()
    field_map = {"inspectors": "colleagues", "code": None}
    add_domain_error(form, ValidationFailed("同事不对。", field="inspectors"), field_map=field_map)
    add_domain_error(form, ValidationFailed("码已失效。", field="code"), field_map=field_map)
    assert form.errors["colleagues"] == ["同事不对。"]
    assert form.non_field_errors() == ["码已失效。"]


def test_the_admin_variant_is_a_validation_error_on_the_field_or_the_form():
    on_field = as_validation_error(ValidationFailed("太大。", field="name"), {"name": None})
    assert on_field.message_dict == {"name": ["太大。"]}
    on_form = as_validation_error(ValidationFailed("太大。", field="other"), {"name": None})
    assert on_form.messages == ["太大。"] and not hasattr(on_form, "error_dict")


def test_the_decorator_answers_404_and_403_and_lets_answers_through():
    @domain_errors_to_http
    def view(request, what):
        if what == "missing":
            raise NotFoundError("不存在。")
        if what == "foreign":
            raise PermissionDeniedError("无权。")
        return HttpResponse("ok")

    assert view(None, "fine").content == b"ok"
    with pytest.raises(Http404):
        view(None, "missing")
    with pytest.raises(PermissionDenied):
        view(None, "foreign")
    assert view.__name__ == "view"
