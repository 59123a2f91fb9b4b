"""Notification pages: everyone's own inbox; for the system administrator the delivery
status page ("retry now") and the organisations' group robots."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yancheng.core.audit.services import audit_record
from yancheng.core.errors import DomainError
from yancheng.core.kit.exports import EXPORT_MAX_ROWS, wants_xlsx, xlsx_response
from yancheng.core.kit.forms import add_domain_error
from yancheng.core.kit.require import require_page
from yancheng.core.models import Organisation
from yancheng.core.typing import Actor, AuthenticatedHttpRequest

from .forms import ChannelForm, DeliveryFilterForm
from .models import Delivery, Notification, OrganisationChannel
from .services import (
    channel_create,
    channel_send_test,
    channel_update,
    delivery_retry,
    notification_mark_read,
    notifications_mark_all_read,
)

INBOX_PAGE_SIZE = 30
DELIVERY_PAGE_SIZE = 50


def get_notification_for(user: Actor, pk: int) -> Notification:
    """The user's own notification; anyone else's answers 404 (its existence does not leak)."""
    notification = Notification.objects.visible_to(user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification


def _safe_local(url: str, request: AuthenticatedHttpRequest) -> bool:
    return bool(url) and url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


# --- inbox ------------------------------------------------------------------------------------


def _inbox_xlsx(notifications: QuerySet[Notification]) -> HttpResponse:
    """One's own notifications as the inbox lists them (all, or the unread ones)."""
    headers = [_("时间"), _("标题"), _("内容"), _("状态"), _("阅读时间")]
    rows = (
        [n.created_at, n.title, n.body, _("已读") if n.is_read else _("未读"), n.read_at]
        for n in notifications[:EXPORT_MAX_ROWS].iterator(chunk_size=500)
    )
    return xlsx_response(_("我的通知"), headers, rows)


@login_required
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    mine = Notification.objects.visible_to(request.user)
    unread_only = request.GET.get("unread") == "1"
    listed = mine.unread() if unread_only else mine
    if wants_xlsx(request):
        return _inbox_xlsx(listed.order_by("-created_at", "-pk"))
    page = Paginator(listed.order_by("-created_at", "-pk"), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread_count": mine.unread().count(),
            "unread_only": unread_only,
            "query": "unread=1" if unread_only else "",
        },
    )


@login_required
@require_POST
def mark_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for(request.user, pk)
    notification_mark_read(notification, actor=request.user)
    # "Open": go to the object. The link is the notification's own, never the request's.
    if request.POST.get("go") and _safe_local(notification.url, request):
        return redirect(notification.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("已将 %(n)s 条通知标为已读。") % {"n": count})
    return redirect("notifications:inbox")


# --- delivery status (system administrator) -----------------------------------------------------


def _deliveries_xlsx(request: AuthenticatedHttpRequest, deliveries: QuerySet[Delivery]) -> HttpResponse:
    """The deliveries the page lists under its filters; the recipient masked as on the page."""
    listed = list(deliveries[:EXPORT_MAX_ROWS])
    audit_record("delivery.export", actor=request.user, object_type="notifications.delivery",
                 after={"filters": {k: v for k, v in request.GET.items() if k in ("status", "channel") and v},
                        "rows": len(listed)})
    headers = [_("编号"), _("时间"), _("渠道"), _("发送对象"), _("标题"), _("状态"), _("发送时间"), _("尝试次数"),
               _("最近错误"), _("下次尝试")]
    rows = (
        [d.pk, d.created_at, d.get_channel_display(), d.target_display, d.title, d.get_status_display(), d.sent_at,
         d.attempts, d.last_error, d.next_attempt_at]
        for d in listed
    )
    return xlsx_response(_("消息投递"), headers, rows)


