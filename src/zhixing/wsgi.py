import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
application = get_wsgi_application()

# Deadlines depend on the holiday schedules an administrator loaded into the database.
from zhixing.flow.calendar import sync_calendar  # noqa: E402

sync_calendar()
