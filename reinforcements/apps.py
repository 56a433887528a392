from django.apps import AppConfig


class ReinforcementsConfig(AppConfig):
    name = "reinforcements"
    verbose_name = "Reinforcements"
