"""Report pages, mounted at ``/reports/`` (namespace ``reports``)."""

from django.urls import path

from zhixing.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("rankings/", views.ranking_page, name="rankings"),
    path("cases/", views.indicator_cases, name="cases"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/make/", views.bulletin_make, name="bulletin_make"),
    path("bulletins/<int:pk>/", views.bulletin_download, name="bulletin"),
]
