from .models import Outbox


def unread(request):
    """`unread_notifications`: the signed-in person's unread count, counted only if used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}

    def count() -> int:
        return Outbox.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"unread_notifications": count}
