from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("add/", views.account_add, name="add"),
    path("<int:pk>/test/", views.account_test, name="test"),
    path("<int:pk>/delete/", views.account_remove, name="delete"),
]
