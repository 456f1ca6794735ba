from django.apps import AppConfig
from django.db.models.signals import post_save


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = "Goal chain"

    def ready(self) -> None:
        # Imported here because the signature imports the models, which Django loads only
        # after every app config exists.
        from goals.selectors.signature import people_changed

        # Cached chains name the owners of goals and key results.
        post_save.connect(people_changed, sender=self.get_model("User"))
