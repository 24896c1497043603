"""The invite link, at /join/<token>/: outside /groups/ because it is the one group page open
to visitors who are not logged in. Its secret is URL-safe base64, so a slug matches it and
anything else (a NUL byte, a slash) is a 404 before any lookup."""

from django.urls import path

from groups import views

urlpatterns = [path("<slug:token>/", views.join, name="join")]
