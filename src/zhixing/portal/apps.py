from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "zhixing.portal"
    verbose_name = "执行公开"
