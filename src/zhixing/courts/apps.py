from django.apps import AppConfig


class Config(AppConfig):
    name = "zhixing.courts"
    label = "courts"
    default_auto_field = "django.db.models.BigAutoField"
