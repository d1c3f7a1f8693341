"""The site's URL map. Each app owns its own routes and namespace."""

from django.contrib import admin
from django.urls import include, path

handler400 = "safeguarding.errors.bad_request"
handler403 = "safeguarding.errors.permission_denied"
handler404 = "safeguarding.errors.not_found"
handler500 = "safeguarding.errors.server_error"

urlpatterns = [
    path("", include("safeguarding.urls")),
    path("", include("sso.urls")),
    path("two-factor/passkeys/", include("safeguarding.passkey_urls")),
    path("s/<slug:school>/people/", include("safeguarding.people_urls")),
    path("guidance/", include("guidance.urls")),
    path("", include("guidance.briefing_urls")),
    path("", include("notifications.urls")),
    path("", include("incidents.urls")),
    path("", include("cases.urls")),
    path("", include("stats.urls")),
    path("", include("terms.urls")),
    path("", include("records.urls")),
    path("admin/", admin.site.urls),
]
