from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Playtomic accounts: encrypted credentials, the token store and the clients that act for
    an account. Below clubs, availability and booking, which all read or book through it."""

    name = "accounts"
