from django.urls import path

from . import auth_views, unsaved, views

app_name = "safeguarding"

urlpatterns = [
    path("", views.home, name="home"),
    path("unsaved/", unsaved.unsaved, name="unsaved"),
    path("sign-in/", auth_views.login, name="login"),
    path("sign-out/", auth_views.logout, name="logout"),
    path("two-factor/set-up/", auth_views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/check/", auth_views.two_factor_verify, name="two_factor_verify"),
    path(
        "two-factor/backup-codes/",
        auth_views.two_factor_backup_codes,
        name="two_factor_backup_codes",
    ),
    path("account/", auth_views.account, name="account"),
    path("account/password/", auth_views.password_change, name="password_change"),
    path(
        "account/passkeys/<int:device_id>/remove/",
        auth_views.remove_passkey,
        name="remove_passkey",
    ),
    path("password-reset/", auth_views.password_reset, name="password_reset"),
    path("password-reset/sent/", auth_views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.password_reset_complete,
        name="password_reset_complete",
    ),
    # Matched before the admin's own sign-in page (see project_urls): the admin uses ours.
    path("admin/login/", auth_views.admin_login, name="admin_login"),
]
