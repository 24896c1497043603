"""Forms of the group pages. They check the shape of what was typed; the services decide
whether it is allowed and say why not, beside the field it is about."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from groups import selectors, services
from groups.models import Group, Membership

# Longer than any password manager makes; a longer one would only cost hashing time.
PASSWORD_MAX_LENGTH = 1024


class GroupForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=services.NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("Weekday evenings"), "autocomplete": "off"}),
    )


class InviteForm(forms.Form):
    uses = forms.TypedChoiceField(
        label=_("Who can use it"),
        coerce=int,
        initial=1,
        choices=[
            (1, _("One person")),
            (5, _("Up to 5 people")),
            (20, _("Up to 20 people")),
            (0, _("Anyone with the link")),
        ],
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        initial=services.INVITE_DEFAULT_DAYS,
        choices=[(1, _("1 day")), (7, _("1 week")), (30, _("30 days"))],
    )

    def max_uses(self) -> int | None:
        uses: int = self.cleaned_data["uses"]
        return uses or None


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        choices=[(Membership.Role.ADMIN, _("Admin")), (Membership.Role.MEMBER, _("Member"))]
    )


class LendForm(forms.Form):
    """One of the member's own accounts not yet lent to the group. A choice among their ids,
    so an id no row can have is refused before any query."""

    account = forms.TypedChoiceField(label=_("Account"), coerce=int)

    def __init__(self, *args: Any, user: User, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accounts = {a.pk: a for a in selectors.accounts_lendable_by(user, group)}
        field = self.fields["account"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(pk, str(account)) for pk, account in self.accounts.items()]


class SignUpForm(forms.Form):
    """A new person joining through an invite link. The service checks the email is free and
    the password good enough (Django's validators); its messages land beside these fields."""

    display_name = forms.CharField(
        label=_("Your name"),
        max_length=services.DISPLAY_NAME_MAX_LENGTH,
        help_text=_("How the group sees you."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=services.EMAIL_MAX_LENGTH,
        help_text=_("You log in with it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    # The service's field names -> this form's.
    SERVICE_FIELDS = {"password": "password1"}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned
