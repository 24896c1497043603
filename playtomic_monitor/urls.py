from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from playtomic_monitor import token_views, views

# Each app's endpoints under /api/, in this order.
API_APPS = ["clubs", "availability", "accounts", "groups", "booking", "notifications"]
api_patterns: list[URLPattern | URLResolver] = [
    *(path("", include(f"{app}.api_urls")) for app in API_APPS),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

urlpatterns = [
    path("health/", views.health, name="health"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    # set_language: the footer's language switcher posts here.
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include(api_patterns)),
    path("api/auth/", include("rest_framework.urls")),
    path("api-tokens/", token_views.token_list, name="api-tokens"),
    path("api-tokens/<int:pk>/revoke/", token_views.token_revoke, name="api-token-revoke"),
    path("", include("availability.urls")),
    path("clubs/", include("clubs.urls")),
    path("booking/accounts/", include("accounts.urls")),
    path("groups/", include("groups.urls")),
    # An invite link: the only group page open to visitors who are not logged in.
    path("join/", include("groups.join_urls")),
    path("booking/", include("booking.urls")),
    path("notifications/", include("notifications.urls")),
]
