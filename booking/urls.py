from django.urls import path

from booking import views

app_name = "booking"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("rules/add/", views.rule_add, name="rule-add"),
    path("rules/<int:pk>/", views.rule_detail, name="rule"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule-edit"),
    path("rules/<int:pk>/delete/", views.rule_remove, name="rule-delete"),
    path("attempts/<int:pk>/", views.attempt_detail, name="attempt"),
    path("games/", views.game_list, name="games"),
    path("play/", views.play_options, name="play"),
    path("calendar/", views.calendar, name="calendar"),
    # The secret link a calendar app subscribes to: no login, the link is the key.
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
