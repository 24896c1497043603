from django.urls import path

from clubs import api

urlpatterns = [
    path("clubs/", api.ClubListCreateApi.as_view(), name="api-clubs"),
    path("clubs/search", api.ClubSearchApi.as_view(), name="api-club-search"),
    path("clubs/<int:club_id>/", api.ClubDetailApi.as_view(), name="api-club"),
    path("clubs/<int:club_id>/monitoring", api.MonitoringApi.as_view(), name="api-monitoring"),
]
