"""django-otp-webauthn's ceremonies with our audit trail and backup codes added.

Its views keep each challenge in the session and take it out before checking the answer, so an
answer cannot be replayed; they refuse to add a passkey for someone who has a second factor but
has not used it in this session (no way round the check with a password alone).
"""

from django.http import JsonResponse
from django.urls import reverse
from django_otp_webauthn import views as webauthn
from django_otp_webauthn.models import WebAuthnCredential

from . import two_factor

# Where fresh backup codes wait for the backup codes page (as after setting up an app).
from .auth_views import FRESH_BACKUP_CODES_SESSION_KEY


class BeginRegistration(webauthn.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(webauthn.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            import json

            device = WebAuthnCredential.objects.get(pk=json.loads(response.content)["id"])
            codes = two_factor.passkey_enrolled(
                user=self.request.user, device=device, request=self.request
            )
            if codes:
                # The new backup codes are shown once, as after setting up an app.
                self.request.session[FRESH_BACKUP_CODES_SESSION_KEY] = codes
                return JsonResponse(
                    {"id": device.pk, "next": reverse("safeguarding:two_factor_backup_codes")}
                )
        return response


class BeginAuthentication(webauthn.BeginCredentialAuthenticationView):
    pass


class CompleteAuthentication(webauthn.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        super().complete_auth(device)
        two_factor.passkey_verified(user=device.user, device=device, request=self.request)

    def get_success_url(self):
        return self.get_redirect_url() or reverse("safeguarding:home")
