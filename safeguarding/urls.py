from django.urls import path

from . import auth_views, views

app_name = "safeguarding"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", auth_views.login, name="login"),
    path("sign-out/", auth_views.logout, name="logout"),
    path("two-factor/set-up/", auth_views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/check/", auth_views.two_factor_verify, name="two_factor_verify"),
    path(
        "two-factor/backup-codes/",
        auth_views.two_factor_backup_codes,
        name="two_factor_backup_codes",
    ),
]
