from notifications.models.channels import Channel
from notifications.models.outbox import Delivery, Notification
from notifications.models.subscriptions import NotificationPreference, Subscription

__all__ = ["Channel", "Delivery", "Notification", "NotificationPreference", "Subscription"]
