"""Fund pages, included at ``/funds/``."""

from django.urls import path

from zhixing.funds import views

app_name = "funds"
urlpatterns = [
    path("", views.index, name="index"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:pk>/<str:decision>/", views.order_decision, name="order_decision"),
    path("unidentified/", views.unidentified, name="unidentified"),
    path("unidentified/<int:pk>/assign/", views.unidentified_assign, name="unidentified_assign"),
    path("deferrals/<int:pk>/end/", views.deferral_end, name="deferral_end"),
    path("case/<str:case_number>/", views.case_account, name="account"),
    path("case/<str:case_number>/<str:action>/", views.case_action, name="case_action"),
]
