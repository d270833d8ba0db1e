from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.tokens import ALL_SCOPES, personal_token_create


class Command(BaseCommand):
    help = "Issue a personal access token; prints only the token on stdout."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="")
        parser.add_argument("--scopes", nargs="+", default=list(ALL_SCOPES), choices=ALL_SCOPES)
        parser.add_argument("--expires-days", type=int, default=365)

    def handle(self, *args, username, name, scopes, expires_days, **options):
        if expires_days < 1:
            raise CommandError("--expires-days must be at least 1.")
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        token = personal_token_create(
            user=user, name=name, scopes=tuple(scopes), expires_days=expires_days
        )
        self.stdout.write(token)
