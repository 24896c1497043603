"""How callers are recognised: the signed-in user of a page or API call, API tokens for
scripts, and the client address that login lockouts and anonymous throttling count by."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from playtomic_monitor.models import ApiToken
from playtomic_monitor.services import api_token_authenticate


def signed_in_user(request: HttpRequest | Request) -> User:
    """The user of a request that `login_required` or `IsAuthenticated` let through."""
    assert isinstance(request.user, User)
    return request.user


# "Token" is the keyword DRF's own tokens used; tokens carried over from them still send it.
KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <secret>`. A request without the header is left to the next
    authenticator; a bad, expired or revoked secret is a 401."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send one token: 'Authorization: Bearer <token>'."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("Invalid, expired or revoked token.")) from None
        token = api_token_authenticate(secret=secret)
        if token is None:
            raise AuthenticationFailed(_("Invalid, expired or revoked token."))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer"}


def client_address(request: HttpRequest) -> str:
    """The caller's address, by DRF's rule (REST_FRAMEWORK["NUM_PROXIES"], set from
    TRUSTED_PROXY_COUNT), so login lockouts and API throttles agree on who the caller is."""
    return BaseThrottle().get_ident(request)  # type: ignore[arg-type]
