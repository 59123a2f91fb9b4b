"""Pages of the weekly dispatch meeting (周调度) and of the project import.

Meetings: the list, a new meeting, the meeting page (agenda grouped by source, manual
items, decisions, close), the notice as .docx and .xlsx. Import: upload → dry run with a
row-by-row report → confirm (the same file, all or nothing), and the template."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.cases.permissions import is_city_dispatch_office
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError, NotFoundError, PermissionDeniedError
from yancheng.core.kit import imports
from yancheng.core.kit.exports import DOCX, download, wants_xlsx, xlsx_response
from yancheng.core.kit.forms import SiteForm, add_domain_error
from yancheng.core.kit.require import require_page
from yancheng.core.models import Organisation, Region
from yancheng.core.typing import Actor, AuthenticatedHttpRequest

from . import importers
from .models import AgendaItem, MeetingDecision, WeeklyMeeting
from .permissions import can_create_meeting, can_manage_meeting, can_view_meetings
from .selectors import get_meeting_for, meetings_visible_to
from .services import meetings, notices

PAGE_SIZE = 30


def _meeting_or_error(request: AuthenticatedHttpRequest, pk: int, *, write: bool = False) -> WeeklyMeeting:
    if not can_view_meetings(request.user):
        raise PermissionDenied
    try:
        return get_meeting_for(request.user, pk, write=write)
    except NotFoundError:
        raise Http404 from None
    except PermissionDeniedError:
        raise PermissionDenied from None


# --- forms -----------------------------------------------------------------------------------------


class _Form(SiteForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MeetingForm(_Form):
    title = forms.CharField(label=gettext_lazy("会议名称"), max_length=128)
    held_on = forms.DateField(label=gettext_lazy("会议日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    region = forms.ModelChoiceField(label=gettext_lazy("范围"), queryset=Region.objects.none(), required=False,
                                    empty_label=gettext_lazy("全市"))
    chair = forms.CharField(label=gettext_lazy("主持人"), max_length=64, required=False)

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if is_city_dispatch_office(user):
            # Blank is the whole city; the choices are its districts and counties.
            self.fields["region"].queryset = Region.objects.filter(  # type: ignore[attr-defined]
                valid_to__isnull=True
            ).exclude(kind__in=["city", "province"]).order_by("code")
        else:
            del self.fields["region"]


class DecisionForm(_Form):
    text = forms.CharField(label=gettext_lazy("议定事项"), widget=forms.Textarea(attrs={"rows": 2}))
    lead_org = forms.ModelChoiceField(label=gettext_lazy("责任单位"), queryset=Organisation.objects.none())
    due_working_days = forms.IntegerField(label=gettext_lazy("办结时限（工作日）"), min_value=1, max_value=365,
                                          initial=5)
    agenda_item = forms.ModelChoiceField(label=gettext_lazy("对应议题"), queryset=AgendaItem.objects.none(),
                                         required=False)

    def __init__(self, *args: Any, meeting: WeeklyMeeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_org"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).exclude(kind=Organisation.Kind.ENTERPRISE).order_by("path")
        self.fields["agenda_item"].queryset = meeting.agenda.all()  # type: ignore[attr-defined]


class AgendaItemForm(_Form):
    title = forms.CharField(label=gettext_lazy("议题"), max_length=255)
    detail = forms.CharField(label=gettext_lazy("情况"), max_length=500, required=False)
    responsible = forms.CharField(label=gettext_lazy("责任单位"), max_length=128, required=False)


# --- meetings --------------------------------------------------------------------------------------


def _meeting_list_xlsx(user: Actor, qs: Any) -> HttpResponse:
    """The meetings the page lists, with how many agenda items and decisions each has."""
    listed = list(qs.annotate(agenda_count=Count("agenda", distinct=True),
                              decision_count=Count("decisions", distinct=True)))
    audit_record("project.meeting_list_export", actor=user, object_type="projects.weeklymeeting",
                 after={"rows": len(listed)})
    headers = [_("会议日期"), _("会议名称"), _("召集单位"), _("范围"), _("主持人"), _("议题数"), _("议定事项数"),
               _("状态")]
    rows = (
        [m.held_on, m.title, m.organiser.name, m.region.name if m.region else _("全市"), m.chair, m.agenda_count,
         m.decision_count, _("已结束") if m.is_closed else _("进行中")]
        for m in listed
    )
    return xlsx_response(_("周调度"), headers, rows)


@login_required
@require_GET
def meeting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_view_meetings(request.user):
        raise PermissionDenied
    qs = meetings_visible_to(request.user).select_related("organiser", "region").order_by("-held_on", "-pk")
    if wants_xlsx(request):
        return _meeting_list_xlsx(request.user, qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "projects/meetings.html", {
        "page": page, "can_create": can_create_meeting(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_create_meeting(request.user):
        raise PermissionDenied
    initial = {"held_on": timezone.localdate(), "title": _("%(o)s周调度会") % {"o": getattr(request.user, "organisation", "")}}
    form = MeetingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meetings.meeting_create(
                actor=request.user, title=form.cleaned_data["title"], held_on=form.cleaned_data["held_on"],
                region=form.cleaned_data.get("region"), chair=form.cleaned_data["chair"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            meetings.agenda_build(meeting, actor=request.user)
            messages.success(request, _("会议已创建，议题已按实时数据生成。"))
            return redirect("projects:meeting_detail", meeting.pk)
    return render(request, "projects/meetings_form.html", {"form": form})


def _detail_context(request: AuthenticatedHttpRequest, meeting: WeeklyMeeting, **extra: Any) -> dict[str, Any]:
    cases = meetings.decision_cases(meeting)
    decisions = []
    for decision in meeting.decisions.select_related("lead_org", "project", "agenda_item"):
        case = cases.get(decision.case_id or 0)
        decisions.append((decision, case, meetings.decision_deadline(decision, case)))
    can_manage = can_manage_meeting(request.user, meeting) and not meeting.is_closed
    context: dict[str, Any] = {
        "meeting": meeting,
        "groups": meetings.agenda_groups(meeting, viewer=request.user),
        "decisions": decisions,
        "can_manage": can_manage,
        "decision_form": DecisionForm(meeting=meeting) if can_manage else None,
        "item_form": AgendaItemForm() if can_manage else None,
    }
    context.update(extra)
    return context


@login_required
@require_GET
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_error(request, pk)
    return render(request, "projects/meetings_detail.html", _detail_context(request, meeting))


@login_required
@require_POST
def meeting_build(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_error(request, pk, write=True)
    try:
        items = meetings.agenda_build(meeting, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("议题已按实时数据重新生成，共 %(n)d 项。") % {"n": len(items)})
    return redirect("projects:meeting_detail", meeting.pk)


@login_required
@require_POST
def meeting_item_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_error(request, pk, write=True)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            meetings.agenda_item_add(meeting, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("projects:meeting_detail", meeting.pk)
    return render(request, "projects/meetings_detail.html", _detail_context(request, meeting, item_form=form),
                  status=422)


@login_required
@require_POST
def meeting_decision_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_error(request, pk, write=True)
    form = DecisionForm(request.POST, meeting=meeting)
    if form.is_valid():
        data = form.cleaned_data
        try:
            meetings.decision_add(
                meeting, actor=request.user, text=data["text"], lead_org=data["lead_org"],
                due_working_days=data["due_working_days"], agenda_item=data.get("agenda_item"),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已添加议定事项。"))
            return redirect("projects:meeting_detail", meeting.pk)
    return render(request, "projects/meetings_detail.html", _detail_context(request, meeting, decision_form=form),
                  status=422)


@login_required
@require_POST
def meeting_decision_remove(request: AuthenticatedHttpRequest, pk: int, decision_pk: int) -> HttpResponse:
    meeting = _meeting_or_error(request, pk, write=True)
    decision = MeetingDecision.objects.filter(meeting=meeting, pk=decision_pk).first()
    if decision is None:
        raise Http404
    try:
        meetings.decision_remove(decision, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("projects:meeting_detail", meeting.pk)


@login_required
@require_POST
def meeting_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_error(request, pk, write=True)
    try:
        created = meetings.meeting_close(meeting, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("会议已结束，%(n)d 项议定事项已交办。") % {"n": len(created)})
    return redirect("projects:meeting_detail", meeting.pk)


@login_required
@require_GET
def meeting_notice_docx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_error(request, pk)
    return download(notices.notice_docx(meeting), notices.notice_filename(meeting, "docx"), DOCX)


@login_required
@require_GET
def meeting_notice_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_or_error(request, pk)
    return download(notices.notice_xlsx(meeting), notices.notice_filename(meeting, "xlsx"))


# --- project import --------------------------------------------------------------------------------

_IMPORT_SALT = "yancheng.project-import"


@login_required
@require_GET
def project_import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "projects.add_project")
    return imports.template_response(
        title=_("项目导入模板"), columns=importers.COLUMNS, filename="project-import-template.xlsx"
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload → dry run with a row-by-row report → confirm (same file, all or nothing)."""
    require_page(request, "projects.add_project")
    return imports.upload_page(
        request, run=importers.projects_import, template="projects/import.html", salt=_IMPORT_SALT,
        permission="projects.add_project",
    )


@login_required
@require_POST
def project_import_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "projects.add_project")
    return imports.confirm(
        request, run=importers.projects_import, template="projects/import.html", salt=_IMPORT_SALT,
        upload_url="projects:project_import", done_url="projects:project_import",
        permission="projects.add_project", done_message=lambda n: _("已导入 %(n)d 个项目。") % {"n": n},
    )

