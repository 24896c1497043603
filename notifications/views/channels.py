"""The channels page (/notifications/): a member's channels, adding and editing them, on/off,
delete, "send test" through the real path, Telegram's connect step, Web Push subscribing, and
each channel's delivery log. Another member's channel is a 404; errors show beside their
field; secrets are never shown again (a generated webhook secret once, right after)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications.forms.channels import ChannelForm
from notifications.models import Channel
from notifications.selectors.channels import channel_log, channels_of
from notifications.services.channels import (
    channel_create,
    channel_delete,
    channel_disable,
    channel_enable,
    channel_send_test,
    channel_telegram_connect,
    channel_update,
    webhook_secret_generate,
)
from notifications.transports import TransportError
from notifications.vapid import vapid_available, vapid_public_key
from playtomic_monitor.authentication import signed_in_user
from playtomic_monitor.form_errors import form_add_errors


def _own(request: HttpRequest, pk: int) -> Channel:
    return get_object_or_404(channels_of(signed_in_user(request)), pk=pk)


@login_required
@require_GET
def channel_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "notifications/channel_list.html",
        {
            "channels": channels_of(signed_in_user(request)),
            "vapid_public_key": vapid_public_key() if vapid_available() else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def channel_add(request: HttpRequest) -> HttpResponse:
    form = ChannelForm(request.POST or None, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        secret = data["secret"]
        generated = data["kind"] == Channel.Kind.WEBHOOK and not secret
        if generated:
            secret = webhook_secret_generate()
        try:
            channel = channel_create(
                user=signed_in_user(request),
                kind=data["kind"],
                name=data["name"],
                address=data["address"],
                secret=secret,
                kinds=data["kinds"],
                rate_limit_per_minute=data["rate_limit_per_minute"],
                quiet_start=data["quiet_start"],
                quiet_end=data["quiet_end"],
                timezone_name=data["timezone"],
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Added %(channel)s.") % {"channel": channel})
            if generated:
                messages.info(
                    request,
                    _("Its signing secret, shown only this once: %(secret)s") % {"secret": secret},
                )
            return redirect("notifications:channels")
    return render(request, "notifications/channel_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _own(request, pk)
    form = ChannelForm(request.POST or None, channel=channel)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        changes["timezone_name"] = changes.pop("timezone")
        try:
            channel_update(channel=channel, **changes)
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Saved %(channel)s.") % {"channel": channel})
            return redirect("notifications:channels")
    return render(request, "notifications/channel_form.html", {"form": form, "channel": channel})


@login_required
@require_POST
def channel_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _own(request, pk)
    if channel.enabled:
        channel_disable(channel=channel, reason=_("Turned off by you."))
    else:
        channel_enable(channel=channel)
    return redirect("notifications:channels")


@login_required
@require_http_methods(["GET", "POST"])
def channel_remove(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _own(request, pk)
    if request.method != "POST":
        return render(request, "notifications/channel_confirm_delete.html", {"channel": channel})
    name = str(channel)
    channel_delete(channel=channel)
    messages.success(request, _("Deleted %(channel)s.") % {"channel": name})
    return redirect("notifications:channels")


@login_required
@require_POST
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _own(request, pk)
    if not channel.enabled:
        messages.error(request, _("Turn %(channel)s on first.") % {"channel": channel})
    else:
        channel_send_test(channel=channel)
        messages.success(
            request,
            _("Test sent to %(channel)s; its log below shows how it went.") % {"channel": channel},
        )
    return redirect("notifications:channel-log", pk=channel.pk)


@login_required
@require_POST
def channel_connect(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _own(request, pk)
    if channel.kind != Channel.Kind.TELEGRAM:
        messages.error(request, _("Only Telegram channels connect this way."))
        return redirect("notifications:channels")
    try:
        found = channel_telegram_connect(channel=channel)
    except TransportError as exc:
        messages.error(request, _("Telegram did not answer: %(error)s") % {"error": exc.message})
    else:
        if found:
            messages.success(request, _("Connected to your Telegram chat."))
        else:
            messages.error(
                request, _("No /start message yet: open your bot in Telegram, send /start, retry.")
            )
    return redirect("notifications:channels")


@login_required
@require_GET
def channel_log_page(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _own(request, pk)
    return render(
        request,
        "notifications/channel_log.html",
        {"channel": channel, "deliveries": channel_log(channel)},
    )


@login_required
@require_POST
def webpush_subscribe(request: HttpRequest) -> HttpResponse:
    """The subscribe button's POST: the browser's push subscription as JSON."""
    try:
        subscription = json.loads(request.body or b"{}")
        name = str(subscription.pop("name", "") or _("This browser"))[:100]
    except (ValueError, AttributeError):
        return JsonResponse({"error": _("Send the subscription as JSON.")}, status=400)
    try:
        channel = channel_create(
            user=signed_in_user(request),
            kind=Channel.Kind.WEBPUSH,
            name=name,
            secret=json.dumps(subscription),
        )
    except ValidationError as exc:
        return JsonResponse({"errors": exc.message_dict}, status=400)
    return JsonResponse({"id": channel.pk}, status=201)


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The Web Push service worker, served from here so its scope covers /notifications/."""
    script = render_to_string("notifications/sw.js")
    return HttpResponse(script, content_type="application/javascript")
