from django.urls import include, path

from booking import views

# One rule's pages, under rules/<pk>/.
rule_patterns = [
    path("", views.rule_detail, name="rule"),
    path("edit/", views.rule_edit, name="rule-edit"),
    path("delete/", views.rule_remove, name="rule-delete"),
]

app_name = "booking"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("rules/add/", views.rule_add, name="rule-add"),
    path("rules/<int:pk>/", include(rule_patterns)),
    path("attempts/<int:pk>/", views.attempt_detail, name="attempt"),
    path("games/", views.game_list, name="games"),
    path("play/", views.play_options, name="play"),
    path("calendar/", views.calendar, name="calendar"),
    # The secret link a calendar app subscribes to: no login, the link is the key.
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
