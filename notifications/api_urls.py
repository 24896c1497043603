from django.urls import URLPattern, URLResolver, path

from notifications.api import channels, subscriptions

urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications/channels/", channels.ChannelListApi.as_view(), name="api-channels"),
    path(
        "notifications/channels/<int:pk>/", channels.ChannelDetailApi.as_view(), name="api-channel"
    ),
    path(
        "notifications/channels/<int:pk>/test/",
        channels.ChannelTestApi.as_view(),
        name="api-channel-test",
    ),
    path("notifications/deliveries/", channels.DeliveryListApi.as_view(), name="api-deliveries"),
    path(
        "notifications/subscriptions/",
        subscriptions.SubscriptionListApi.as_view(),
        name="api-subscriptions",
    ),
    path(
        "notifications/subscriptions/<int:pk>/",
        subscriptions.SubscriptionDetailApi.as_view(),
        name="api-subscription",
    ),
]
