from django.apps import AppConfig


class ReinforcementsConfig(AppConfig):
    name = "reinforcements"
    verbose_name = "Reinforcements"

    def ready(self):
        from reinforcements import freshness

        freshness.connect()
