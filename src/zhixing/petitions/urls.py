"""Petition pages, included by the lead at ``/petitions/``."""

from django.urls import path

from zhixing.petitions import views

app_name = "petitions"

urlpatterns = [
    path("", views.petition_list, name="list"),
    path("new/", views.petition_new, name="new"),
    path("<int:pk>/", views.petition_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.petition_act, name="act"),
]
