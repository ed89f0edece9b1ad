from django.apps import AppConfig


class Config(AppConfig):
    name = "zhixing.petitions"
    label = "petitions"
    default_auto_field = "django.db.models.BigAutoField"
