"""What the matter page and the API offer is what the services take: no 转送交办 before the
matter is classified or for a 第三十一条 (一)–(五) claim; a notice the 信访部门 made is served
by the 信访部门, not by the organ it was sent to."""

import pytest
import rules

from yancheng.petitions.actions import PETITION_ACTIONS
from yancheng.petitions.handling import petition_transfer
from yancheng.petitions.intake import PetitionerInput
from yancheng.petitions.models import DocumentKind
from yancheng.testing.petitions import register

pytestmark = pytest.mark.django_db


def offered(user, petition):
    return PETITION_ACTIONS["transfer"].offered_to(user, petition)


def test_transfer_is_offered_only_when_the_service_would_take_it(pw):
    def person(name):  # a new person each time (the same ID number would be a 重复信访)
        return [PetitionerInput(name)]

    unclassified = register(pw, petition_type="", claim_route="", petitioners=person("甲")).petition
    other_channel = register(pw, petition_type="claim", claim_route="litigation", petitioners=person("乙")).petition
    in_channel = register(pw, petition_type="claim", claim_route="petition", petitioners=person("丙")).petition
    suggestion = register(pw, petition_type="suggestion", claim_route="", petitioners=person("丁")).petition
    assert not offered(pw.xinfang, unclassified)
    assert not offered(pw.xinfang, other_channel)
    assert offered(pw.xinfang, in_channel) and offered(pw.xinfang, suggestion)
    assert not offered(pw.handler_housing, in_channel)


def test_the_forwarding_letter_is_served_by_the_office_not_by_the_organ(pw):
    petition = register(pw).petition
    petition_transfer(petition, actor=pw.xinfang, organ=pw.housing, mode="forward")
    letter = petition.documents.get(kind=DocumentKind.FORWARD)
    assert rules.has_perm("petitions.serve_document", pw.xinfang, letter)
    assert not rules.has_perm("petitions.serve_document", pw.handler_housing, letter)
