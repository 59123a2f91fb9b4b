"""The handling steps on a matter's page: the forms offered (``actions.py``) and the clocks
of its case, and the POST of one step."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yancheng.cases.models import ExtensionRequest
from yancheng.cases.views import clocks_of
from yancheng.core.kit.forms import perform_step
from yancheng.core.typing import AuthenticatedHttpRequest

from .actions import PETITION_ACTIONS, offered, review_case
from .forms_handling import HandlingForm, pending_review
from .models import Petition
from .reviews import review_window
from .views import get_petition_for


def handling_context(
    request: AuthenticatedHttpRequest, petition: Petition, bound: dict[str, HandlingForm] | None = None
) -> dict[str, Any]:
    """What the matter's page shows of the handling: the step forms, the case's clocks, the
    pending extension and review, the 复查 window. While a 复查 (复核) is pending, the case
    shown is the review's."""
    user = request.user
    bound = bound or {}
    action_forms = []
    for action in offered(user, petition):
        form = bound.get(action.name) or action.form(
            prefix=action.name, user=user, petition=petition, initial={"version": petition.version}
        )
        action_forms.append({"action": action.name, "form": form, "heading": action.heading, "button": action.button,
                             "help": action.help, "open": action.unfolded or action.name in bound,
                             "danger": action.danger})
    case = review_case(petition) or petition.case  # a pending 复查 (复核) shows its own clock
    window = None
    if petition.stage in ("answered", "reviewed"):
        window = review_window(petition, "review" if petition.stage == "answered" else "recheck")
    return {
        "handling_actions": action_forms,
        "handling_case": case,
        "handling_clocks": clocks_of(case, timezone.now()) if case is not None else (),
        "pending_extension": case.extensions.filter(status=ExtensionRequest.Decision.PENDING).first() if case else None,
        "approved_extension_days": sum(
            case.extensions.filter(status=ExtensionRequest.Decision.APPROVED).values_list("working_days", flat=True)
        ) if case else 0,
        "pending_review": pending_review(petition),
        "review_window": window,
    }


@login_required
@require_POST
def petition_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """One handling step: check the page was current, then call the service."""
    step = PETITION_ACTIONS.get(action)
    if step is None:
        raise Http404
    user = request.user
    petition = get_petition_for(request, pk)
    form = step.form(request.POST, prefix=action, user=user, petition=petition)
    posted_version = form["version"].value()
    if str(posted_version or "") not in ("", str(petition.version)):
        messages.error(request, _("该信访事项已被他人更新，请刷新后再操作。"))
        return redirect("petitions:petition_detail", pk=petition.pk)
    if not step.offered_to(user, petition):
        import rules

        if not rules.has_perm(step.perm, user, petition):
            raise PermissionDenied
        messages.error(request, _("该信访事项当前环节为“%(s)s”，不能执行此操作。") % {"s": petition.get_stage_display()})
        return redirect("petitions:petition_detail", pk=petition.pk)
    if form.is_valid():
        def run() -> str:
            step.call(petition, user, form.cleaned_data, form.cleaned_data.get("version"))
            return str(step.done(form.cleaned_data))

        done = perform_step(request, form, run, back=reverse("petitions:petition_detail", args=[petition.pk]))
        if done is not None:
            return done
    petition = get_petition_for(request, pk)  # as it is now: the refused step changed nothing
    context = {
        "petition": petition,
        "petitioners": list(petition.petitioners.all()),
        "documents": list(petition.documents.select_related("issuer")),
        "events": list(petition.events.select_related("actor_org")),
        **handling_context(request, petition, bound={action: form}),
    }
    return render(request, "petitions/detail.html", context, status=422)
