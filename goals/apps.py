from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_save

from goalchain.writes import unwatch, watch_writes


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = "Goal chain"

    def ready(self) -> None:
        # Imported here because these import the models, which Django loads only after
        # every app config exists.
        from django.contrib.sessions.models import Session

        from goals.selectors.signature import people_changed

        # Cached chains name the owners of goals and key results.
        post_save.connect(people_changed, sender=self.get_model("User"))
        # Every write changes the stamp that answers cached without a query are checked by.
        connection_created.connect(watch_writes)
        for connection in connections.all(initialized_only=True):
            watch_writes(connection)
        # Sign-ins write sessions; API answers are per token and never read them.
        unwatch(Session._meta.db_table)
