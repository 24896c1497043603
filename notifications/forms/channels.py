"""The channel form of the pages. Secrets are write-only: the field is never filled back in,
and left empty on an edit it keeps the stored one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Channel, Notification

# What the address and secret fields mean for each kind (shown as help on the page).
ADDRESS_HELP: dict[str, Any] = {
    Channel.Kind.EMAIL: _("The email address to write to."),
    Channel.Kind.WEBHOOK: _("The URL we POST signed JSON to."),
    Channel.Kind.TELEGRAM: _("Filled in by “Connect” once you sent /start to your bot."),
}
SECRET_HELP: dict[str, Any] = {
    Channel.Kind.WEBHOOK: _(
        "The signing secret (16+ characters). Empty: we make one and show it once."
    ),
    Channel.Kind.TELEGRAM: _("The bot token BotFather gave you."),
    Channel.Kind.APPRISE: _("An apprise URL, e.g. discord://…, slack://…, ntfy://…, pover://…"),
}


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[(k, label) for k, label in Channel.Kind.choices if k != Channel.Kind.WEBPUSH],
    )
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=500, required=False)
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Stored encrypted and never shown again; leave empty to keep it."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Only these messages"),
        choices=Notification.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: every message."),
    )
    rate_limit_per_minute = forms.IntegerField(
        label=_("At most per minute"),
        min_value=0,
        max_value=1000,
        initial=20,
        help_text=_("More than this in a minute arrive as one summary; 0: no limit."),
    )
    quiet_start = forms.TimeField(
        label=_("Quiet from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    quiet_end = forms.TimeField(
        label=_("Quiet until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Messages in quiet hours arrive as one summary when they end."),
    )
    timezone = forms.CharField(label=_("Your time zone"), max_length=64, initial="Europe/Madrid")

    def __init__(self, *args: Any, channel: Channel | None = None, **kwargs: Any) -> None:
        if channel is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": channel.kind,
                    "name": channel.name,
                    "address": channel.address,
                    "kinds": channel.kinds,
                    "rate_limit_per_minute": channel.rate_limit_per_minute,
                    "quiet_start": channel.quiet_start,
                    "quiet_end": channel.quiet_end,
                    "timezone": channel.timezone,
                },
            )
        super().__init__(*args, **kwargs)
        if channel is not None:
            # The type of a channel does not change; Web Push channels have no address.
            del self.fields["kind"]
            if channel.kind == Channel.Kind.WEBPUSH:
                del self.fields["address"], self.fields["secret"]
            else:
                self.fields["address"].help_text = ADDRESS_HELP.get(channel.kind, "")
                self.fields["secret"].help_text = SECRET_HELP.get(
                    channel.kind, self.fields["secret"].help_text
                )
