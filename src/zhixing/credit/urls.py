"""Credit pages. ``urlpatterns`` (officers, behind the log-in): include at ``/credit/``
with ``include("zhixing.credit.urls")`` (namespace ``credit``). ``public_urlpatterns``
(no log-in): include at ``/public/credit/`` with
``include((credit_urls.public_urlpatterns, "credit_public"))``."""

from django.urls import path

from zhixing.credit import views

app_name = "credit"

urlpatterns = [
    path("", views.entry_list, name="list"),
    path("due/", views.due, name="due"),
    path("cases/<str:case_number>/", views.case_credit, name="case"),
]

public_urlpatterns = [
    path("", views.public_search, name="search"),
]
