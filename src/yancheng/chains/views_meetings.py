"""链长 meetings' pages: the chain's meetings (``chains:meetings``, .xlsx), calling one
(``chains:meeting_create``), the meeting (``chains:meeting``: agenda by source, decisions with
their case's light after closing, the forms while it is open), its steps (``chains:meeting_act``,
POST only) and the minutes as a 公文 (``chains:meeting_minutes``, .docx)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.cases.models import Light
from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError
from yancheng.core.kit.exports import DOCX, download, wants_xlsx, xlsx_response
from yancheng.core.kit.forms import add_domain_error
from yancheng.core.kit.require import require_page
from yancheng.core.typing import AuthenticatedHttpRequest
from yancheng.lib.deadlines import due_day_label

from .documents_meetings import minutes_docx
from .forms_meetings import AgendaItemForm, DecisionForm, MeetingForm, MinutesForm
from .models import ChainDecision, ChainMeeting
from .selectors import get_chain_for
from .selectors_meetings import agenda_groups, decision_cases, meetings_visible_to
from .services import meetings as svc

CASE_LIGHT_LABELS = dict(Light.choices)


def _meeting(request: AuthenticatedHttpRequest, code: str, pk: int) -> ChainMeeting:
    chain = get_chain_for(request.user, code)
    meeting = meetings_visible_to(request.user, chain).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


@login_required
@require_GET
def meeting_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = get_chain_for(request.user, code)
    qs = meetings_visible_to(request.user, chain)
    if request.GET.get("status") == "open":  # the 链长's 待决策: the meetings not closed yet
        qs = qs.filter(is_closed=False)
    meetings = list(qs)
    if wants_xlsx(request):
        audit_record("chains.meetings_export", chain, actor=request.user, after={"rows": len(meetings)})
        return xlsx_response(_("链长会议"), [_("会议日期"), _("会议名称"), _("主持人"), _("承办单位"), _("状态")], (
            [m.held_on, m.title, m.chair.display_name if m.chair else "", m.organiser.name,
             _("已结束") if m.is_closed else _("进行中")] for m in meetings), name=f"{_('链长会议')}-{chain.name}")
    return render(request, "chains/meetings.html", {
        "chain": chain, "meetings": meetings, "can_hold": rules.has_perm("chains.hold_meeting", request.user, chain),
    })


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    chain = get_chain_for(request.user, code)
    require_page(request, "chains.hold_meeting", chain)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = svc.meeting_create(chain, actor=request.user, title=form.cleaned_data["title"],
                                         held_on=form.cleaned_data["held_on"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已召集会议。请生成议题。"))
            return redirect("chains:meeting", code=chain.code, pk=meeting.pk)
    return render(request, "chains/meeting_create.html", {"chain": chain, "form": form})


def _page(request: AuthenticatedHttpRequest, meeting: ChainMeeting, **forms: Any) -> HttpResponse:
    cases = decision_cases(meeting)
    decisions = list(meeting.decisions.select_related("lead_org", "agenda_item"))
    for d in decisions:
        case = cases.get(d.case_id or 0)
        d.case = case  # type: ignore[attr-defined]
        d.light_label = CASE_LIGHT_LABELS.get(getattr(case, "light", ""), "") if case else ""  # type: ignore[attr-defined]
        d.due_label = due_day_label(case.solve_due_at) if case else ""  # type: ignore[attr-defined]
    can_hold = rules.has_perm("chains.hold_meeting", request.user, meeting.chain) and not meeting.is_closed
    return render(request, "chains/meeting.html", {
        "chain": meeting.chain, "meeting": meeting, "groups": agenda_groups(meeting), "decisions": decisions,
        "can_hold": can_hold,
        "item_form": forms.get("item_form") or AgendaItemForm(),
        "decision_form": forms.get("decision_form") or DecisionForm(meeting=meeting),
        "minutes_form": forms.get("minutes_form") or MinutesForm(initial={"minutes": meeting.minutes}),
    })


@login_required
@require_GET
def meeting_detail(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    return _page(request, _meeting(request, code, pk))


def _build(request: AuthenticatedHttpRequest, meeting: ChainMeeting) -> Any:
    items = svc.agenda_build(meeting, actor=request.user)
    return _("已生成议题 %(n)d 项。") % {"n": len(items)}


def _close(request: AuthenticatedHttpRequest, meeting: ChainMeeting) -> Any:
    created = svc.meeting_close(meeting, actor=request.user)
    return _("会议已结束，%(n)d 项议定事项已交办。") % {"n": len(created)}


def _remove(request: AuthenticatedHttpRequest, meeting: ChainMeeting) -> Any:
    raw = str(request.POST.get("decision", ""))
    decision = ChainDecision.objects.filter(meeting=meeting, pk=int(raw)).first() if raw.isdigit() else None
    if decision is None:
        raise Http404
    svc.decision_remove(decision, actor=request.user)
    return _("已删除议定事项。")


SIMPLE_STEPS: dict[str, Callable[[AuthenticatedHttpRequest, ChainMeeting], Any]] = {
    "build": _build, "close": _close, "remove_decision": _remove,
}
FORM_STEPS = ("add_item", "add_decision", "minutes")


@login_required
@require_POST
def meeting_act(request: AuthenticatedHttpRequest, code: str, pk: int, action: str) -> HttpResponse:
    if action not in SIMPLE_STEPS and action not in FORM_STEPS:
        raise Http404
    meeting = _meeting(request, code, pk)
    require_page(request, "chains.hold_meeting", meeting.chain)
    back = redirect("chains:meeting", code=meeting.chain.code, pk=meeting.pk)
    if action in SIMPLE_STEPS:
        try:
            messages.success(request, SIMPLE_STEPS[action](request, meeting))
        except DomainError as exc:
            messages.error(request, exc.message)
        return back
    form: Any
    run: Callable[[dict[str, Any]], Any]
    if action == "add_item":
        form = AgendaItemForm(request.POST)
        run = lambda d: svc.agenda_item_add(meeting, actor=request.user, **d)  # noqa: E731
        key = "item_form"
    elif action == "add_decision":
        form = DecisionForm(request.POST, meeting=meeting)
        run = lambda d: svc.decision_add(meeting, actor=request.user, **d)  # noqa: E731
        key = "decision_form"
    else:
        form = MinutesForm(request.POST)
        run = lambda d: svc.meeting_minutes(meeting, actor=request.user, **d)  # noqa: E731
        key = "minutes_form"
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return back
    return _page(request, meeting, **{key: form})


@login_required
@require_GET
def meeting_minutes_view(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    meeting = _meeting(request, code, pk)
    audit_record("chains.meeting_minutes_print", meeting, actor=request.user)
    name = _("链长会议纪要-%(c)s-%(d)s") % {"c": meeting.chain.name, "d": meeting.held_on.isoformat()}
    return download(minutes_docx(meeting), f"{name}.docx", DOCX)
