"""Print the current two-factor code for a demo account, so a demo needs no phone."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safeguarding import two_factor
from safeguarding.models import User


class Command(BaseCommand):
    help = "Print the current two-factor code for a demo user (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp_code only works with DEBUG on: it is for demo accounts.")
        user = User.objects.for_email(email)
        if user is None:
            raise CommandError(f"No account has the email address {email}.")
        device = two_factor.app_device(user)
        if device is None:
            raise CommandError(f"{user.email} has not set up two-factor sign-in.")
        self.stdout.write(two_factor.current_code(device))
