from django.urls import path

from . import views

app_name = "terms"

urlpatterns = [
    path("s/<slug:school>/term-dates/", views.school_term_dates, name="school"),
    path("t/<slug:trust>/term-dates/", views.trust_term_dates, name="trust"),
]
