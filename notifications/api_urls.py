from django.urls import URLPattern, URLResolver, include, path

from notifications.api import channels, subscriptions

channel_patterns: list[URLPattern | URLResolver] = [
    path("", channels.ChannelListApi.as_view(), name="api-channels"),
    path("<int:pk>/", channels.ChannelDetailApi.as_view(), name="api-channel"),
    path("<int:pk>/test/", channels.ChannelTestApi.as_view(), name="api-channel-test"),
]

subscription_patterns: list[URLPattern | URLResolver] = [
    path("", subscriptions.SubscriptionListApi.as_view(), name="api-subscriptions"),
    path("<int:pk>/", subscriptions.SubscriptionDetailApi.as_view(), name="api-subscription"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications/channels/", include(channel_patterns)),
    path("notifications/deliveries/", channels.DeliveryListApi.as_view(), name="api-deliveries"),
    path("notifications/subscriptions/", include(subscription_patterns)),
]
