from django.apps import AppConfig


class Config(AppConfig):
    name = "zhixing.inquiry"
    label = "inquiry"
    verbose_name = "网络查控"
    default_auto_field = "django.db.models.BigAutoField"
