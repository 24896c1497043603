"""API permissions shared by the apps. Every API needs a signed-in caller (the project's
default); these add who may change what."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


class StaffWritesOrReadOnly(BasePermission):
    """Every signed-in member reads; only staff change anything (clubs, their monitoring,
    fetches)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or bool(user.is_staff)
