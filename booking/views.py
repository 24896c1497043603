"""Server-rendered booking pages. Every lookup goes through the group-scoped selectors, so a
rule or attempt of a group the member is not in is a 404; what their role does not allow
(changing someone else's rule as a plain member) is a 403."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.selectors import accounts_for
from booking import games, play, selectors
from booking.forms import PAYMENT_CHOICES, RELEASE_CHOICES, PlayFilterForm, RuleForm
from booking.models import BookingRule, CalendarFeed
from booking.services.calendar import calendar_feed_rotate
from booking.services.rules import rule_delete, rule_groups_for, rule_save
from groups.models import Group
from groups.selectors import groups_for
from playtomic_monitor.authentication import signed_in_user

# The secret of a calendar link just made, kept in the session until the page shows it once.
NEW_FEED_SESSION_KEY = "booking:new-calendar-link"


def _rule(request: HttpRequest, pk: int) -> BookingRule:
    return get_object_or_404(selectors.rules_for(request.user), pk=pk)


def _group_param(request: HttpRequest, choices: list[Group]) -> Group | None:
    """The group named by `?group=` (or the form's `group`) among `choices`: None when absent;
    404 when it is not one of them."""
    raw = request.POST.get("group") or request.GET.get("group")
    if not raw:
        return None
    for group in choices:
        if str(group.pk) == raw:
            return group
    raise Http404


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    rules = list(selectors.rules_for(user))
    for rule in rules:
        rule.editable = selectors.rule_editable_by(rule, user)  # type: ignore[attr-defined]
    context = {
        "rules": rules,
        "shared": groups_for(user).filter(personal_for__isnull=True).exists(),
        "accounts": accounts_for(user),
        "attempts": selectors.attempts_for(user)[:20],
        "rule_rates": selectors.success_rate_by_rule(user),
        "account_rates": selectors.success_rate_by_account(user),
    }
    return render(request, "booking/overview.html", context)


def _rule_form(request: HttpRequest, rule: BookingRule | None, group: Group) -> HttpResponse:
    user = signed_in_user(request)
    form = RuleForm(request.POST or None, instance=rule, owner=user, group=group)
    if request.method == "POST" and form.is_valid():
        fields = form.rule_fields()
        try:
            saved = rule_save(
                owner=user,
                rule=rule,
                group=group,
                accounts=list(form.cleaned_data["accounts"]),
                **fields,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(form.field_for_error(field), errors)
        else:
            messages.success(request, _("Saved %(rule)s.") % {"rule": saved.name})
            return redirect("booking:rule", pk=saved.pk)
    context = {
        "form": form,
        "rule": rule,
        "group": group,
        "groups": rule_groups_for(user) if rule is None else [],
    }
    return render(request, "booking/rule_form.html", context)


@login_required
def rule_add(request: HttpRequest) -> HttpResponse:
    """A new rule for the group in `?group=` (default: the member's personal group)."""
    choices = rule_groups_for(signed_in_user(request))
    group = _group_param(request, choices) or choices[0]
    return _rule_form(request, None, group)


@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    if not selectors.rule_editable_by(rule, request.user):
        raise PermissionDenied
    return _rule_form(request, rule, rule.group)


@login_required
def rule_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the rule and its pending schedule."""
    rule = _rule(request, pk)
    if not selectors.rule_editable_by(rule, request.user):
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "booking/rule_confirm_delete.html", {"rule": rule})
    rule_delete(rule=rule, actor=signed_in_user(request))
    messages.success(request, _("Deleted %(rule)s.") % {"rule": rule.name})
    return redirect("booking:overview")


@login_required
def rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    attempts = selectors.attempts_for(request.user).filter(rule=rule)[:50]
    players = selectors.rule_players(rule)
    context = {
        "rule": rule,
        "editable": selectors.rule_editable_by(rule, request.user),
        "clubs": selectors.rule_clubs(rule),
        "release_check": selectors.rule_release_check(rule, now=timezone.now()),
        "attempts": attempts,
        "players": players,
        "open_seats": range(max(0, rule.number_of_players - len(players))),
        "withdrawn": selectors.rule_withdrawn_accounts(rule),
        "weekdays": [WEEKDAYS[day] for day in sorted(rule.weekdays)],
        "courts": selectors.rule_listed_courts(rule),
        "payment_methods": [dict(PAYMENT_CHOICES).get(m, m) for m in rule.payment_methods],
        "release_policy": dict(RELEASE_CHOICES).get(rule.release_policy, rule.release_policy),
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


@login_required
def game_list(request: HttpRequest) -> HttpResponse:
    """Our games: the upcoming booked games of the member's groups."""
    upcoming = games.games_for(request.user, since=timezone.now())
    context = {
        "games": upcoming,
        "several_groups": len({game.group.pk for game in upcoming}) > 1,
    }
    return render(request, "booking/games.html", context)


def group_games_section(*, request: HttpRequest, group: Group) -> SafeString:
    """The group page's "Upcoming games" (wired in settings.GROUP_PAGE_SECTIONS: groups sits
    below booking and cannot ask for them itself)."""
    upcoming = games.games_for(request.user, since=timezone.now(), group=group)
    html = render_to_string(
        "booking/_group_games.html", {"games": upcoming, "group": group}, request=request
    )
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escapes


@login_required
def play_options(request: HttpRequest) -> HttpResponse:
    """When can we play? Free slots at the group's clubs that fit what its rules want."""
    choices = rule_groups_for(signed_in_user(request))
    shared = [choice for choice in choices if not choice.is_personal]
    group = _group_param(request, choices) or (shared or choices)[0]
    now = timezone.now()
    rules = play.group_rules(group)
    clubs = play.group_clubs(rules)
    today = timezone.localdate(now, clubs[0].zone) if clubs else now.date()
    days = [today + timedelta(days=n) for n in range(play.DEFAULT_DAYS)]
    durations = sorted({d for rule in rules for d in rule.durations})
    form = PlayFilterForm(request.GET, clubs=clubs, days=days, durations=durations)
    options = play.play_options(group, now=now, filters=form.filters())
    context: dict[str, Any] = {
        "group": group,
        "groups": choices,
        "form": form,
        "times": play.play_times(options),
        "filtered": any(value for key, value in request.GET.items() if key != "group"),
        "has_rules": bool(rules),
        "now": now,
    }
    return render(request, "booking/play.html", context)


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The member's calendar link: make one, or a new one (the old link stops working)."""
    user = signed_in_user(request)
    if request.method == "POST":
        secret = calendar_feed_rotate(user=user)
        request.session[NEW_FEED_SESSION_KEY] = request.build_absolute_uri(
            reverse("booking:calendar-feed", kwargs={"token": secret})
        )
        messages.success(request, _("Your calendar link is ready; any older link stopped working."))
        return redirect("booking:calendar")
    context = {
        "feed": CalendarFeed.objects.filter(user=user).first(),
        "new_link": request.session.pop(NEW_FEED_SESSION_KEY, None),
    }
    return render(request, "booking/calendar.html", context)


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The ICS feed behind a member's secret link: no login (calendar apps cannot), so the
    link is the key. An unknown or rotated link is a 404."""
    user = games.feed_owner(token)
    if user is None:
        raise Http404
    now = timezone.now()
    upcoming = games.games_for(user, since=now - games.FEED_PAST)
    body = games.games_calendar(
        upcoming,
        name=_("Padel: our games"),
        now=now,
        host=request.get_host().split(":")[0] or "playtomic-monitor",
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="games.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
