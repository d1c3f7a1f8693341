from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("t/<slug:trust>/statistics/", views.trust_dashboard, name="trust_dashboard"),
    path("t/<slug:trust>/statistics.csv", views.trust_export, name="trust_export"),
    path("t/<slug:trust>/statistics.meta.csv", views.trust_metadata, name="trust_metadata"),
    path("s/<slug:school>/statistics/", views.school_dashboard, name="school_dashboard"),
    path("s/<slug:school>/statistics.csv", views.school_export, name="school_export"),
    path("s/<slug:school>/statistics.meta.csv", views.school_metadata, name="school_metadata"),
]
