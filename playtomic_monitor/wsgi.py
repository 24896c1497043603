import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from playtomic_monitor.gc_tuning import gc_freeze_startup

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playtomic_monitor.settings")
application = get_wsgi_application()
# Import every view module now (Django would on the first request), then freeze all that is
# loaded: full collections during requests walk only what requests made.
get_resolver().url_patterns  # noqa: B018 (loads the URL patterns and their views)
gc_freeze_startup()
