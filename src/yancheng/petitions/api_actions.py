"""One endpoint for every step of the matter page's action table (``actions.py``), with its
body described per step in the OpenAPI document and ``If-Match`` required."""


import json
from typing import Any, Literal

import rules
from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import ValidationError as NinjaValidationError

from yancheng.core.errors import ConflictError
from yancheng.core.kit.api import if_match
from yancheng.core.kit.require import require

from .actions import PETITION_ACTIONS, PetitionAction
from .api_common import STEP_IF_MATCH, PetitionDetailOut, answer_with_etag, caller, get_petition_api
from .models import Petition

router = Router()


# --- the handling steps of the matter page's action table ------------------------------------------

PetitionActionName = Literal[
    "transfer", "accept", "refuse", "object", "decide_objection", "request_extension", "decide_extension",
    "hearing_start", "hearing_end", "answer", "report", "request_review", "decide_review",
    "review_request_extension", "review_decide_extension", "review_hearing_start", "review_hearing_end",
]


def _choice_values(field: forms.ChoiceField) -> list[str]:
    choices: Any = field.choices
    return [str(value) for value, _label in choices if str(value)]


def _yes_no(field: forms.Field) -> bool:
    return isinstance(field, forms.TypedChoiceField) and set(_choice_values(field)) == {"1", "0"}


def _field_schema(field: forms.Field) -> dict[str, Any]:
    """The JSON shape a form field reads: organs by id, yes/no choices as booleans, dates
    as YYYY-MM-DD."""
    schema: dict[str, Any]
    if isinstance(field, forms.ModelChoiceField):
        schema = {"type": "integer", "minimum": 1, "description": "机关（单位）id"}
    elif _yes_no(field):
        schema = {"type": "boolean"}
    elif isinstance(field, forms.ChoiceField):
        schema = {"type": "string", "enum": _choice_values(field)}
    elif isinstance(field, forms.IntegerField):
        schema = {"type": "integer"}
        if field.min_value is not None:
            schema["minimum"] = field.min_value
        if field.max_value is not None:
            schema["maximum"] = field.max_value
    elif isinstance(field, forms.DateField):
        schema = {"type": "string", "format": "date"}
    else:
        schema = {"type": "string"}
        if isinstance(field, forms.CharField) and field.max_length is not None:
            schema["maxLength"] = field.max_length
    schema["title"] = str(field.label or "")
    return schema


def _body_fields(action: PetitionAction) -> dict[str, forms.Field]:
    """The fields an action's JSON body may hold: its form's, less the version (If-Match)."""
    return {name: field for name, field in action.form.base_fields.items() if name != "version"}


def action_body_schema(action: PetitionAction) -> dict[str, Any]:
    fields = _body_fields(action)
    return {
        "title": action.name,
        "description": str(action.heading),
        "type": "object",
        "properties": {name: _field_schema(field) for name, field in fields.items()},
        "required": [name for name, field in fields.items() if field.required],
        "additionalProperties": False,
    }


def _actions_openapi() -> dict[str, Any]:
    return {
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": {"oneOf": [
                action_body_schema(a) for a in PETITION_ACTIONS.values()
            ]}}},
        }
    }


def _invalid(errors: list[tuple[str, str]]) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ("body", "payload", name), "type": "form", "msg": msg} for name, msg in errors])


def _json_object(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise NinjaValidationError([{"loc": ("body",), "type": "json_invalid", "msg": "invalid JSON"}]) from exc
    if not isinstance(data, dict):
        raise NinjaValidationError([{"loc": ("body",), "type": "dict_type", "msg": "object expected"}])
    return data


def form_data(action: PetitionAction, body: dict[str, Any]) -> dict[str, str]:
    """The JSON body as the form data the page would post (no prefix): true/false as the
    forms' "1"/"0", numbers as text. An unknown field (``version`` included: it travels
    in If-Match) or a list or object → 422."""
    fields = _body_fields(action)
    errors: list[tuple[str, str]] = []
    data: dict[str, str] = {}
    for name, value in body.items():
        if name not in fields:
            errors.append((name, _("不允许的字段。")))
        elif isinstance(value, bool):
            data[name] = "1" if value else "0"
        elif value is None:
            data[name] = ""
        elif isinstance(value, str | int | float):
            data[name] = str(value)
        else:
            errors.append((name, _("应为字符串、数字或 true/false。")))
    if errors:
        raise _invalid(errors)
    return data


def _check_version(petition: Petition, version: int) -> None:
    """Refuse a stale If-Match before anything else is looked at (412); the service checks
    it again under its lock."""
    if petition.version != version:
        raise ConflictError(_("该信访事项已被他人更新，请刷新后再操作。"), code="stale_version")


@router.post(
    "/petitions/{petition_id}/actions/{action}", response=PetitionDetailOut, summary="办理操作",
    openapi_extra=_actions_openapi(),
)
def petitions_action(request: HttpRequest, petition_id: int, action: PetitionActionName,
                     response: HttpResponse) -> dict[str, Any]:
    """One step of the matter page's action table, with ``If-Match: "<version>"`` (428
    without it, 412 when the matter changed since). The body is read by the page's own form
    (organs by id, yes/no as true/false; unknown fields → 422 with the field):

    * ``transfer`` (信访部门) {organ, mode: forward|assign, report_days (交办, 15–90), instruction}
    * ``accept`` {note} · ``refuse`` {reason} · ``object`` {reason} (办理机关, while 待受理)
    * ``decide_objection`` (信访部门) {uphold, organ (when upheld), note}
    * ``request_extension`` {days (1–30), reason} · ``decide_extension`` (本机关负责人) {approve, note}
    * ``hearing_start`` {reason} · ``hearing_end`` {note}
    * ``answer`` {outcome, facts, reasons, legal_basis (申诉求决 required), result_text}
    * ``report`` {summary} (交办事项的办结报告)
    * ``request_review`` (信访部门) {requested_on, organ (the superior organ), request}
    * ``decide_review`` (复查/复核机关) {outcome: support|explain|reject, facts, reasons, legal_basis}
    * ``review_request_extension`` (复查/复核机关) {days (1–30), reason} · ``review_decide_extension``
      (复查/复核机关负责人) {approve, note} · ``review_hearing_start`` {reason} · ``review_hearing_end`` {note}

    404 for a matter the caller may not see (a 检举控告 to the organ complained about); 403
    when the caller sees it but may not take the step; 409 ``invalid_stage`` when the step
    does not apply to the matter now; 422 with ``fields`` for what the form refuses. Answers
    the matter, with the steps the caller may take next in ``allowed_actions``."""
    user = caller(request)
    petition = get_petition_api(user, petition_id)
    step = PETITION_ACTIONS[action]
    if not rules.has_perm(step.perm, user, petition):
        require(user, step.perm, petition)  # the audited refusal (403)
    version = if_match(request, missing=STEP_IF_MATCH)
    _check_version(petition, version)
    if not step.offered_to(user, petition):
        raise ConflictError(
            _("该信访事项当前环节为“%(s)s”，不能执行此操作。") % {"s": petition.get_stage_display()}, code="invalid_stage"
        )
    form = step.form(data=form_data(step, _json_object(request)), user=user, petition=petition)
    if not form.is_valid():
        raise _invalid([(name, str(message)) for name, messages in form.errors.items() for message in messages])
    step.call(petition, user, form.cleaned_data, version)
    return answer_with_etag(user, petition, response)
