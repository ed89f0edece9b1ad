"""执行公开, mounted at ``/portal/``: no log-in (the party proves who they are instead)."""

from django.urls import path

from zhixing.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("verify/", views.verify, name="verify"),
    path("case/", views.case, name="case"),
    path("exit/", views.leave, name="exit"),
]
