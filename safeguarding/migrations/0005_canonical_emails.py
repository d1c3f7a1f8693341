"""Email addresses in one canonical form (models.canonical_email), compared exactly from now on.

Every account's and invitation's address is rewritten in that form. Two accounts whose addresses
have the same canonical form (say "Dana@school.org" and "dana@school.org", made before sign-in
compared exactly) would become one address that signs in as either: the migration then stops,
changing nothing, and names both accounts. Merge them or give one another address in the
technical admin site, then migrate again.

django-axes' records of earlier attempts kept the typed address in clear (sometimes a password
typed into the wrong box): they are deleted. A lockout in progress ends with them.
"""

import unicodedata
from collections import defaultdict

from django.db import migrations


def canonical_email(value: str) -> str:
    # A copy of models.canonical_email as it is today: migrations must not change with the code.
    folded = unicodedata.normalize("NFKC", str(value or "").strip()).lower()
    return unicodedata.normalize("NFKC", folded)


def clash_message(clashes: dict[str, list]) -> str:
    lines = [
        "These accounts' email addresses are the same once written in one form, so each pair "
        "would sign in as either account. Merge them, or give one of them another address, "
        "in the technical admin site, then run migrate again:"
    ]
    for canonical, users in sorted(clashes.items()):
        accounts = ", ".join(f"{user.email!r} (id {user.pk})" for user in users)
        lines.append(f"- {canonical}: {accounts}")
    return "\n".join(lines)


def normalise(apps, schema_editor):
    User = apps.get_model("safeguarding", "User")
    Invitation = apps.get_model("safeguarding", "Invitation")
    by_canonical = defaultdict(list)
    for user in User.objects.only("pk", "email").order_by("date_joined"):
        by_canonical[canonical_email(user.email)].append(user)
    clashes = {key: users for key, users in by_canonical.items() if len(users) > 1}
    if clashes:
        raise RuntimeError(clash_message(clashes))
    for canonical, (user,) in by_canonical.items():
        if user.email != canonical:
            User.objects.filter(pk=user.pk).update(email=canonical)
    for invitation in Invitation.objects.only("pk", "email"):
        canonical = canonical_email(invitation.email)
        if invitation.email != canonical:
            Invitation.objects.filter(pk=invitation.pk).update(email=canonical)
    for model in ("AccessAttempt", "AccessFailureLog", "AccessLog"):
        apps.get_model("axes", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("safeguarding", "0004_auditevent_hash_scheme"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
