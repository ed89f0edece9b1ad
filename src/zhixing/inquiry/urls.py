"""Online inquiry pages, mounted at ``/inquiry/``."""

from django.urls import path

from zhixing.inquiry import views

app_name = "inquiry"

urlpatterns = [
    path("", views.index, name="index"),
    path("requests/<str:request_id>/", views.request_detail, name="request"),
    path("requests/<str:request_id>/retry/", views.request_retry, name="retry"),
    path("cases/<str:case_number>/new/", views.request_new, name="new"),
]
