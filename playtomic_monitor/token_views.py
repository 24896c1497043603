"""The member's own API tokens: make one (its secret is shown on that one response, never
again), see when each was made and last used, revoke one. Another member's token is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from playtomic_monitor.form_errors import form_add_errors
from playtomic_monitor.forms import ApiTokenForm
from playtomic_monitor.selectors import api_tokens_for
from playtomic_monitor.services import api_token_create, api_token_revoke


@never_cache
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """GET lists the tokens; POST makes one and answers with its secret on this page, the
    only place it is ever shown (it is not kept in the session or anywhere else)."""
    user = request.user
    assert isinstance(user, User)
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = api_token_create(
                user=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            form = ApiTokenForm()
    context = {
        "form": form,
        "secret": secret,
        "tokens": api_tokens_for(user),
        "api_url": request.build_absolute_uri("/api/clubs/"),
    }
    return render(request, "playtomic_monitor/api_tokens.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(api_tokens_for(request.user), pk=pk)
    if api_token_revoke(token=token):
        messages.success(
            request, _("Revoked %(token)s: the API refuses it from now on.") % {"token": token}
        )
    return redirect("api-tokens")
