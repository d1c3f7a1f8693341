from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read/", views.mark_all_read, name="mark_all_read"),
    path("s/<slug:school>/notification-settings/", views.school_settings, name="settings"),
    path("s/<slug:school>/alerts-not-delivered/", views.undelivered, name="undelivered"),
    path(
        "s/<slug:school>/alerts-not-delivered/<int:outbox_id>/resend/",
        views.resend,
        name="resend",
    ),
    path(
        "s/<slug:school>/alerts-not-delivered/<int:outbox_id>/dealt-with/",
        views.dealt_with,
        name="dealt_with",
    ),
    path("health/", views.health, name="health"),
    path("health/live/", views.health_live, name="health_live"),
]
