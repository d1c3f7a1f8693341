"""Sign-in, two-factor and password reset. (Being built.)"""

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from . import access

login = access.public(auth_views.LoginView.as_view(template_name="registration/login.html"))
logout = access.public(auth_views.LogoutView.as_view())


def locked_out(request, credentials=None, *args, **kwargs):
    return HttpResponse("Too many attempts. Try again later.", status=429)


@access.signed_in
def two_factor_setup(request):
    return HttpResponse("Two-factor set-up")


@access.signed_in
def two_factor_verify(request):
    return HttpResponse("Two-factor check")


@access.signed_in
def two_factor_backup_codes(request):
    return HttpResponse("Backup codes")
