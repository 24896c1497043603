from django.urls import URLPattern, URLResolver, include, path

from notifications.views import channels, subscriptions

# What a person does to one of their channels, under channels/<pk>/.
channel_patterns = [
    path("", channels.channel_edit, name="channel-edit"),
    path("toggle/", channels.channel_toggle, name="channel-toggle"),
    path("delete/", channels.channel_remove, name="channel-delete"),
    path("test/", channels.channel_test, name="channel-test"),
    path("connect/", channels.channel_connect, name="channel-connect"),
    path("log/", channels.channel_log_page, name="channel-log"),
]

subscription_patterns = [
    path("", subscriptions.subscription_list, name="subscriptions"),
    path("add/", subscriptions.subscription_add, name="subscription-add"),
    path("<int:pk>/", subscriptions.subscription_edit, name="subscription-edit"),
    path("<int:pk>/delete/", subscriptions.subscription_remove, name="subscription-delete"),
]

app_name = "notifications"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", channels.channel_list, name="channels"),
    path("channels/add/", channels.channel_add, name="channel-add"),
    path("channels/webpush/", channels.webpush_subscribe, name="webpush-subscribe"),
    path("channels/<int:pk>/", include(channel_patterns)),
    path("sw.js", channels.service_worker, name="service-worker"),
    path("subscriptions/", include(subscription_patterns)),
]
