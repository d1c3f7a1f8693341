from django.urls import path

from . import views

app_name = "incidents"

report = "s/<slug:school>/report/"
draft = report + "<uuid:draft>/"

urlpatterns = [
    path(report, views.report_start, name="report_start"),
    path(draft + "what-happened/", views.report_what, name="report_what"),
    path(draft + "who/", views.report_who, name="report_who"),
    path(draft + "questions/", views.report_checklist, name="report_checklist"),
    path(draft + "what-happens-next/", views.report_outcome, name="report_outcome"),
    path(draft + "check/", views.report_check, name="report_check"),
    path(draft + "delete/", views.report_discard, name="report_discard"),
    path(report + "sent/<str:reference>/", views.report_submitted, name="report_submitted"),
    path("my-reports/", views.my_reports, name="my_reports"),
    path("my-reports/<str:reference>/", views.my_report, name="my_report"),
    path("s/<slug:school>/pupils/", views.pupils, name="pupils"),
    path("s/<slug:school>/pupils/import/", views.pupils_import, name="pupils_import"),
]
