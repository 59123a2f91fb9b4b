"""The chain of an API path (``api_common.api_chain``), as the registry's and the map's
endpoints read it: enterprise staff 403, a chain the caller cannot read 404, a write 403
unless the caller's office runs the chain."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from yancheng.chains.api_common import api_chain, api_user
from yancheng.core.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/api/v1/chains/nonferrous")
    request.auth = user
    return request


def test_the_office_reads_and_writes_its_chain(cw):
    request = _request(cw.lianban)
    assert api_user(request) == cw.lianban
    assert api_chain(request, "nonferrous", write=True).code == "nonferrous"


def test_a_reader_reads_but_does_not_write(cw):
    assert api_chain(_request(cw.chain_leader), "nonferrous").code == "nonferrous"
    with pytest.raises(PermissionDenied):
        api_chain(_request(cw.lianban_dz), "nonferrous", write=True)


def test_others_are_refused(cw):
    with pytest.raises(PermissionDeniedError):
        api_chain(_request(cw.enterprise_a_user), "nonferrous")
    with pytest.raises(Http404):
        api_chain(_request(cw.lianban_qd), "nonferrous")
    with pytest.raises(Http404):
        api_chain(_request(cw.lianban), "no-such-chain")
