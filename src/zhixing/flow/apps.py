from django.apps import AppConfig


class Config(AppConfig):
    name = "zhixing.flow"
    label = "flow"
    default_auto_field = "django.db.models.BigAutoField"
