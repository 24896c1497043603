from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import DefaultRouter

from booking import api

router = DefaultRouter()
router.register("booking/rules", api.RuleViewSet, basename="booking-rule")
router.register("booking/attempts", api.AttemptViewSet, basename="booking-attempt")
router.register("booking/stats", api.StatsViewSet, basename="booking-stats")

urlpatterns: list[URLPattern | URLResolver] = [
    path("booking/games/", api.GameListApi.as_view(), name="api-booking-games"),
    path("booking/play/", api.PlayApi.as_view(), name="api-booking-play"),
    path("", include(router.urls)),
]
