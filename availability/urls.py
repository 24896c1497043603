from django.urls import include, path

from availability.views import club, overview, poll_progress

urlpatterns = [
    path("", overview.home, name="home"),
    path("compare/", overview.compare, name="compare"),
    path(
        "clubs/<int:club_id>/",
        include(
            [
                path("", club.club_detail, name="club"),
                path("fetch/", club.club_fetch, name="club-fetch"),
                path("polls/<int:run_id>/", poll_progress.poll_detail, name="club-poll"),
            ]
        ),
    ),
]
