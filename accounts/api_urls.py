from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import DefaultRouter

from accounts import api

router = DefaultRouter()
# The path predates the accounts app; clients keep using it.
router.register("booking/accounts", api.AccountViewSet, basename="booking-account")

urlpatterns: list[URLPattern | URLResolver] = [path("", include(router.urls))]
