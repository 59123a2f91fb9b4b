"""Domain errors shown where the user acts: on a form's field (or above the form), in the
admin's form, or as the HTTP answer of a view; and the site's wording on every form
(`SiteForm`)."""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.choices import BlankChoiceIterator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yancheng.core.errors import DomainError, NotFoundError, PermissionDeniedError

V = TypeVar("V", bound=Callable[..., Any])


def _field_of(exc: DomainError, fields: Container[str], field_map: Mapping[str, str | None] | None) -> str | None:
    name = exc.field
    if name is not None and field_map is not None and name in field_map:
        name = field_map[name]
    return name if name is not None and name in fields else None


def add_domain_error(form: Any, exc: DomainError, *, field_map: Mapping[str, str | None] | None = None) -> None:
    """Put the error's message on the form field it names (through `field_map` when the
    service and the form name it differently; a name mapped to None goes above the form), or above the form when the form has no
    such field."""
    form.add_error(_field_of(exc, form.fields, field_map), str(exc.message))


def as_validation_error(exc: DomainError, fields: Container[str]) -> ValidationError:
    """The error as Django's `ValidationError`, on the named field when `fields` has it —
    what an admin form's ``clean()`` raises."""
    field = _field_of(exc, fields, None)
    return ValidationError({field: str(exc.message)} if field else str(exc.message))


def domain_errors_to_http(view: V) -> V:
    """A view decorator: `NotFoundError` that escapes the view answers 404 and
    `PermissionDeniedError` 403, as Django's own exceptions would."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except NotFoundError:
            raise Http404 from None
        except PermissionDeniedError:
            raise PermissionDenied from None

    return wrapper  # type: ignore[return-value]


# --- the site's wording on every form ----------------------------------------------------------
# Django's stock wording shown to users: "确保该变量包含不超过 200 字符 (目前字符数 250)。" for a
# text too long, "---------" as a select's empty choice, and labels ending in ":". Every form
# of the site derives from SiteForm (or puts SiteFormMixin before a Django form it extends);
# tests/test_forms_wording.py fails on one that does not.

EMPTY_CHOICE_LABEL = gettext_lazy("— 请选择 —")
DJANGO_EMPTY_LABEL = "---------"


def perform_step(request: Any, form: Any, run: Callable[[], str], *, back: str,
                 unplaced_as_message: bool = False) -> HttpResponse | None:
    """A page's step once its form is valid: ``run()`` calls the service and answers the
    success message. Success: the message and a redirect to ``back``. A refusal the user must
    not read past is the page's 403/404; a ``ConflictError`` (someone acted first, a stale
    page) is a message and the redirect; any other ``DomainError`` goes on the form (its
    field, else above the form — or as a message with ``unplaced_as_message``) and None is
    answered, so the page shows the form again with what was typed."""
    from django.contrib import messages
    from django.http import HttpResponseRedirect

    from yancheng.core.errors import ConflictError

    try:
        message = run()
    except PermissionDeniedError as exc:
        raise PermissionDenied from exc
    except NotFoundError as exc:
        raise Http404 from exc
    except ConflictError as exc:
        messages.error(request, str(exc.message))
        return HttpResponseRedirect(back)
    except DomainError as exc:
        if exc.field in form.fields or not unplaced_as_message:
            add_domain_error(form, exc)
        else:
            messages.error(request, str(exc.message))
        return None
    messages.success(request, message)
    return HttpResponseRedirect(back)


def too_long_message(max_length: int) -> str:
    """The message for a text over its limit, the one core.kit.text gives services' texts."""
    return _("内容过长（最多 %(n)s 个字）。") % {"n": max_length}


def apply_site_wording(form: forms.BaseForm) -> None:
    """Our wording on a form's fields: the text limit named in words, "— 请选择 —" for an
    empty choice Django would show as "---------". A label or message the form chose itself
    is kept. Run when the form is made, in the request's language."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and field.max_length is not None:
            field.error_messages.setdefault("max_length", too_long_message(field.max_length))
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DJANGO_EMPTY_LABEL:
                field.empty_label = EMPTY_CHOICE_LABEL
        elif isinstance(field, forms.ChoiceField) and isinstance(field.choices, list | BlankChoiceIterator):
            # A callable's choices are left unevaluated (they may query when rendered); a
            # model field's fixed choices with Django's blank (the admin's) are read here.
            field.choices = [
                (value, EMPTY_CHOICE_LABEL if value == "" and label == DJANGO_EMPTY_LABEL else label)
                for value, label in field.choices
            ]


class SiteFormMixin:
    """Put before a Django form class (``class LoginForm(SiteFormMixin, AuthenticationForm)``):
    labels without a suffix (the label sits above its field; no ASCII ":" in a Chinese page)
    and `apply_site_wording`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        apply_site_wording(self)  # type: ignore[arg-type]


class SiteForm(SiteFormMixin, forms.Form):
    """The base of the site's forms."""


class SiteModelForm(SiteFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    """The base of the site's model forms."""


def upload_attrs(max_bytes: int) -> dict[str, Any]:
    """The attributes of a file input that static/js/uploads.js reads: the server's size
    limit (checked in the browser before anything is sent; the server still checks) and
    the messages, in the user's language, of a refusal and of the upload's progress.
    ``{name}``, ``{size}``, ``{max}`` and ``{percent}`` are filled in by the script."""
    return {
        "data-max-bytes": str(max_bytes),
        "data-too-big": gettext_lazy("“{name}”有 {size}，超过 {max} 的上限，没有上传。请压缩或换一个较小的文件后再选。"),
        "data-uploading": gettext_lazy("正在上传… {percent}%"),
        "data-upload-failed": gettext_lazy("上传没有完成（网络中断或超时），请重试。"),
    }
