from django.apps import AppConfig


class Config(AppConfig):
    name = "zhixing.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"
