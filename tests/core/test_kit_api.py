"""The kit's API plumbing (``yancheng.core.kit.api``): reading If-Match, the bounded
pagination, mapped querysets and JSON bodies; and that the routers that use it still answer
each refusal with the code, status and message they answered before."""

import pytest
from django.test import RequestFactory
from django.utils import translation
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import BaseModel, ConfigDict

from yancheng.core.kit.api import (
    MAX_PAGE_SIZE,
    IfMatchInvalid,
    MappedQuerySet,
    Pagination,
    PreconditionRequired,
    etag,
    if_match,
    json_body,
    parse_if_match,
)
from yancheng.core.models import Region

rf = RequestFactory()


def post_with(header: str | None):
    return rf.post("/x", headers={"If-Match": header} if header is not None else {})


# --- If-Match ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "version"),
    [('"3"', 3), ('W/"3"', 3), ("3", 3), ('  "42" ', 42), ('"9999999999"', 9_999_999_999)],
)
def test_it_reads_the_version_of_every_etag_shape_clients_send(header, version):
    assert parse_if_match(header) == version


@pytest.mark.parametrize("header", ["", None, "yesterday", '"3", "4"', '"-1"', '"12345678901"', "*"])
def test_it_reads_no_version_from_a_header_that_is_not_one_of_our_etags(header):
    assert parse_if_match(header) is None


def test_an_etag_it_gives_out_reads_back_as_the_same_version():
    assert etag(7) == '"7"'
    assert parse_if_match(etag(7)) == 7


def test_a_missing_if_match_is_a_428_with_the_endpoints_own_message():
    with pytest.raises(PreconditionRequired) as caught:
        if_match(post_with(None), missing="登记结果须带 If-Match 头")
    assert caught.value.http_status == 428
    assert caught.value.code == "precondition_required"
    assert caught.value.field == "If-Match"
    assert str(caught.value.message) == "登记结果须带 If-Match 头"


def test_a_missing_if_match_without_a_message_of_its_own_says_what_the_patch_guard_says():
    with translation.override("zh-hans"), pytest.raises(PreconditionRequired) as caught:
        if_match(post_with(""))
    assert str(caught.value.message) == "修改须带 If-Match 头（值为读取时返回的 ETag），以免覆盖他人的修改。"


def test_a_malformed_if_match_is_a_400_in_the_language_of_the_request():
    with pytest.raises(IfMatchInvalid) as caught:
        if_match(post_with("yesterday"), missing="unused")
    assert caught.value.http_status == 400 and caught.value.code == "if_match_invalid"
    # The message is translated when the answer is written, not when the module loads.
    with translation.override("en"):
        assert str(caught.value.message).startswith("The If-Match header is malformed.")
    with translation.override("zh-hans"):
        assert str(caught.value.message).startswith("If-Match 头格式不正确")


def test_a_well_formed_if_match_gives_the_version():
    assert if_match(post_with('W/"12"'), missing="unused") == 12


# --- pagination --------------------------------------------------------------------------------


def test_the_page_size_is_bounded_and_defaults_to_the_setting(settings):
    settings.NINJA_PAGINATION_PER_PAGE = 7
    pagination = Pagination()
    assert pagination.page_size == 7 and pagination.max_page_size == MAX_PAGE_SIZE == 200
    assert Pagination.Input(page=1, page_size=200).page_size == 200
    for bad in ({"page_size": 201}, {"page_size": 0}, {"page": 0}, {"page": 1_000_001}):
        with pytest.raises(ValueError):
            Pagination.Input(**bad)


def test_a_page_is_the_slice_of_the_mapped_queryset_with_the_total_count(world, django_assert_num_queries):
    regions = Region.objects.order_by("code")
    total = regions.count()
    assert total >= 3
    mapped = MappedQuerySet(regions, lambda r: {"code": r.code})
    with django_assert_num_queries(2):  # the page, the count: never one a row
        page = Pagination().paginate_queryset(mapped, Pagination.Input(page=2, page_size=2), rf.get("/"))
    assert page["items"] == [{"code": r.code} for r in regions[2:4]]
    assert page["count"] == total


# --- mapped querysets --------------------------------------------------------------------------


def test_a_page_function_maps_the_whole_page_in_one_call(world):
    calls = []

    def whole_page(objs):
        calls.append(len(objs))
        return [{"n": i} for i, _o in enumerate(objs)]

    mapped = MappedQuerySet(Region.objects.order_by("code"), page=whole_page)
    assert mapped[0:3] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert calls == [3]
    assert len(mapped) == mapped.count() == Region.objects.count()


def test_a_mapped_queryset_takes_one_way_of_mapping():
    with pytest.raises(TypeError):
        MappedQuerySet(Region.objects.none())
    with pytest.raises(TypeError):
        MappedQuerySet(Region.objects.none(), lambda r: {}, page=lambda objs: [])


# --- bodies ------------------------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str


def body_request(raw: bytes):
    return rf.post("/x", data=raw, content_type="application/json")


def test_a_body_is_read_into_its_model():
    assert json_body(body_request(b'{"note": "ok"}'), _Body).note == "ok"


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        (b"{not json", [(("body",), "json_invalid")]),
        (b"[1, 2]", [(("body",), "dict_type")]),
        (b'{"note": "ok", "extra": 1}', [(("body", "payload", "extra"), "extra_forbidden")]),
        (b"", [(("body", "payload", "note"), "missing")]),
    ],
)
def test_a_bad_body_is_refused_where_the_error_format_can_name_the_field(raw, errors):
    with pytest.raises(NinjaValidationError) as caught:
        json_body(body_request(raw), _Body)
    assert [(tuple(e["loc"]), e["type"]) for e in caught.value.errors] == errors


# --- the routers that use it answer as before ------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "method", "path", "message"),
    [
        ("handler_power", "post", "/api/v1/cases/{case}/actions/accept",
         "办理操作须带 If-Match 头（值为读取事项时返回的 ETag），以免覆盖他人的操作。"),
        ("dispatcher", "patch", "/api/v1/enterprises/{enterprise}",
         "修改须带 If-Match 头（值为读取时返回的 ETag），以免覆盖他人的修改。"),
    ],
)
def test_each_router_refuses_a_change_without_if_match_in_its_own_words(world, as_user, persona, method, path,
                                                                         message):
    from yancheng.cases.services import case_assign, case_submit

    case = case_submit(actor=world.enterprise_a_user, title="专线未接入", description="尚未接入。")
    case_assign(case, actor=world.dispatcher, lead_org=world.power_company)
    url = path.format(case=case.pk, enterprise=world.enterprise_a.pk)
    response = getattr(as_user(persona), method)(url, {}, headers={"Accept-Language": "zh-hans"})
    assert response.status_code == 428, response.content
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("precondition_required", message)


def test_a_stale_if_match_on_an_action_answers_412_and_a_list_refuses_an_oversized_page(world, as_user):
    from yancheng.cases.services import case_assign, case_submit

    case = case_submit(actor=world.enterprise_a_user, title="专线未接入", description="尚未接入。")
    case = case_assign(case, actor=world.dispatcher, lead_org=world.power_company)
    client = as_user("handler_power")
    stale = client.post(f"/api/v1/cases/{case.pk}/actions/accept", {}, headers={"If-Match": etag(case.version - 1)})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "stale_version"
    assert client.get("/api/v1/cases", {"page_size": MAX_PAGE_SIZE + 1}).status_code == 422
    page = client.get("/api/v1/cases", {"page_size": 1})
    assert page.status_code == 200 and page.json()["count"] == 1 and len(page.json()["items"]) == 1
