"""The petitions demo (issue 13): a year of matters on every channel, type, stage and clock,
with 复查/复核 to 终结 and group visits; a 查询码 that opens the public page. Loaded once for
the module, inside a transaction rolled back at the end."""

import pytest
from django.db import transaction

from yancheng.core.demo import demo_notes, load_hengyang_demo
from yancheng.petitions import querycode
from yancheng.petitions.demo import SHOWCASE, load_petition_demo
from yancheng.petitions.models import Channel, Petition, PetitionType, Stage
from yancheng.petitions.selectors import annotate_lights


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_hengyang_demo(enterprise_count=20)
        load_petition_demo()
        notes = demo_notes()
        yield notes
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo, db):
    return demo


def test_every_channel_type_and_the_stages_of_a_year(loaded):
    matters = Petition.objects.all()
    assert set(matters.values_list("channel", flat=True)) == set(Channel.values)
    assert set(matters.values_list("petition_type", flat=True)) == set(PetitionType.values)
    stages = set(matters.values_list("stage", flat=True))
    for stage in (Stage.REGISTERED, Stage.TRANSFERRED, Stage.ACCEPTED, Stage.NOT_ACCEPTED, Stage.ANSWERED,
                  Stage.REVIEWING, Stage.REVIEWED, Stage.FINAL, Stage.CLOSED):
        assert stage in stages, stage
    oldest = matters.order_by("registered_at").first()
    assert (Petition.objects.latest("registered_at").registered_at - oldest.registered_at).days > 250
    assert matters.filter(is_group=True, head_count__gte=10).exists()


def test_every_clock_state_is_there(loaded):
    lights = set(annotate_lights(Petition.objects.all()).values_list("light", flat=True))
    for light in ("red", "yellow", "green", "paused"):
        assert light in lights, (light, lights)


def test_the_final_matter_went_through_review_and_recheck_with_its_documents(loaded):
    final = Petition.objects.get(stage=Stage.FINAL)
    assert set(final.reviews.values_list("level", flat=True)) == {"review", "recheck"}
    kinds = set(final.documents.values_list("kind", flat=True))
    assert {"acceptance", "opinion", "review_opinion", "recheck_opinion"} <= kinds
    assert not final.documents.filter(served_at__isnull=True, kind__in=["opinion", "review_opinion"]).exists()


def test_the_printed_query_code_opens_the_showcase_on_the_public_page(loaded, client):
    line = next(note for note in loaded if "查询码" in note)
    code = line.rsplit("：", 1)[1].strip()
    assert len(querycode.normalise(code)) >= 12
    assert Petition.objects.get(title=SHOWCASE).query_code_digest == querycode.digest(code)
    response = client.post("/petitions/query/", {"code": code}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "受理告知书" in page and "信访处理意见书" in page  # the served notices with their dates


def test_running_it_again_adds_nothing_and_gives_a_new_code(loaded):
    before = Petition.objects.count()
    load_petition_demo()
    assert Petition.objects.count() == before
