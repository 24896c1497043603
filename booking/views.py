"""Server-rendered booking pages. Every lookup goes through the owner-scoped selectors, so
another member's object is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from booking import selectors, services
from booking.forms import AccountForm, RuleForm


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    context = {
        "rules": selectors.rules_for(request.user),
        "accounts": selectors.accounts_for(request.user),
        "attempts": selectors.attempts_for(request.user)[:20],
        "rule_rates": selectors.success_rate_by_rule(request.user),
        "account_rates": selectors.success_rate_by_account(request.user),
    }
    return render(request, "booking/overview.html", context)


@login_required
def account_add(request: HttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_create(owner=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Account added. Use “Test login” to check it.")
            return redirect("booking:overview")
    return render(request, "booking/account_form.html", {"form": form})


@login_required
@require_POST
def account_test(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(selectors.accounts_for(request.user), pk=pk)
    if services.account_test_login(account=account):
        messages.success(request, f"{account}: login works.")
    else:
        account.refresh_from_db()
        messages.error(request, f"{account}: login failed ({account.last_error}).")
    return redirect("booking:overview")


def _rule_form(request: HttpRequest, rule: Any = None) -> HttpResponse:
    form = RuleForm(request.POST or None, instance=rule, owner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.rule_save(
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
    return render(request, "booking/rule_detail.html", {"rule": rule, "attempts": attempts})


@login_required
def attempt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_object_or_404(selectors.attempts_for(request.user), pk=pk)
    return render(
        request,
        "booking/attempt_detail.html",
        {"attempt": attempt, "events": attempt.events.all()},
    )
