"""The 稳控 panel on a matter's page, the steps posted from it, the follow-up list and the
reception days — each from the side of the user who must not see or do it too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from yancheng.petitions.intake import PetitionerInput
from yancheng.petitions.models import FollowUp, LeaderReception, Petition, Stage
from yancheng.testing.petitions import register

pytestmark = pytest.mark.django_db


def matter(pw, stage=Stage.ANSWERED, **overrides) -> Petition:
    overrides.setdefault("petitioners", [PetitionerInput("张三")])
    petition = register(pw, **overrides).petition
    Petition.objects.filter(pk=petition.pk).update(stage=stage, handling_org=pw.housing)
    petition.refresh_from_db()
    return petition


def page(client, user, petition):
    client.force_login(user)
    response = client.get(reverse("petitions:petition_detail", args=[petition.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_panel_offers_each_user_only_the_steps_they_may_take(client, pw):
    petition = matter(pw, stage=Stage.ACCEPTED)
    html = page(client, pw.xinfang, petition)
    assert html.count('id="stabilise"') == 1  # once, inside the page's content
    assert html.index("<main") < html.index('id="stabilise"')
    assert 'data-action="set_risk"' in html and 'data-action="mark_urgent"' in html
    assert 'data-action="leader_change"' in html and 'data-action="take_personally"' not in html
    assert 'data-action="follow_up_plan"' not in html  # not answered yet
    html = page(client, pw.head_housing, petition)
    assert 'data-action="take_personally"' in html
    assert 'data-action="set_risk"' not in html and 'data-action="leader_change"' not in html
    html = page(client, pw.supervisor_housing, petition)
    assert "data-action=" not in html.split('id="stabilise"')[1]


def test_the_panel_shows_follow_ups_with_their_due_days_after_final(client, pw):
    petition = matter(pw, stage=Stage.FINAL)
    FollowUp.objects.create(petition=petition, kind="assist", org=pw.housing,
                            due_on=timezone.localdate() - dt.timedelta(days=2), plan="落实低保救助")
    html = page(client, pw.handler_housing, petition)
    assert "落实低保救助" in html and "light-red" in html
    assert 'data-action="follow_up_plan"' in html
    assert reverse("petitions:follow_up_done", args=[petition.follow_ups.get().pk]) in html


def test_posting_the_steps(client, pw):
    petition = matter(pw)
    client.force_login(pw.handler_housing)
    back = reverse("petitions:petition_detail", args=[petition.pk]) + "#stabilise"
    response = client.post(reverse("petitions:petition_set_risk", args=[petition.pk]),
                           {"level": "medium", "note": "", "version": petition.version})
    assert response.status_code == 302 and response["Location"] == back
    assert Petition.objects.get(pk=petition.pk).risk_level == "medium"
    due = timezone.localdate() + dt.timedelta(days=5)
    response = client.post(reverse("petitions:follow_up_plan", args=[petition.pk]),
                           {"kind": "visit", "org": pw.housing.pk, "due_on": due.isoformat(), "plan": "上门回访"})
    assert response.status_code == 302
    follow_up = FollowUp.objects.get(petition=petition)
    assert follow_up.due_on == due
    response = client.post(reverse("petitions:follow_up_done", args=[follow_up.pk]),
                           {"result": "已回访，诉求已解决", "risk_level": "low"})
    assert response.status_code == 302
    assert FollowUp.objects.get(pk=follow_up.pk).done_at is not None
    # a stale form is refused with a message, nothing changes
    response = client.post(reverse("petitions:petition_set_risk", args=[petition.pk]),
                           {"level": "high", "version": 1}, follow=True)
    assert "已被他人更新" in response.content.decode()
    assert Petition.objects.get(pk=petition.pk).risk_level == "low"


def test_a_step_on_a_matter_the_user_cannot_see_answers_404_and_one_it_may_not_take_403(client, pw):
    petition = matter(pw, stage=Stage.ACCEPTED)
    client.force_login(pw.handler_hrss)
    for name in ("petition_set_risk", "petition_mark_urgent", "petition_take_personally"):
        response = client.post(reverse(f"petitions:{name}", args=[petition.pk]), {"level": "high", "reason": "x"})
        assert response.status_code == 404, name
    client.force_login(pw.supervisor_housing)  # sees it, may not act
    response = client.post(reverse("petitions:petition_mark_urgent", args=[petition.pk]), {"reason": "紧急"})
    assert response.status_code == 403
    assert not Petition.objects.get(pk=petition.pk).is_urgent
    client.force_login(pw.head_housing)
    response = client.post(reverse("petitions:petition_take_personally", args=[petition.pk]), {"note": ""})
    assert response.status_code == 302
    assert Petition.objects.get(pk=petition.pk).leader_id == pw.head_housing.pk


def test_an_accusation_s_follow_ups_never_reach_the_organ_complained_about(client, pw):
    petition = matter(pw, stage=Stage.CLOSED, petition_type="accusation", claim_route="", respondent_org=pw.housing)
    Petition.objects.filter(pk=petition.pk).update(handling_org=pw.discipline)
    follow_up = FollowUp.objects.create(petition=petition, kind="visit", org=pw.discipline,
                                        due_on=timezone.localdate(), plan="回访举报人")
    for user in (pw.handler_housing, pw.head_housing, pw.supervisor_housing, pw.handler_housing_office):
        client.force_login(user)
        html = client.get(reverse("petitions:follow_up_list")).content.decode()
        assert petition.number not in html and "回访举报人" not in html
        response = client.post(reverse("petitions:follow_up_done", args=[follow_up.pk]), {"result": "x"})
        assert response.status_code == 404
    client.force_login(pw.handler_discipline)
    html = client.get(reverse("petitions:follow_up_list") + "?due=due&mine=1").content.decode()
    assert petition.number in html


def test_the_follow_up_list_filters_as_the_workbench_links_it(client, pw):
    petition = matter(pw, stage=Stage.CLOSED)
    today = timezone.localdate()
    FollowUp.objects.create(petition=petition, kind="visit", org=pw.housing, due_on=today - dt.timedelta(days=1),
                            plan="逾期的")
    FollowUp.objects.create(petition=petition, kind="visit", org=pw.housing, due_on=today + dt.timedelta(days=3),
                            plan="以后的")
    FollowUp.objects.create(petition=petition, kind="visit", org=pw.city_bureau, due_on=today, plan="信访局的")
    client.force_login(pw.handler_housing)
    response = client.get(reverse("petitions:follow_up_list") + "?due=due&mine=1")
    assert response.context["page"].paginator.count == 1
    assert "逾期的" in response.content.decode() and "以后的" not in response.content.decode()
    assert client.get(reverse("petitions:follow_up_list")).context["page"].paginator.count == 3
    assert client.get(reverse("petitions:follow_up_list") + "?due=overdue").context["page"].paginator.count == 1


def test_receptions_list_the_leader_s_own_days_with_the_matters_registered_there(client, pw):
    today = timezone.localdate()
    mine = LeaderReception.objects.create(leader=pw.head_housing, org=pw.city_bureau, day=today - dt.timedelta(days=1),
                                          place="市信访接待中心")
    LeaderReception.objects.create(leader=pw.head_hrss, org=pw.city_bureau, day=today + dt.timedelta(days=1),
                                   place="人社局接待室")
    at_day = matter(pw, stage=Stage.ACCEPTED, channel="leader_day")
    Petition.objects.filter(pk=at_day.pk).update(reception=mine)
    hidden = matter(pw, stage=Stage.ACCEPTED, channel="leader_day", petition_type="accusation", claim_route="",
                    respondent_org=pw.housing)
    Petition.objects.filter(pk=hidden.pk).update(reception=mine, handling_org=pw.discipline)
    client.force_login(pw.head_housing)
    html = client.get(reverse("petitions:reception_list")).content.decode()
    assert "市信访接待中心" in html and "人社局接待室" not in html
    assert at_day.number in html and hidden.number not in html
    client.force_login(pw.xinfang)
    html = client.get(reverse("petitions:reception_list") + "?when=upcoming").content.decode()
    assert "人社局接待室" in html and "市信访接待中心" not in html
    assert hidden.number in client.get(reverse("petitions:reception_detail", args=[mine.pk])).content.decode()
    client.force_login(pw.handler_housing)
    assert client.get(reverse("petitions:reception_list")).status_code == 403


def test_scheduling_and_recording_a_reception_through_the_pages(client, pw):
    client.force_login(pw.xinfang)
    day = timezone.localdate() + dt.timedelta(days=10)
    response = client.post(reverse("petitions:reception_new"),
                           {"leader": pw.head_housing.pk, "day": day.isoformat(), "place": "市信访接待中心",
                            "topics": "住房"})
    reception = LeaderReception.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("petitions:reception_detail",
                                                                           args=[reception.pk])
    response = client.post(reverse("petitions:reception_new"),
                           {"leader": pw.handler_housing.pk, "day": day.isoformat(), "place": "x"})
    assert response.status_code == 200 and LeaderReception.objects.count() == 1
    LeaderReception.objects.filter(pk=reception.pk).update(day=timezone.localdate())
    client.force_login(pw.head_housing)
    html = client.get(reverse("petitions:reception_detail", args=[reception.pk])).content.decode()
    assert reverse("petitions:reception_record", args=[reception.pk]) in html
    client.post(reverse("petitions:reception_record", args=[reception.pk]), {"notes": "接待群众 8 批"})
    assert LeaderReception.objects.get(pk=reception.pk).notes == "接待群众 8 批"
    client.force_login(pw.head_hrss)
    response = client.post(reverse("petitions:reception_record", args=[reception.pk]), {"notes": "不是我的"})
    assert response.status_code == 404


def test_the_panel_reads_in_english(client, pw):
    petition = matter(pw, stage=Stage.FINAL)
    client.force_login(pw.xinfang)
    client.cookies.load({"django_language": "en"})
    html = client.get(reverse("petitions:petition_detail", args=[petition.pk]), HTTP_ACCEPT_LANGUAGE="en"
                      ).content.decode()
    section = html.split('id="stabilise"')[1]
    assert "稳控回访" not in section and "安排回访或帮扶" not in section
