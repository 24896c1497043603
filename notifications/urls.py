from django.urls import URLPattern, URLResolver, path

from notifications.views import channels, subscriptions

app_name = "notifications"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", channels.channel_list, name="channels"),
    path("channels/add/", channels.channel_add, name="channel-add"),
    path("channels/webpush/", channels.webpush_subscribe, name="webpush-subscribe"),
    path("channels/<int:pk>/", channels.channel_edit, name="channel-edit"),
    path("channels/<int:pk>/toggle/", channels.channel_toggle, name="channel-toggle"),
    path("channels/<int:pk>/delete/", channels.channel_remove, name="channel-delete"),
    path("channels/<int:pk>/test/", channels.channel_test, name="channel-test"),
    path("channels/<int:pk>/connect/", channels.channel_connect, name="channel-connect"),
    path("channels/<int:pk>/log/", channels.channel_log_page, name="channel-log"),
    path("sw.js", channels.service_worker, name="service-worker"),
    path("subscriptions/", subscriptions.subscription_list, name="subscriptions"),
    path("subscriptions/add/", subscriptions.subscription_add, name="subscription-add"),
    path("subscriptions/<int:pk>/", subscriptions.subscription_edit, name="subscription-edit"),
    path(
        "subscriptions/<int:pk>/delete/",
        subscriptions.subscription_remove,
        name="subscription-delete",
    ),
]
