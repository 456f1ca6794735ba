import os

from django.core.wsgi import get_wsgi_application

from goalchain.runtime import tune_garbage_collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goalchain.settings")
tune_garbage_collector()
application = get_wsgi_application()
