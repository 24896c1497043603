"""The pages of a member's free-court subscriptions (/notifications/subscriptions/): list
(with the language of messages), add, edit, delete. Another member's subscription is a 404;
errors show beside their field."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from notifications.forms.subscriptions import PreferenceForm, SubscriptionForm
from notifications.models import Channel, NotificationPreference, Subscription
from notifications.services.subscriptions import (
    preference_save,
    subscription_delete,
    subscription_save,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_http_methods(["GET", "POST"])
def subscription_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    preference = NotificationPreference.objects.filter(user=user).first()
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        preference_save(
            user=user, language=form.cleaned_data["language"], digest=form.cleaned_data["digest"]
        )
        messages.success(request, _("Saved."))
        return redirect("notifications:subscriptions")
    subscriptions = Subscription.objects.filter(user=user).prefetch_related("clubs", "courts")
    return render(
        request,
        "notifications/subscription_list.html",
        {
            "subscriptions": subscriptions,
            "preference_form": form,
            "has_channels": Channel.objects.filter(user=user, enabled=True).exists(),
        },
    )


def _save(
    request: HttpRequest, form: SubscriptionForm, subscription: Subscription | None
) -> HttpResponse | None:
    if request.method != "POST" or not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        subscription_save(user=_user(request), subscription=subscription, **data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None
    messages.success(request, _("Saved."))
    return redirect("notifications:subscriptions")


@login_required
@require_http_methods(["GET", "POST"])
def subscription_add(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None)
    done = _save(request, form, None)
    return done or render(
        request, "notifications/subscription_form.html", {"form": form, "adding": True}
    )


@login_required
@require_http_methods(["GET", "POST"])
def subscription_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=pk, user=_user(request))
    form = SubscriptionForm(request.POST or None, instance=subscription)
    done = _save(request, form, subscription)
    return done or render(
        request, "notifications/subscription_form.html", {"form": form, "adding": False}
    )


@login_required
@require_http_methods(["GET", "POST"])
def subscription_remove(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=pk, user=_user(request))
    if request.method == "POST":
        subscription_delete(user=_user(request), subscription=subscription)
        messages.success(request, _("Deleted."))
        return redirect("notifications:subscriptions")
    return render(
        request, "notifications/subscription_confirm_delete.html", {"subscription": subscription}
    )
