from django.apps import AppConfig


class Config(AppConfig):
    name = "zhixing.metrics"
    label = "metrics"
    default_auto_field = "django.db.models.BigAutoField"
