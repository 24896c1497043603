from django.urls import path

from clubs import views

app_name = "clubs"
urlpatterns = [
    path("add/", views.club_add, name="add"),
    path("<int:club_id>/monitoring/", views.club_monitoring, name="monitoring"),
]
