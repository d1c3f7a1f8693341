"""Signing in with a school's Microsoft or Google account: which provider applies, what its ID
tokens must say, and who they belong to.

The rules, in order, for an ID token whose signature, nonce and expiry mozilla-django-oidc has
checked (sso/oidc.py):
1. It was issued by this provider's issuer, for this provider's client.
2. It comes from the school's own tenant (Microsoft: `tid`) or domain (Google: `hd`).
3. Its (issuer, subject) is linked to an account: that account signs in. A changed email
   address or name at the provider makes no difference.
4. Otherwise only an invitation can link it: the invitation must still be usable, be for a
   school this provider serves, and be addressed to the token's verified email address.
Anything else is refused with a reason the refusal page explains; nothing is matched by email.
"""

import enum
from dataclasses import dataclass

import requests
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from safeguarding import audit
from safeguarding.models import Invitation, Membership, School, Trust, User, canonical_email
from safeguarding.people import PeopleError, accept_invitation

from .models import ExternalIdentity, SignInProvider

DISCOVERY_CACHE_SECONDS = 60 * 60
HTTP_TIMEOUT_SECONDS = 10


class Refusal(enum.Enum):
    """Why a sign-in with an identity provider was refused. The page says what to do next."""

    WRONG_TENANT = "wrong_tenant"
    NOT_LINKED = "not_linked"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    WRONG_EMAIL = "wrong_email"
    INVITATION_NOT_USABLE = "invitation_not_usable"
    ACCOUNT_OFF = "account_off"
    BAD_TOKEN = "bad_token"
    PROVIDER_ERROR = "provider_error"
    OTHER_PERSON = "other_person"


class SignInRefused(Exception):
    def __init__(self, reason: Refusal, detail: str = ""):
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason


# ---- Which provider ----------------------------------------------------------------------------


def provider_for_school(school: School) -> SignInProvider | None:
    """The school's own provider, else its trust's; only one that is switched on."""
    own = SignInProvider.objects.filter(school=school, enabled=True).first()
    if own is not None:
        return own
    if school.trust_id is None:
        return None
    return SignInProvider.objects.filter(trust_id=school.trust_id, enabled=True).first()


def provider_for_trust(trust: Trust) -> SignInProvider | None:
    return SignInProvider.objects.filter(trust=trust, enabled=True).first()


def schools_served(provider: SignInProvider) -> list[School]:
    """The schools whose staff may link their accounts through `provider`."""
    if provider.school_id is not None:
        return [provider.school]
    own = SignInProvider.objects.filter(school__trust_id=provider.trust_id).values("school_id")
    return list(School.objects.filter(trust_id=provider.trust_id).exclude(pk__in=own))


def password_sign_in_refused(user: User) -> SignInProvider | None:
    """The provider whose school has switched password sign-in off, if any school where `user`
    holds a role has: someone at two schools must not use one school's password door into the
    other's records. Trust roles are not counted: trust leads are not invited, so they cannot
    link a work account and keep their passwords."""
    memberships = Membership.objects.filter(user=user, school__isnull=False).select_related(
        "school__trust"
    )
    for membership in memberships:
        provider = provider_for_school(membership.school)
        if provider is not None and not provider.password_sign_in:
            return provider
    return None


# ---- The provider's published configuration ------------------------------------------------------


def discovery(provider: SignInProvider) -> dict:
    """The provider's OpenID configuration (endpoints and signing keys' address), cached.
    Its issuer must be exactly the one this provider is set up for."""
    key = f"sso:discovery:{provider.issuer}"
    document = cache.get(key)
    if document is None:
        response = requests.get(
            provider.issuer.rstrip("/") + "/.well-known/openid-configuration",
            timeout=HTTP_TIMEOUT_SECONDS,
        )
        response.raise_for_status()
        document = response.json()
        if document.get("issuer") != provider.issuer:
            raise SignInRefused(Refusal.PROVIDER_ERROR, "discovery issuer mismatch")
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


# ---- Whose token is it ---------------------------------------------------------------------------


def check_token_is_for_us(provider: SignInProvider, claims: dict) -> None:
    """Issuer and audience (mozilla-django-oidc checks signature, nonce and expiry only)."""
    if claims.get("iss") != provider.issuer:
        raise SignInRefused(Refusal.BAD_TOKEN, "issuer")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if provider.client_id not in audiences:
        raise SignInRefused(Refusal.BAD_TOKEN, "audience")
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise SignInRefused(Refusal.BAD_TOKEN, "authorised party")
    if not claims.get("sub"):
        raise SignInRefused(Refusal.BAD_TOKEN, "subject")


def check_tenant(provider: SignInProvider, claims: dict) -> None:
    """The account belongs to the school's own Microsoft tenant or Google Workspace domain."""
    if provider.kind == SignInProvider.Kind.MICROSOFT:
        ok = str(claims.get("tid", "")).lower() == provider.tenant_id
    else:
        ok = str(claims.get("hd", "")).lower() == provider.hosted_domain
    if not ok:
        raise SignInRefused(Refusal.WRONG_TENANT)


