from django.apps import AppConfig


class Config(AppConfig):
    name = "zhixing.termination"
    label = "termination"
    default_auto_field = "django.db.models.BigAutoField"