@login_required
@require_GET
def delivery_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "notifications.view_deliveries")
    form = DeliveryFilterForm(request.GET)
    deliveries = Delivery.objects.select_related("organisation_channel__organisation", "notification__recipient").order_by("-created_at", "-pk")
    if form.is_valid():
        if form.cleaned_data["status"]:
            deliveries = deliveries.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["channel"]:
            deliveries = deliveries.filter(channel=form.cleaned_data["channel"])
    if wants_xlsx(request):
        return _deliveries_xlsx(request, deliveries)
    counts = dict(Delivery.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    page = Paginator(deliveries, DELIVERY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, str(v)) for k, v in request.GET.items() if k != "page" and v])
    return render(
        request,
        "notifications/deliveries.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "status_counts": [(value, label, counts.get(value, 0)) for value, label in Delivery.Status.choices],
        },
    )


@login_required
@require_POST
def delivery_retry_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_page(request, "notifications.retry_delivery")
    delivery = Delivery.objects.filter(pk=pk).first()
    if delivery is None:
        raise Http404
    try:
        delivery_retry(delivery, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已重新排队发送（#%(pk)s）。") % {"pk": delivery.pk})
    target = request.POST.get("next", "")
    return redirect(target if _safe_local(target, request) else "notifications:delivery_list")


# --- group robots ---------------------------------------------------------------------------------


def _manageable_channels(user: Actor) -> QuerySet[OrganisationChannel]:
    # Today only the system administrator (any organisation); see permissions.py.
    return OrganisationChannel.objects.select_related("organisation").filter(
        organisation__in=_manageable_organisations(user)
    )


def _manageable_organisations(user: Actor) -> QuerySet[Organisation]:
    if rules.has_perm("notifications.manage_channels", user, None):
        return Organisation.objects.all()
    return Organisation.objects.none()


def _get_channel_for(request: AuthenticatedHttpRequest, pk: int) -> OrganisationChannel:
    require_page(request, "notifications.manage_channels")
    channel = _manageable_channels(request.user).filter(pk=pk).first()
    if channel is None:
        raise Http404
    require_page(request, "notifications.manage_channels", channel.organisation)
    return channel


@login_required
@require_GET
def channel_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "notifications.manage_channels")
    robots = _manageable_channels(request.user).order_by("organisation__path", "name", "pk")
    return render(request, "notifications/channels.html", {"robots": robots})


@login_required
@require_http_methods(["GET", "POST"])
def channel_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_page(request, "notifications.manage_channels")
    organisations = _manageable_organisations(request.user).filter(is_active=True)
    form = ChannelForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            channel_create(
                organisation=data["organisation"],
                kind=data["kind"],
                name=data["name"],
                webhook_url=data["webhook_url"],
                secret=data.get("secret") or "",
                enabled=data["enabled"],
                actor=request.user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已添加群机器人“%(name)s”。") % {"name": data["name"]})
            return redirect("notifications:channel_list")
    return render(request, "notifications/channel_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def channel_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    channel = _get_channel_for(request, pk)
    initial = {
        "organisation": channel.organisation_id,
        "kind": channel.kind,
        "name": channel.name,
        "enabled": channel.enabled,
    }
    form = ChannelForm(request.POST or None, initial=initial, channel=channel)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        secret: str | None = None
        if data.get("clear_secret"):
            secret = ""
        elif data.get("secret"):
            secret = data["secret"]
        try:
            channel_update(
                channel,
                name=data["name"],
                webhook_url=data["webhook_url"] or None,
                secret=secret,
                enabled=data["enabled"],
                actor=request.user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已保存群机器人“%(name)s”。") % {"name": data["name"]})
            return redirect("notifications:channel_list")
    return render(request, "notifications/channel_form.html", {"form": form, "creating": False, "robot": channel})


@login_required
@require_POST
def channel_test(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    channel = _get_channel_for(request, pk)
    try:
        channel_send_test(channel, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("测试消息已排队发送，请查看群消息；发送结果见“消息投递”页。")
        )
    return redirect("notifications:channel_list")
