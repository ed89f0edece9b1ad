from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "zhixing.dashboard"
    verbose_name = "指挥中心"
