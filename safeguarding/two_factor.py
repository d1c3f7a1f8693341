"""Two-factor sign-in: an authenticator app or passkeys and security keys (WebAuthn, through
django-otp-webauthn), checking codes, backup codes.

TOTP devices come from django-otp (it refuses a code at or before the last one accepted, so a
code cannot be replayed); backup codes are an otp_static device whose tokens are deleted when
used. Both devices slow down guessing: after each wrong code the next try must wait 1, 2, 4, 8...
seconds.
"""

import enum
import secrets
import xml.etree.ElementTree as ET
from base64 import b32encode
from dataclasses import dataclass

import django_otp
import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from . import audit

BACKUP_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
PASSKEY_NAME = "Passkey or security key"
LAST_SECOND_FACTOR = (
    "This is your only way to sign in with two-factor. Add another passkey or an authenticator "
    "app first, then remove this one."
)


def app_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def pending_app_device(user) -> TOTPDevice:
    """The not-yet-confirmed device being set up. Reloading the page keeps the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def passkeys(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("id")


def has_second_factor(user) -> bool:
    """An authenticator app or a passkey (backup codes alone are only a way back in)."""
    return app_device(user) is not None or passkeys(user).exists()


def has_any_device(user) -> bool:
    """A confirmed authenticator app, passkey or set of backup codes."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or StaticDevice.objects.filter(user=user, confirmed=True).exists()
        or passkeys(user).exists()
    )


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def current_code(device: TOTPDevice) -> str:
    """The code the person's app shows now (demo accounts only; see demo_totp_code)."""
    token = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{token:0{device.digits}d}"


def secret_in_groups(device: TOTPDevice) -> str:
    """The secret as people type it into an app by hand: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The set-up link as an inline SVG QR code: the CSP allows no data: images."""
    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        box_size=8,
        border=4,
    )
    element = ET.fromstring(image.to_string(encoding="unicode"))  # noqa: S314 (our own output)
    element.set("role", "img")
    element.set("aria-label", "QR code to scan with your authenticator app")
    element.set("class", "app-qr-code")
    ET.register_namespace("", "http://www.w3.org/2000/svg")
    return ET.tostring(element, encoding="unicode")


def new_backup_code() -> str:
    """Ten base32 characters (50 random bits), shown as two groups of five."""
    return b32encode(secrets.token_bytes(10)).decode().lower()[:10]


def format_backup_code(code: str) -> str:
    return f"{code[:5]} {code[5:]}"


