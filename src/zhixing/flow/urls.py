"""Flow pages, included by the lead at ``/flow/``."""

from django.urls import path

from zhixing.flow import views

app_name = "flow"

urlpatterns = [
    path("", views.index, name="index"),
    path("queue/", views.queue, name="queue"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("restraints/", views.restraints, name="restraints"),
    path("extensions/", views.extensions, name="extensions"),
    path("extensions/<int:pk>/", views.extension_detail, name="extension"),
    path("cases/<str:case_number>/", views.case_page, name="case"),
    path("cases/<str:case_number>/extension/", views.extension_new, name="extension_new"),
]
