from django.apps import AppConfig


class Config(AppConfig):
    name = "zhixing.funds"
    label = "funds"
    default_auto_field = "django.db.models.BigAutoField"
