import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django_application = get_asgi_application()

# After Django is set up: the event streams' app imports models.
from events.asgi import Router  # noqa: E402

# Event stream paths go to the async stream app (events.md §3.5), the rest to Django.
application = Router(django_application)
