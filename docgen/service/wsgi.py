"""The WSGI application gunicorn serves (``docgen serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docgen.service.settings")
application = get_wsgi_application()
