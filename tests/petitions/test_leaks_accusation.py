"""A 检举控告 never reaches the organ complained about (《信访工作条例》第三十条), tested from
the side of that organ, as the rating anonymity tests are: one accusation about the 住建局,
taken through its whole life with the real services (transfer to the 纪委监委, 受理, answer,
送达, 稳控, 重大紧急, exports, the annual report, 溯源, the dashboard, the ranking), and a twin
ordinary claim about the same organ handled by the 住建局 itself. Every user of the 住建局
and its sub-unit then walks every page and API answer: the accusation's content, its
respondent, its number and its pages never show, and every count is the count without it."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import json
import logging
import zipfile

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from yancheng.api.testing import api_client_for
from yancheng.core.audit.models import AuditEvent
from yancheng.core.notifications.models import Delivery, Notification
from yancheng.core.workbench import todos_for
from yancheng.dashboard import services as dashboard_services
from yancheng.dashboard.models import RankingKind
from yancheng.dashboard.rankings import Month
from yancheng.petitions import documents, handling, stabilise
from yancheng.petitions.annual import annual_report
from yancheng.petitions.intake import PetitionerInput
from yancheng.petitions.models import FollowUp, Petition, PetitionDocument, PetitionType, RiskLevel, Stage
from yancheng.petitions.selectors import DIMENSIONS, PetitionFilters, counts_by, petition_list
from yancheng.petitions.selectors_dashboard import petition_panel, ranking_counted
from yancheng.testing.petitions import ID_NUMBERS, register

pytestmark = pytest.mark.django_db

SECRET = "XYZ-秘密内容-4711"
RESPONDENT_PERSON = "钱某某科长-9931"
ACCUSER = ("检举人孙某", ID_NUMBERS[3], "13907341234", "衡阳市蒸湘区保密路7号")
CLAIMANT = ("申诉人李某", ID_NUMBERS[1], "13807345678", "衡阳市石鼓区解放路9号")
HOUSING_SIDE = ("handler_housing", "head_housing", "handler_housing_office", "supervisor_housing")


def body_of(response) -> str:
    """Everything a response says, with zipped formats (.xlsx, .docx) opened up."""
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            raw = b"".join(archive.read(name) for name in archive.namelist())
    text = raw.decode("utf-8", errors="replace")
    if "json" in response.get("Content-Type", ""):
        with contextlib.suppress(ValueError):
            return json.dumps(json.loads(text), ensure_ascii=False)
    return html.unescape(text)


def serve_all(petition: Petition, actor) -> None:
    for document in PetitionDocument.objects.filter(petition=petition, served_at__isnull=True):
        if document.kind in ("forward", "assignment", "completion_report"):
            continue  # to the organ, not served to the 信访人
        documents.document_serve(document, actor=actor, served_on=timezone.localdate(),
                                 how=PetitionDocument.ServedBy.POST)


def twin_story(pw):
    """The ordinary claim about the 住建局, handled by it: registered, transferred, accepted,
    answered, served, followed up."""
    twin = register(pw, title="小区电梯停运", request="请求修复电梯。", facts="电梯停运三个月。",
                    respondent_org=pw.housing, petitioners=[PetitionerInput(*CLAIMANT)])
    petition = twin.petition
    handling.petition_transfer(petition, actor=pw.xinfang, organ=pw.housing, mode="forward")
    handling.petition_accept(petition, actor=pw.handler_housing)
    handling.petition_answer(petition, actor=pw.handler_housing, outcome="support", facts="属实。",
                             reasons="依法应予修复。", legal_basis="《物业管理条例》")
    serve_all(petition, pw.handler_housing)
    petition.refresh_from_db()
    stabilise.follow_up_plan(petition, actor=pw.xinfang, kind=FollowUp.Kind.VISIT, org=pw.housing,
                             due_on=timezone.localdate() + dt.timedelta(days=3), plan="电话回访。")
    pw.twin, pw.twin_code = petition, twin.query_code
    return petition


def accusation_story(pw, client):
    """The accusation about the 住建局, through every step a matter of its kind may take."""
    registered = register(
        pw, petition_type=PetitionType.ACCUSATION, claim_route="", respondent_org=pw.housing,
        respondent_person=RESPONDENT_PERSON, title=f"举报{SECRET}", request=f"请求查处{SECRET}",
        facts=f"事实：{SECRET}", petitioners=[PetitionerInput(*ACCUSER)],
    )
    petition, code = registered.petition, registered.query_code
    handling.petition_transfer(petition, actor=pw.xinfang, organ=pw.discipline, mode="forward",
                               instruction=f"请核查{SECRET}")
    handling.petition_accept(petition, actor=pw.handler_discipline, note=f"受理{SECRET}")
    stabilise.petition_set_risk(petition, actor=pw.xinfang, level=RiskLevel.HIGH, note=f"风险{SECRET}")
    stabilise.petition_mark_urgent(petition, actor=pw.xinfang, reason=f"紧急{SECRET}")
    handling.petition_answer(petition, actor=pw.handler_discipline, outcome="support", reasons=f"查实{SECRET}")
    serve_all(petition, pw.handler_discipline)
    petition.refresh_from_db()
    assert petition.stage == Stage.CLOSED
    follow_up = stabilise.follow_up_plan(petition, actor=pw.xinfang, kind=FollowUp.Kind.VISIT, org=pw.discipline,
                                         due_on=timezone.localdate() + dt.timedelta(days=3), plan=f"回访{SECRET}")
    stabilise.follow_up_done(follow_up, actor=pw.handler_discipline, result=f"已回访{SECRET}")
    # The 信访人 reads the matter on the public page and rates it.
    client.post(reverse("petitions:query"), {"code": code})
    client.post(reverse("petitions:query_rate"), {"handling": "satisfied", "result": "satisfied"})
    client.post(reverse("petitions:query_leave"))
    # The office exports, reports and traces; the 督查室 reads the dashboard and ranks the month.
    client.force_login(pw.xinfang)
    year = timezone.localdate().year
    for url, params in ((reverse("petitions:petition_list"), {"format": "xlsx"}),
                        (reverse("petitions:annual_report"), {"year": year}),
                        (reverse("petitions:annual_report"), {"year": year, "format": "docx"}),
                        (reverse("petitions:hotspots"), {})):
        assert client.get(url, params).status_code == 200
    client.force_login(pw.world.supervisor)
    assert client.get(reverse("dashboard:index")).status_code == 200
    month = Month(year, timezone.localdate().month)
    for kind in RankingKind.values:
        dashboard_services.ranking_snapshot_generate(kind=kind, month=month, actor=pw.world.supervisor,
                                                     regenerate=True)
    client.logout()
    pw.accusation, pw.accusation_code, pw.follow_up = petition, code, follow_up
    return petition


# --- what an organ's user counts -----------------------------------------------------------------------


def list_filters(pw):
    lights = ("red", "yellow", "green", "paused", "waiting", "ontime", "late", "none")
    yield from (PetitionFilters(stage=s) for s in Stage.values)
    yield from (PetitionFilters(type=t) for t in [*PetitionType.values, "none"])
    yield from (PetitionFilters(light=light) for light in lights)
    yield from (PetitionFilters(flag=f) for f in ("duplicate", "after_final", "urgent", "group"))
    yield from (PetitionFilters(respondent=str(o.pk)) for o in (pw.housing, pw.housing_office))
    yield from (PetitionFilters(organ=str(o.pk)) for o in (pw.housing, pw.discipline))
    yield PetitionFilters(region=str(pw.world.city.pk))
    yield PetitionFilters(q=SECRET)
    yield PetitionFilters(q="XF")
    yield PetitionFilters()


def figures(pw, user) -> dict:
    """Every count the user may read, by the selectors the pages use."""
    year = timezone.localdate().year
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    visible = Petition.objects.visible_to(user)
    out: dict = {
        "list": [petition_list(user, f).count() for f in list_filters(pw)],
        "hotspots": {d: [(t.key, t.count) for t in counts_by(visible, d)] for d in DIMENSIONS},
        "todos": sorted((t.key, t.count) for t in todos_for(user)),
        "notifications": Notification.objects.filter(recipient=user).count(),
    }
    with contextlib.suppress(Exception):
        out["panel"] = petition_panel(user)
    report = annual_report(user, year)
    out["annual"] = [(t.key, [[str(c) for c in row] for row in t.rows]) for t in report.tables]
    # The ranking's drill-down: its lists never change; its counts are the ranking's own numbers,
    # the same for everyone (a smaller count for the organ would tell it an accusation exists),
    # checked in test_the_ranking_drill_down_counts_what_the_ranking_counts.
    for kind_is_region, entity in ((True, pw.world.city.pk), (False, pw.housing.pk), (False, pw.discipline.pk)):
        found = ranking_counted(user, kind_is_region, entity, start, end)
        out[f"ranking-{kind_is_region}-{entity}"] = {k: [p.pk for p in rows] for k, (n, rows) in found.items()}
    return out


# --- every route of the site ------------------------------------------------------------------------


def all_routes():
    """(name, pattern) of every named route of the site, namespaces joined."""
    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
                yield from walk(entry.url_patterns, ns)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{prefix}{entry.name}", entry

    return list(walk(get_resolver().url_patterns, ""))


def urls_to_walk(pw) -> list[str]:
    """Every GET page without arguments, the list under each filter and the accusation's own
    pages: the matter, its documents, its follow-up, its handling case (web and API)."""
    acc, case = pw.accusation, pw.accusation.case
    urls: list[str] = []
    for name, pattern in all_routes():
        if name.startswith(("admin:", "api:", "djdt:")) or pattern.pattern.regex.groups:
            continue
        if name in ("accounts:logout", "core:logout"):
            continue
        with contextlib.suppress(Exception):
            urls.append(reverse(name))
    listing = reverse("petitions:petition_list")
    for f in list_filters(pw):
        urls.append(f"{listing}?{f.query()}")
        urls.append(f"{listing}?{f.query(format='xlsx')}")
    urls += [f"{listing}?todo={t.key}" for u in pw.housing_users for t in todos_for(u)]
    year = timezone.localdate().year
    for fmt in ("", "docx", "xlsx"):
        urls.append(f"{reverse('petitions:annual_report')}?year={year}&format={fmt}")
    for period in ("month", "quarter", "year"):
        urls.append(f"{reverse('petitions:hotspots')}?period={period}")
    for pk in (acc.pk,):
        for name in ("petition_detail", "petition_registered", "petition_classify", "petition_not_accept",
                     "petition_refuse_again", "petition_set_risk", "follow_up_plan", "petition_mark_urgent",
                     "petition_take_personally", "petition_leader_change"):
            urls.append(reverse(f"petitions:{name}", args=[pk]))
        urls.append(reverse("petitions:petition_act", args=[pk, "accept"]))
    for document in acc.documents.all():
        urls.append(reverse("petitions:document_download", args=[document.pk]))
        urls.append(reverse("petitions:document_serve", args=[document.pk]))
    urls.append(reverse("petitions:follow_up_done", args=[pw.follow_up.pk]))
    urls += [reverse("cases:case_detail", args=[case.pk]), reverse("cases:case_act", args=[case.pk, "accept"])]
    urls += ["/api/v1/petitions", f"/api/v1/petitions?q={SECRET}", f"/api/v1/petitions/{acc.pk}",
             "/api/v1/cases", f"/api/v1/cases/{case.pk}", f"/api/v1/cases/{case.pk}/timeline"]
    month = f"{year}-{timezone.localdate().month:02d}"
    from yancheng.dashboard.models import RankingSnapshot

    for snapshot in RankingSnapshot.objects.all():
        for name in ("ranking_detail", "ranking_xlsx", "ranking_docx"):
            urls.append(reverse(f"dashboard:{name}", args=[snapshot.pk]))
    for kind, key in (("region", pw.world.city.code), ("organisation", pw.discipline.code),
                      ("organisation", pw.housing.code)):
        urls.append(f"{reverse('dashboard:ranking_counted')}?kind={kind}&key={key}&from={month}&to={month}")
    return urls


def forbidden_words(pw) -> list[str]:
    acc = pw.accusation
    words = [SECRET, RESPONDENT_PERSON, acc.number, *ACCUSER, f"/petitions/{acc.pk}/"]
    words += [d.number for d in acc.documents.all()]
    return words


@pytest.fixture
def story(pw, client):
    pw.housing_users = [pw.users[name] for name in HOUSING_SIDE]
    twin_story(pw)
    pw.before = {u.username: figures(pw, u) for u in pw.housing_users}
    accusation_story(pw, client)
    return pw


def test_the_twin_shows_each_path_works_for_the_organ(story, client):
    pw = story
    client.force_login(pw.handler_housing)
    assert pw.twin.number in body_of(client.get(reverse("petitions:petition_list")))
    assert client.get(reverse("petitions:petition_detail", args=[pw.twin.pk])).status_code == 200
    document = pw.twin.documents.first()
    assert client.get(reverse("petitions:document_download", args=[document.pk])).status_code == 200
    assert pw.twin.number in body_of(api_client_for(pw.handler_housing).get("/api/v1/petitions"))
    assert figures(pw, pw.handler_housing)["list"][-1] == 1
    # the office sees both
    assert Petition.objects.visible_to(pw.xinfang).count() == 2


def test_every_count_of_the_organ_is_the_count_without_the_accusation(story):
    pw = story
    for user in pw.housing_users:
        assert figures(pw, user) == pw.before[user.username], user.username


def test_no_page_or_answer_of_the_organ_mentions_the_accusation(story, client):
    pw = story
    words = forbidden_words(pw)
    urls = urls_to_walk(pw)
    acc, case_pk = pw.accusation, pw.accusation.case_id
    own = [f"/petitions/{acc.pk}/", f"/follow-ups/{pw.follow_up.pk}/", f"/cases/{case_pk}/",
           f"/api/v1/petitions/{acc.pk}", f"/api/v1/cases/{case_pk}"]
    own += [f"/petitions/documents/{d.pk}/" for d in acc.documents.all()]
    acc_urls = {u for u in urls if any(part in u for part in own)}
    assert len(acc_urls) > 15
    for user in pw.housing_users:
        client.force_login(user)
        api = api_client_for(user)
        for url in urls:
            response = api.get(url) if url.startswith("/api/") else client.get(url)
            assert response.status_code < 500, (user.username, url)
            if url in acc_urls and response.status_code != 405:
                assert response.status_code in (403, 404), (user.username, url, response.status_code)
            # The search box echoes the query, and the language switch the path asked for.
            text = body_of(response).replace(f'value="{SECRET}"', "").replace(f'"{url.split("?")[0]}"', "")
            for word in words:
                assert word not in text, (user.username, url, word)


def test_the_organ_gets_no_notification_of_the_accusation(story):
    pw = story
    acc = pw.accusation
    for user in pw.housing_users:
        for n in Notification.objects.filter(recipient=user):
            assert n.object_id != str(acc.pk) or n.object_type != "petitions.petition", user.username
            for word in forbidden_words(pw):
                assert word not in f"{n.title} {n.body} {n.url}", (user.username, word)
            assert not (acc.case_id and n.object_id == str(acc.case_id) and n.object_type.startswith("cases")), user


def test_the_public_query_page_needs_the_code(story, client):
    pw = story
    client.force_login(pw.handler_housing)
    for code in ("", "ABCD-EFGH-JKMN", pw.twin_code):
        text = body_of(client.post(reverse("petitions:query"), {"code": code}, follow=True))
        assert SECRET not in text and pw.accusation.number not in text
    client.post(reverse("petitions:query_leave"))
    text = body_of(client.post(reverse("petitions:query"), {"code": pw.accusation_code}, follow=True))
    assert pw.accusation.number in text  # only the holder of the code reads it


# --- the insider's view: the audit trail, the notifications' rows, the logs -------------------------------


@pytest.fixture
def logged_story(pw, client, caplog):
    caplog.set_level(logging.DEBUG)
    pw.housing_users = [pw.users[name] for name in HOUSING_SIDE]
    twin_story(pw)
    accusation_story(pw, client)
    pw.log_text = "\n".join(f"{r.getMessage()} {r.args!r} {getattr(r, '__dict__', {})!r}" for r in caplog.records)
    return pw


def secrets_of_the_accuser() -> list[str]:
    return [SECRET, RESPONDENT_PERSON, *ACCUSER]


def test_the_audit_trail_holds_no_content_and_no_personal_data(logged_story, client):
    pw = logged_story
    words = secrets_of_the_accuser()
    for event in AuditEvent.objects.all():
        text = json.dumps([event.object_repr, event.before, event.after, event.actor_repr], ensure_ascii=False)
        for word in words:
            assert word not in text, (event.action, word)
        if event.object_type == "petitions.petition" and event.object_id == str(pw.accusation.pk):
            assert event.object_repr in ("", pw.accusation.number), event.object_repr
    client.force_login(pw.world.audit_admin)
    pages = [reverse("audit:list"), f"{reverse('audit:list')}?q={SECRET}", reverse("audit:export")]
    pages += [reverse("audit:detail", args=[seq]) for seq in AuditEvent.objects.values_list("seq", flat=True)]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = body_of(response)
        for word in words:
            assert word not in text, (url, word)


def test_notifications_and_deliveries_hold_no_content_and_no_personal_data(logged_story):
    words = secrets_of_the_accuser()
    rows = [f"{n.title} {n.body} {n.url}" for n in Notification.objects.all()]
    rows += [f"{d.title} {d.body} {d.url} {d.target}" for d in Delivery.objects.all()]
    assert rows  # the story notified people
    for row in rows:
        for word in words:
            assert word not in row, word


def test_the_logs_hold_no_content_and_no_personal_data(logged_story):
    for word in secrets_of_the_accuser():
        assert word not in logged_story.log_text, word


def test_the_ranking_drill_down_counts_what_the_ranking_counts(story):
    """The organ complained about reads the same numbers behind a ranking as anyone: the
    accusation is counted (the ranking counts it) but never listed for it."""
    pw = story
    year = timezone.localdate().year
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    accusation = Petition.objects.get(petition_type="accusation")
    for kind_is_region, entity in ((True, pw.world.city.pk), (False, pw.discipline.pk)):
        city = ranking_counted(pw.world.supervisor, kind_is_region, entity, start, end)
        for persona in HOUSING_SIDE:
            seen = ranking_counted(pw.users[persona], kind_is_region, entity, start, end)
            assert {k: n for k, (n, _rows) in seen.items()} == {k: n for k, (n, _rows) in city.items()}, persona
            assert all(accusation not in rows for _n, rows in seen.values()), persona