def _replace_backup_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [new_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    device.throttle_reset(commit=False)
    device.confirmed = True
    device.save()
    return codes


@transaction.atomic
def confirm_app(*, user, device: TOTPDevice, code: str, request) -> list[str] | None:
    """Confirm a new authenticator app with its first code.

    On success the app replaces any earlier one, the person counts as checked for this session,
    and they get a fresh set of backup codes (returned, to be shown once). None if the code is
    wrong.
    """
    if device.user_id != user.pk or device.confirmed:
        return None
    # No slowing down here: the page shows the secret itself, so there is nothing to guess.
    device.throttle_reset(commit=False)
    if not device.verify_token(code):
        audit.record(
            "two_factor.failed",
            actor=user,
            target=user,
            request=request,
            data={"step": "set_up", "failures": device.throttling_failure_count},
        )
        return None
    device.confirmed = True
    device.name = APP_DEVICE_NAME
    device.save()
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _replace_backup_codes(user)
    django_otp.login(request, device)
    request.session.cycle_key()
    audit.record(
        "two_factor.enrolled",
        actor=user,
        target=user,
        request=request,
        data={"backup_codes": len(codes)},
    )
    return codes


@transaction.atomic
def regenerate_backup_codes(*, user, request) -> list[str]:
    """A new set of backup codes; the old ones stop working."""
    codes = _replace_backup_codes(user)
    audit.record(
        "backup_codes.regenerated",
        actor=user,
        target=user,
        request=request,
        data={"backup_codes": len(codes)},
    )
    return codes


class CheckOutcome(enum.Enum):
    VERIFIED = "verified"
    WRONG = "wrong"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class CheckResult:
    outcome: CheckOutcome
    wait_seconds: int = 0
    backup_code: bool = False  # the code was taken for a backup code, not an app code


def _device_for_code(user, code: str) -> Device | None:
    if code.isdigit() and len(code) in (6, 8):
        return app_device(user)
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def check_code(*, user, code: str, request) -> CheckResult:
    """Check a code typed at sign-in: a six-digit app code, or a backup code."""
    device = _device_for_code(user, code)
    method = "app" if isinstance(device, TOTPDevice) else "backup_code"
    if device is not None:
        allowed, details = device.verify_is_allowed()
        if not allowed:
            locked_until = (details or {}).get("locked_until")
            wait = (locked_until - timezone.now()).total_seconds() if locked_until else 1
            audit.record(
                "two_factor.failed",
                actor=user,
                target=user,
                request=request,
                data={"step": "check", "method": method, "throttled": True},
            )
            return CheckResult(
                CheckOutcome.THROTTLED,
                max(1, int(wait + 0.999)),
                backup_code=method == "backup_code",
            )
        verified = django_otp.verify_token(user, device.persistent_id, code)
    else:
        verified = None
    if verified is None:
        failures = 0
        if device is not None:
            device.refresh_from_db(fields=["throttling_failure_count"])
            failures = device.throttling_failure_count
        audit.record(
            "two_factor.failed",
            actor=user,
            target=user,
            request=request,
            data={"step": "check", "method": method, "failures": failures},
        )
        return CheckResult(CheckOutcome.WRONG, backup_code=method == "backup_code")
    django_otp.login(request, verified)
    # A new session key for the more trusted session, as at password sign-in.
    request.session.cycle_key()
    data = {"method": method}
    if method == "backup_code":
        data["backup_codes_left"] = backup_codes_left(user)
    audit.record("two_factor.verified", actor=user, target=user, request=request, data=data)
    return CheckResult(CheckOutcome.VERIFIED)


@transaction.atomic
def remove_two_factor(*, user, actor, request=None, school=None) -> None:
    """Remove someone's app, passkeys and backup codes (they lost them all). For the people who
    manage accounts; the person must set up two-factor again when they next sign in, if their
    role needs it.

    Every session they have is ended too: a session left signed in on the lost phone would
    otherwise be sent to set up a new app, and whoever found the phone could add their own
    without knowing the password."""
    from .people import end_sessions  # people uses this module

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()
    sessions_ended = end_sessions(user)
    audit.record(
        "two_factor.removed",
        actor=actor,
        target=user,
        school=school,
        request=request,
        data={
            "via": "people" if school is not None else "admin",
            "sessions_ended": sessions_ended,
        },
    )


# ---- Passkeys and security keys ------------------------------------------------------------------


@transaction.atomic
def passkey_enrolled(*, user, device: WebAuthnCredential, request) -> list[str] | None:
    """After django-otp-webauthn saved a new passkey: name it, audit it, and, for someone with
    no backup codes yet, make them (returned, to be shown once)."""
    device.name = PASSKEY_NAME
    device.save(update_fields=["name"])
    codes = None
    if backup_codes_left(user) == 0:
        codes = _replace_backup_codes(user)
    audit.record(
        "two_factor.enrolled",
        actor=user,
        target=user,
        request=request,
        data={"method": "passkey", "device": device.pk, "backup_codes": len(codes or [])},
    )
    return codes


def passkey_verified(*, user, device: WebAuthnCredential, request) -> None:
    """After django-otp-webauthn checked a passkey at sign-in (and marked the session)."""
    request.session.cycle_key()  # a new session key for the more trusted session
    audit.record(
        "two_factor.verified",
        actor=user,
        target=user,
        request=request,
        data={"method": "passkey", "device": device.pk},
    )


@transaction.atomic
def remove_passkey(*, user, device: WebAuthnCredential, request) -> None:
    """Someone removes one of their own passkeys (a lost key, an old laptop). Refused when it is
    their only second factor and their role needs one."""
    others = passkeys(user).exclude(pk=device.pk).exists() or app_device(user) is not None
    if not others and user.needs_two_factor:
        raise ValueError(LAST_SECOND_FACTOR)
    device_id = device.pk
    device.delete()
    audit.record(
        "two_factor.passkey_removed",
        actor=user,
        target=user,
        request=request,
        data={"device": device_id},
    )
