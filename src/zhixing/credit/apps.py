from django.apps import AppConfig


class Config(AppConfig):
    name = "zhixing.credit"
    label = "credit"
    default_auto_field = "django.db.models.BigAutoField"
