"""What the apps' API views share: reading a request's query or body through its input
serializer, answering one page of rows, and the rows a member owns (a list of theirs, one of
theirs)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from playtomic_monitor.authentication import signed_in_user

# The model of the rows a view answers.
M = TypeVar("M", bound=Model)


def validated(
    serializer_class: type[serializers.Serializer[Any]], data: Any, **context: Any
) -> dict[str, Any]:
    """`data` (a query or a body) as `serializer_class` reads it, with `context`; a refusal is
    a 400 with field messages."""
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# A view that answers lists a page at a time (`?page=`), in DRF's page envelope. (No
# docstring: it would become the description of every operation.)
class PagedApiView(APIView):
    # Read by drf-spectacular, so the schema shows the paginated envelope.
    pagination_class = PageNumberPagination

    def page_response(
        self,
        request: Request,
        rows: QuerySet[Any] | Sequence[Any],
        output: type[serializers.Serializer[Any]],
    ) -> Response:
        """The page of `rows` the request asks for, each shaped by `output`."""
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(output(page, many=True).data)


# A member's own rows (channels, subscriptions, ...): only the caller's exist for them, another
# member's is a 404; bad input is a 400 with field messages (the serializer's, then the
# service's). The app writes (`create`, `update`, `destroy`) through its services.
#
# The caller's own rows, all on one answer: `owned` reads a member's.
class OwnedListApi(generics.ListCreateAPIView[M]):
    owned: Callable[[User], QuerySet[M]]
    pagination_class = None

    def get_queryset(self) -> QuerySet[M]:
        return type(self).owned(signed_in_user(self.request))


# One of the caller's own rows (`pk`), among those `owned` reads: read, replaced whole (no
# PATCH) and deleted.
class OwnedDetailApi(generics.RetrieveUpdateDestroyAPIView[M]):
    owned: Callable[[User], QuerySet[M]]
    http_method_names = ["get", "put", "delete", "head", "options"]

    def get_object(self) -> M:
        mine = type(self).owned(signed_in_user(self.request))
        return get_object_or_404(mine, pk=self.kwargs["pk"])
