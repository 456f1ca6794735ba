import os

from django.core.asgi import get_asgi_application

from goalchain.runtime import tune_garbage_collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goalchain.settings")
tune_garbage_collector()
application = get_asgi_application()
