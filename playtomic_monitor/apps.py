from django.apps import AppConfig


class PlaytomicMonitorConfig(AppConfig):
    name = "playtomic_monitor"
    verbose_name = "System"
