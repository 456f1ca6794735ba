from django.apps import AppConfig

from goalchain.writes import unwatch


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = "Workshops"

    def ready(self) -> None:
        # Ballots and the room's events: no answer cached under the write stamp shows them
        # (goals/api/fast_reads.py), and a vote storm writes thousands a second.
        unwatch(self.get_model("Vote")._meta.db_table)
        unwatch(self.get_model("WorkshopEvent")._meta.db_table)
