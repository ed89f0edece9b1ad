"""终本 pages, included by the lead at ``/termination/`` (namespace ``termination``)."""

from django.urls import path

from zhixing.termination import views

app_name = "termination"

urlpatterns = [
    path("", views.index, name="index"),
    path("reminders/", views.reminders, name="reminders"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<str:key>/", views.review, name="review"),
    path("reviews/<str:key>/items/<int:pk>/", views.review_item, name="review_item"),
    path("case/<str:case_number>/", views.case_page, name="case"),
    path("case/<str:case_number>/interviews/<int:pk>.docx", views.interview_docx, name="interview_docx"),
    path("case/<str:case_number>/rulings/<int:pk>.docx", views.ruling_docx, name="ruling_docx"),
    path("case/<str:case_number>/<str:action>/", views.act, name="act"),
]
