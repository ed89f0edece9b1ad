from django.apps import AppConfig


class Config(AppConfig):
    name = "zhixing.supervision"
    label = "supervision"
    verbose_name = "督办与监督"
    default_auto_field = "django.db.models.BigAutoField"
