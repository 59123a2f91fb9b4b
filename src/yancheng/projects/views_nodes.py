"""The schedule page of a project (节点与倒排工期, SPEC §3): the nodes with their planned and
actual dates, lights and float, and the forms that add nodes and links, record actual
dates and run 倒排工期 from a target date. Reads through ``nodes.node_table``;
every change through a ``services.nodes`` function.

Who: anyone who sees the project reads the page (others get 404, so its existence does
not leak); changing the plan needs ``projects.change_project``, recording actual dates
``projects.report_progress`` (403 otherwise)."""

from __future__ import annotations

from typing import Any

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from yancheng.core.errors import DomainError
from yancheng.core.kit.forms import SiteForm, add_domain_error
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor, AuthenticatedHttpRequest

from .models import Node, NodeLink, Project
from .services import nodes

CHANGE = nodes.CHANGE
REPORT = nodes.REPORT


def get_project_for(user: Actor, pk: Any) -> Project:
    """The project if ``user`` may see it, else 404."""
    try:
        return Project.objects.visible_to(user).select_related("region", "park", "responsible_org").get(pk=int(pk))
    except (Project.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- forms --------------------------------------------------------------------------------------


class NodeForm(SiteForm):
    name = forms.CharField(label=gettext_lazy("节点名称"), max_length=128)
    duration_days = forms.IntegerField(label=gettext_lazy("工期（工作日）"), min_value=1,
                                       max_value=nodes.MAX_DURATION, initial=5)
    responsible_org = forms.ModelChoiceField(
        label=gettext_lazy("责任单位"), required=False,
        queryset=Organisation.objects.exclude(kind=Organisation.Kind.ENTERPRISE).filter(is_active=True),
    )


class _ProjectNodeForm(SiteForm):
    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        project_nodes = Node.objects.filter(project=project)
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and name != "link":
                field.queryset = project_nodes
        if "link" in self.fields:
            link_field = self.fields["link"]
            assert isinstance(link_field, forms.ModelChoiceField)
            link_field.queryset = NodeLink.objects.filter(predecessor__project=project)


class LinkForm(_ProjectNodeForm):
    predecessor = forms.ModelChoiceField(label=gettext_lazy("前置节点"), queryset=Node.objects.none())
    successor = forms.ModelChoiceField(label=gettext_lazy("后续节点"), queryset=Node.objects.none())
    lag_days = forms.IntegerField(
        label=gettext_lazy("间隔（工作日）"), initial=0, min_value=-nodes.MAX_LAG,
        max_value=nodes.MAX_LAG,
        help_text=gettext_lazy("0 表示前置节点完成后的下一个工作日即可开始。"),
    )


class ActualForm(_ProjectNodeForm):
    node = forms.ModelChoiceField(label=gettext_lazy("节点"), queryset=Node.objects.none())
    actual_start = forms.DateField(label=gettext_lazy("实际开始"), required=False,
                                   widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    actual_finish = forms.DateField(label=gettext_lazy("实际完成"), required=False,
                                    widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))


class RemoveNodeForm(_ProjectNodeForm):
    node = forms.ModelChoiceField(queryset=Node.objects.none())


class RemoveLinkForm(_ProjectNodeForm):
    link = forms.ModelChoiceField(queryset=NodeLink.objects.none())


class ScheduleForm(SiteForm):
    target_date = forms.DateField(
        label=gettext_lazy("目标完成日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=gettext_lazy("最后的节点在这一天完成；其余节点按前后关系和工期倒推（按工作日计算）。"),
    )


# --- actions ------------------------------------------------------------------------------------


def _do_add(project: Project, form: forms.Form, user: Actor) -> str:
    data = form.cleaned_data
    node = nodes.node_add(project, name=data["name"], duration_days=data["duration_days"],
                                  responsible_org=data["responsible_org"], actor=user)
    return _("已添加节点：%(name)s") % {"name": node.name}


def _do_link(project: Project, form: forms.Form, user: Actor) -> str:
    data = form.cleaned_data
    nodes.node_link_add(data["predecessor"], data["successor"], lag_days=data["lag_days"], actor=user)
    return _("已添加前后关系。")


def _do_actual(project: Project, form: forms.Form, user: Actor) -> str:
    data = form.cleaned_data
    nodes.node_record_actual(data["node"], actual_start=data["actual_start"],
                                     actual_finish=data["actual_finish"], actor=user)
    return _("已记录实际日期。")


def _do_remove(project: Project, form: forms.Form, user: Actor) -> str:
    nodes.node_remove(form.cleaned_data["node"], actor=user)
    return _("已删除节点。")


def _do_unlink(project: Project, form: forms.Form, user: Actor) -> str:
    nodes.node_link_remove(form.cleaned_data["link"], actor=user)
    return _("已删除前后关系。")


def _do_schedule(project: Project, form: forms.Form, user: Actor) -> str:
    outcome = nodes.node_schedule_backward(project, target_date=form.cleaned_data["target_date"], actor=user)
    text = _("已按 %(date)s 倒排工期，更新了 %(n)s 个节点的计划日期。") % {
        "date": outcome.target.isoformat(), "n": outcome.changed,
    }
    if outcome.provisional:
        text += _("（暂定：跨入尚无节假日安排的年份，只按周末计算。）")
    return text


# action name → (form class, takes project, permission, service call)
ACTIONS: dict[str, tuple[Any, bool, str, Any]] = {
    "add": (NodeForm, False, CHANGE, _do_add),
    "link": (LinkForm, True, CHANGE, _do_link),
    "unlink": (RemoveLinkForm, True, CHANGE, _do_unlink),
    "remove": (RemoveNodeForm, True, CHANGE, _do_remove),
    "schedule": (ScheduleForm, False, CHANGE, _do_schedule),
    "actual": (ActualForm, True, REPORT, _do_actual),
}


def _forms_for(project: Project, user: Actor, bound: dict[str, forms.Form] | None = None) -> dict[str, forms.Form]:
    can_change = rules.has_perm(CHANGE, user, project)
    can_report = rules.has_perm(REPORT, user, project)
    out: dict[str, forms.Form] = {}
    for name, (form_class, per_project, perm, _call) in ACTIONS.items():
        if name in {"remove", "unlink"}:
            continue  # buttons in the table, not forms of their own
        if (perm == CHANGE and not can_change) or (perm == REPORT and not can_report):
            continue
        if bound and name in bound:
            out[name] = bound[name]
        else:
            out[name] = form_class(project=project, prefix=name) if per_project else form_class(prefix=name)
    return out


def _render(request: AuthenticatedHttpRequest, project: Project, *, bound: dict[str, forms.Form] | None = None,
            status: int = 200) -> HttpResponse:
    context = {
        "project": project,
        "nd": nodes_context(request, project),
        "forms": _forms_for(project, request.user, bound),
    }
    return render(request, "projects/nodes.html", context, status=status)


def nodes_context(request: AuthenticatedHttpRequest, project: Project) -> dict[str, Any]:
    """What ``projects/_nodes_section.html`` needs; the project page passes it as
    ``nodes_context`` (the section computes it itself when it is missing)."""
    return nodes.section_data(project, request.user)


@login_required
@require_GET
def nodes_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = get_project_for(request.user, pk)
    return _render(request, project)


@login_required
@require_POST
def node_act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    project = get_project_for(request.user, pk)
    if action not in ACTIONS:
        raise Http404
    form_class, per_project, perm, call = ACTIONS[action]
    if not rules.has_perm(perm, request.user, project):
        raise PermissionDenied
    form = (form_class(request.POST, project=project, prefix=action) if per_project
            else form_class(request.POST, prefix=action))
    if form.is_valid():
        try:
            text = call(project, form, request.user)
        except DomainError as refused:
            add_domain_error(form, refused)
        else:
            messages.success(request, text)
            return redirect(_next_url(request, project))
    if action in {"remove", "unlink"}:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_next_url(request, project))
    return _render(request, project, bound={action: form}, status=400)


def _next_url(request: AuthenticatedHttpRequest, project: Project) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return target
    return reverse("projects:project_nodes", args=[project.pk])

