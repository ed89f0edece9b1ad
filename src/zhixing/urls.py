"""URL map. Every view requires a signed-in user (LoginRequiredMiddleware) except the
party portal (/portal/) and the public 失信 search; the API answers anonymous calls
with 401 itself (``zhixing.api.urls``)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from zhixing import api
from zhixing.cases import views as cases
from zhixing.courts.views import home
from zhixing.credit import urls as credit_urls

case_patterns = [
    path("", cases.case_list, name="list"),
    path("mine/", cases.my_cases, name="mine"),
    path("<str:case_number>/", cases.case_detail, name="detail"),
    path("<str:case_number>/record/", cases.record_node, name="record"),
    path("<str:case_number>/events/<int:event_id>/correct/", cases.correct_node, name="correct"),
]

urlpatterns = [
    path("", home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", next_page="home", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    path("dashboard/", include("zhixing.dashboard.urls")),
    path("cases/", include((case_patterns, "cases"))),
    path("funds/", include("zhixing.funds.urls")),
    path("reports/", include("zhixing.reports.urls")),
    path("petitions/", include("zhixing.petitions.urls")),
    path("supervision/", include("zhixing.supervision.urls")),
    path("termination/", include("zhixing.termination.urls")),
    path("flow/", include("zhixing.flow.urls")),
    path("credit/", include("zhixing.credit.urls")),
    path("inquiry/", include("zhixing.inquiry.urls")),
    path("portal/", include("zhixing.portal.urls")),
    path("public/credit/", include((credit_urls.public_urlpatterns, "credit_public"))),
    path("api/", api.urls()),
    path("admin/", admin.site.urls),
]
