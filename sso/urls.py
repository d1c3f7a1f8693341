from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    path("sign-in/school/<slug:school>/", views.school_sign_in, name="school"),
    path("sign-in/trust/<slug:trust>/", views.trust_sign_in, name="trust"),
    path("sign-in/start/", views.start, name="start"),
    path("sign-in/callback/", views.callback, name="callback"),
    path("s/<slug:school>/sign-in-settings/", views.school_settings, name="school_settings"),
]
