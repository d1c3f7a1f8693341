from django.urls import path

from . import briefing_views as views

app_name = "briefing"

urlpatterns = [
    path("guidance/briefing/", views.read, name="read"),
    path("guidance/briefing/confirm/", views.confirm, name="confirm"),
    path("s/<slug:school>/staff-briefing/", views.school, name="school"),
    path("s/<slug:school>/staff-briefing.csv", views.school_export, name="school_export"),
    path("t/<slug:trust>/staff-briefing/", views.trust, name="trust"),
]
