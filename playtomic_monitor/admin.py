from django.contrib import admin

from playtomic_monitor.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin[Heartbeat]):
    list_display = ("queue", "sent_at", "ran_at", "worker")
    readonly_fields = ("queue", "sent_at", "ran_at", "worker")
