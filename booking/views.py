"""Server-rendered booking pages. Every lookup goes through the owner-scoped selectors, so
another member's object is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.selectors import accounts_for
from booking import selectors
from booking.forms import RuleForm
from booking.services.rules import rule_save


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    context = {
        "rules": selectors.rules_for(request.user),
        "accounts": accounts_for(request.user),
        "attempts": selectors.attempts_for(request.user)[:20],
        "rule_rates": selectors.success_rate_by_rule(request.user),
        "account_rates": selectors.success_rate_by_account(request.user),
    }
    return render(request, "booking/overview.html", context)


def _rule_form(request: HttpRequest, rule: Any = None) -> HttpResponse:
    form = RuleForm(request.POST or None, instance=rule, owner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = rule_save(
                owner=request.user,  # type: ignore[arg-type]
                rule=rule,
                accounts=list(form.cleaned_data["accounts"]),
                **form.rule_fields(),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Saved {saved.name}.")
            return redirect("booking:rule", pk=saved.pk)
    return render(request, "booking/rule_form.html", {"form": form, "rule": rule})


@login_required
def rule_add(request: HttpRequest) -> HttpResponse:
    return _rule_form(request)


@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _rule_form(request, get_object_or_404(selectors.rules_for(request.user), pk=pk))


@login_required
def rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(selectors.rules_for(request.user), pk=pk)
    attempts = selectors.attempts_for(request.user).filter(rule=rule)[:50]
    context = {
        "rule": rule,
        "clubs": selectors.rule_clubs(rule),
        "release_check": selectors.rule_release_check(rule, now=timezone.now()),
        "attempts": attempts,
    }
    return render(request, "booking/rule_detail.html", context)


@login_required
def attempt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_object_or_404(selectors.attempts_for(request.user), pk=pk)
    return render(
        request,
        "booking/attempt_detail.html",
        {"attempt": attempt, "events": attempt.events.all()},
    )
