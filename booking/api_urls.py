from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import DefaultRouter

from booking import api

router = DefaultRouter()
router.register("booking/rules", api.RuleViewSet, basename="booking-rule")
router.register("booking/attempts", api.AttemptViewSet, basename="booking-attempt")
router.register("booking/stats", api.StatsViewSet, basename="booking-stats")

urlpatterns: list[URLPattern | URLResolver] = [path("", include(router.urls))]
