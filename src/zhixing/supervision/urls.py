"""Supervision pages, included by the lead at ``/supervision/``."""

from django.urls import path

from zhixing.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.index, name="index"),
    path("orders/", views.order_list, name="orders"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/<str:action>/", views.order_act, name="order_act"),
    path("findings/", views.finding_list, name="findings"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
    path("interference/", views.interference, name="interference"),
]