def verified_email(claims: dict) -> str:
    """The token's email address if the provider vouches for it, else "".

    Google says so with `email_verified`. Entra ID never sends that claim: it sends `xms_edov`
    (the address's domain is verified as the tenant's own) when the app registration asks for
    it, as the README's set-up steps do."""
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        return ""
    if claims.get("email_verified") is True or claims.get("xms_edov") in (True, "true", "1", 1):
        return email
    return ""


@dataclass(frozen=True)
class SignInResult:
    user: User
    linked: bool  # this sign-in made the link (from an invitation)


def _invitation(invitation_id) -> Invitation | None:
    if not invitation_id:
        return None
    return Invitation.objects.select_related("school").filter(pk=invitation_id).first()


def resolve(
    *, provider: SignInProvider, claims: dict, invitation_id=None, request=None
) -> SignInResult:
    """Who the verified ID token `claims` belong to (the module docstring's rules).

    Raises SignInRefused, audited, when nobody here should be signed in."""
    invitation = _invitation(invitation_id)
    try:
        return _resolve(provider, claims, invitation, request)
    except SignInRefused as refused:
        audit.record(
            "sso.refused",
            school=invitation.school if invitation is not None else None,
            request=request,
            data={"reason": refused.reason.value, "provider": provider.pk},
        )
        raise


def _resolve(provider, claims, invitation: Invitation | None, request) -> SignInResult:
    check_token_is_for_us(provider, claims)
    check_tenant(provider, claims)
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(issuer=provider.issuer, subject=str(claims["sub"]))
        .first()
    )
    if identity is None:
        if invitation is None:
            raise SignInRefused(Refusal.NOT_LINKED)
        return _link_from_invitation(provider, claims, invitation, request)
    user = identity.user
    if invitation is not None and invitation.is_pending:
        # Someone already linked, following a new invitation: the same rules as a first link.
        _check_invitation(provider, claims, invitation)
        try:
            accept_invitation(invitation=invitation, password=None, request=request)
        except PeopleError:
            raise SignInRefused(Refusal.INVITATION_NOT_USABLE) from None
    if not user.is_active:
        raise SignInRefused(Refusal.ACCOUNT_OFF)
    ExternalIdentity.objects.filter(pk=identity.pk).update(last_used_at=timezone.now())
    return SignInResult(user=user, linked=False)


def _check_invitation(provider, claims, invitation: Invitation) -> None:
    if not invitation.is_pending or invitation.school not in schools_served(provider):
        raise SignInRefused(Refusal.INVITATION_NOT_USABLE)
    email = verified_email(claims)
    if not email:
        raise SignInRefused(Refusal.EMAIL_NOT_VERIFIED)
    if canonical_email(email) != canonical_email(invitation.email):
        raise SignInRefused(Refusal.WRONG_EMAIL)


@transaction.atomic
def _link_from_invitation(provider, claims, invitation: Invitation, request) -> SignInResult:
    invitation = (
        Invitation.objects.select_for_update().select_related("school").get(pk=invitation.pk)
    )
    _check_invitation(provider, claims, invitation)
    name = claims.get("name") if isinstance(claims.get("name"), str) else ""
    try:
        user = accept_invitation(
            invitation=invitation, full_name=name[:150], password=None, request=request
        )
    except PeopleError:
        raise SignInRefused(Refusal.INVITATION_NOT_USABLE) from None
    identity = ExternalIdentity.objects.create(
        user=user,
        provider=provider,
        issuer=provider.issuer,
        subject=str(claims["sub"]),
        last_used_at=timezone.now(),
    )
    audit.record(
        "sso.linked",
        actor=user,
        target=user,
        school=invitation.school,
        request=request,
        data={"provider": provider.pk, "identity": identity.pk, "invitation": str(invitation.pk)},
    )
    return SignInResult(user=user, linked=True)


def linked_identity(user: User, provider: SignInProvider) -> ExternalIdentity | None:
    return ExternalIdentity.objects.filter(user=user, issuer=provider.issuer).first()


@transaction.atomic
def set_password_sign_in(
    *, actor: User, school: School, provider: SignInProvider, allowed: bool, request=None
) -> bool:
    """A school admin switches password sign-in on or off for their school's own provider.
    Returns whether anything changed."""
    provider = SignInProvider.objects.select_for_update().get(pk=provider.pk, school=school)
    if provider.password_sign_in == allowed:
        return False
    if not allowed and linked_identity(actor, provider) is None:
        # Switching passwords off before linking your own account would lock you out.
        raise SignInRefused(Refusal.NOT_LINKED)
    provider.password_sign_in = allowed
    provider.save(update_fields=["password_sign_in"])
    audit.record(
        "sso.password_sign_in_changed",
        actor=actor,
        target=provider,
        school=school,
        request=request,
        data={"allowed": allowed},
    )
    return True
