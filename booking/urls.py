from django.urls import path

from booking import views

app_name = "booking"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("rules/add/", views.rule_add, name="rule-add"),
    path("rules/<int:pk>/", views.rule_detail, name="rule"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule-edit"),
    path("attempts/<int:pk>/", views.attempt_detail, name="attempt"),
]
