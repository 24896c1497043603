"""The pages of a member's free-court subscriptions (/notifications/subscriptions/): list
(with the language of messages), add, edit, delete. Another member's subscription is a 404;
errors show beside their field."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from notifications.forms.subscriptions import PreferenceForm, SubscriptionForm
from notifications.models import Channel, NotificationPreference, Subscription
from notifications.selectors.subscriptions import subscriptions_of
from notifications.services.subscriptions import (
    preference_save,
    subscription_delete,
    subscription_save,
)
from playtomic_monitor.authentication import signed_in_user
from playtomic_monitor.form_errors import form_add_errors


@login_required
@require_http_methods(["GET", "POST"])
def subscription_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    preference = NotificationPreference.objects.filter(user=user).first()
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        preference_save(
            user=user, language=form.cleaned_data["language"], digest=form.cleaned_data["digest"]
        )
        messages.success(request, _("Saved."))
        return redirect("notifications:subscriptions")
    subscriptions = subscriptions_of(user)
    return render(
        request,
        "notifications/subscription_list.html",
        {
            "subscriptions": subscriptions,
            "preference_form": form,
            "has_channels": Channel.objects.filter(user=user, enabled=True).exists(),
        },
    )


def _form_page(request: HttpRequest, subscription: Subscription | None) -> HttpResponse:
    """The add form (no `subscription`) or the edit form; a valid POST saves and goes back to
    the list, a refusal shows beside its field."""
    form = SubscriptionForm(request.POST or None, instance=subscription)
    if request.method == "POST" and form.is_valid():
        try:
            subscription_save(
                user=signed_in_user(request), subscription=subscription, **form.cleaned_data
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("notifications:subscriptions")
    return render(
        request,
        "notifications/subscription_form.html",
        {"form": form, "adding": subscription is None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def subscription_add(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def subscription_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, get_object_or_404(subscriptions_of(signed_in_user(request)), pk=pk))


@login_required
@require_http_methods(["GET", "POST"])
def subscription_remove(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(subscriptions_of(signed_in_user(request)), pk=pk)
    if request.method == "POST":
        subscription_delete(user=signed_in_user(request), subscription=subscription)
        messages.success(request, _("Deleted."))
        return redirect("notifications:subscriptions")
    return render(
        request, "notifications/subscription_confirm_delete.html", {"subscription": subscription}
    )
