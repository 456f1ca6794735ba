from django.apps import AppConfig
from django.db.models.signals import post_save


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = "Goal chain"

    def ready(self) -> None:
        # Imported here because the hot path imports the models, which Django loads only
        # after every app config exists.
        from goals.api.hot_path import people_changed

        # Cached chains name the owners of goals and key results.
        post_save.connect(people_changed, sender=self.get_model("User"))
