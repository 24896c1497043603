from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

from playtomic_monitor.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin[Heartbeat]):
    list_display = ("queue", "sent_at", "ran_at", "worker")
    readonly_fields = ("queue", "sent_at", "ran_at", "worker")


# DRF registers its API tokens in the admin with their keys in clear. They are bearer
# secrets: staff create them with `manage.py drf_create_token USER`, never read them here.
admin.site.unregister(TokenProxy)
