"""Pages for a member's Playtomic accounts. Lookups go through `accounts_for`, so another
member's account is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import AccountForm
from playtomic_monitor.errors import PlaytomicUnavailable
from playtomic_monitor.form_errors import form_add_errors


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    accounts = selectors.accounts_for(request.user)
    return render(request, "accounts/account_list.html", {"accounts": accounts})


@login_required
def account_add(request: HttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_create(owner=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("Account added. Use “Test login” to check it."))
            return redirect("accounts:list")
    return render(request, "accounts/account_form.html", {"form": form})


@login_required
@require_POST
def account_test(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(selectors.accounts_for(request.user), pk=pk)
    try:
        works = services.account_test_login(account=account)
    except PlaytomicUnavailable as exc:
        messages.error(
            request,
            _("%(account)s: login not tested. %(reason)s")
            % {"account": account, "reason": exc.message},
        )
        return redirect("accounts:list")
    if works:
        messages.success(request, _("%(account)s: login works.") % {"account": account})
    else:
        account.refresh_from_db()
        messages.error(
            request,
            _("%(account)s: login failed (%(error)s).")
            % {"account": account, "error": account.last_error},
        )
    return redirect("accounts:list")


@login_required
def account_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the account and its encrypted secrets."""
    account = get_object_or_404(selectors.accounts_for(request.user), pk=pk)
    if request.method != "POST":
        return render(request, "accounts/account_confirm_delete.html", {"account": account})
    name = str(account)
    services.account_delete(account=account)
    messages.success(request, _("Deleted %(account)s.") % {"account": name})
    return redirect("accounts:list")
