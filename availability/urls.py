from django.urls import path

from availability.views import club, overview, poll_progress

urlpatterns = [
    path("", overview.home, name="home"),
    path("compare/", overview.compare, name="compare"),
    path("clubs/<int:club_id>/", club.club_detail, name="club"),
    path("clubs/<int:club_id>/fetch/", club.club_fetch, name="club-fetch"),
    path("clubs/<int:club_id>/polls/<int:run_id>/", poll_progress.poll_detail, name="club-poll"),
]
